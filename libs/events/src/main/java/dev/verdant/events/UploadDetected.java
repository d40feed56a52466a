package dev.verdant.events;

import java.time.Instant;

/** A model object appeared in the bucket (internal to ingest). */
public record UploadDetected(Upload upload, Instant detectedAt) implements VerdantEvent {
    @Override
    public String runId() {
        return null;
    }

    @Override
    public String modelSha256() {
        return null;
    }

    @Override
    public String partitionKey() {
        return upload.key();
    }
}
