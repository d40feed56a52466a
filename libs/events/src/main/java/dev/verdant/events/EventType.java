package dev.verdant.events;

import java.util.Arrays;
import java.util.Optional;

/**
 * The documented set of event types: CloudEvents type (versioned), topic, schema file and Java type.
 * A breaking change to an event is a new constant with a new version, never an edit of an old one.
 */
public enum EventType {
    UPLOAD_DETECTED("dev.verdant.upload.detected.v1", Topics.UPLOADS, "upload-detected.schema.json", UploadDetected.class),
    MODEL_INGESTED("dev.verdant.model.ingested.v1", Topics.MODELS_INGESTED, "model-ingested.schema.json", ModelIngested.class),
    MODEL_REJECTED("dev.verdant.model.rejected.v1", Topics.MODELS_REJECTED, "model-rejected.schema.json", ModelRejected.class),
    VARIANT_CREATED("dev.verdant.variant.created.v1", Topics.VARIANTS_CREATED, "variant-created.schema.json", VariantCreated.class),
    VARIANT_FAILED("dev.verdant.variant.failed.v1", Topics.VARIANTS_FAILED, "variant-failed.schema.json", VariantFailed.class),
    VARIANT_EVALUATED("dev.verdant.variant.evaluated.v1", Topics.EVALUATIONS, "variant-evaluated.schema.json", VariantEvaluated.class),
    JOB_USAGE("dev.verdant.job.usage.v1", Topics.USAGE, "job-usage.schema.json", JobUsage.class),
    CARBON_LEDGER_ENTRY("dev.verdant.carbon.ledger-entry.v1", Topics.CARBON_LEDGER, "carbon-ledger-entry.schema.json", CarbonLedgerEntry.class),
    RUN_REPORTED("dev.verdant.run.reported.v1", Topics.REPORTS, "run-reported.schema.json", RunReported.class);

    private final String ceType;
    private final String topic;
    private final String schemaFile;
    private final Class<? extends VerdantEvent> javaType;

    EventType(String ceType, String topic, String schemaFile, Class<? extends VerdantEvent> javaType) {
        this.ceType = ceType;
        this.topic = topic;
        this.schemaFile = schemaFile;
        this.javaType = javaType;
    }

    public String ceType() {
        return ceType;
    }

    public String topic() {
        return topic;
    }

    public String schemaFile() {
        return schemaFile;
    }

    public Class<? extends VerdantEvent> javaType() {
        return javaType;
    }

    public static Optional<EventType> ofCeType(String ceType) {
        return Arrays.stream(values()).filter(t -> t.ceType.equals(ceType)).findFirst();
    }

    public static EventType of(VerdantEvent event) {
        return Arrays.stream(values()).filter(t -> t.javaType.isInstance(event)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No event type for " + event.getClass()));
    }
}
