package dev.verdant.events;

/**
 * An event of the Verdant pipeline. Each is a record whose JSON form is described by a schema in
 * schemas/ (see {@link EventType}).
 */
public sealed interface VerdantEvent
        permits UploadDetected, ModelIngested, ModelRejected, VariantCreated, VariantFailed,
        VariantEvaluated, JobUsage, CarbonLedgerEntry, RunReported {

    /** The run this event belongs to, or null when there is none yet (an upload, an early rejection). */
    String runId();

    /** SHA-256 of the run's original model, or null when not known yet. */
    String modelSha256();

    /** The Kafka record key: what must stay in order, or be compacted, together. */
    String partitionKey();

    default EventType type() {
        return EventType.of(this);
    }
}
