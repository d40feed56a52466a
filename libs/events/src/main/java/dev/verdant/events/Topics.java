package dev.verdant.events;

import java.util.List;
import java.util.Map;

/**
 * Every Kafka topic of Verdant, in one place. Services, the CLI, tests, compose and k8s use these
 * names; {@code TopicsTest} keeps the services' configuration in line with them.
 */
public final class Topics {
    /** MinIO bucket notifications (MinIO's own JSON, not CloudEvents): the trigger on a real MinIO. */
    public static final String BUCKET_NOTIFICATIONS = "verdant.bucket-notifications";
    /** Internal to ingest: a model object appeared, noticed by a notification or by the poller. */
    public static final String UPLOADS = "verdant.uploads";
    public static final String MODELS_INGESTED = "verdant.models.ingested";
    public static final String MODELS_REJECTED = "verdant.models.rejected";
    public static final String VARIANTS_CREATED = "verdant.variants.created";
    public static final String VARIANTS_FAILED = "verdant.variants.failed";
    public static final String EVALUATIONS = "verdant.evaluations";
    public static final String USAGE = "verdant.usage";
    /** Compacted, keyed by job id: a replayed job replaces its own entry. */
    public static final String CARBON_LEDGER = "verdant.carbon.ledger";
    /** The verdict, the topic a user subscribes to. */
    public static final String REPORTS = "verdant.reports";
    /** Records no service could process, with the error in headers. */
    public static final String DEAD_LETTER = "verdant.dead-letter";

    /** Every topic, in the order a run flows through them. */
    public static final List<String> ALL = List.of(
            BUCKET_NOTIFICATIONS, UPLOADS, MODELS_INGESTED, MODELS_REJECTED, VARIANTS_CREATED,
            VARIANTS_FAILED, EVALUATIONS, USAGE, CARBON_LEDGER, REPORTS, DEAD_LETTER);

    /**
     * Topic-level settings a topic needs when it is created: the ledger keeps one entry per job id
     * (a replayed job replaces its entry), so it is compacted.
     */
    public static final Map<String, Map<String, String>> CONFIGS = Map.of(
            CARBON_LEDGER, Map.of("cleanup.policy", "compact"));

    private Topics() {
    }
}
