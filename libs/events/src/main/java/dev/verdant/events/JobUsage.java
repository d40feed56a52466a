package dev.verdant.events;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/** What one job consumed. The job id is stable, so a replayed job replaces its own ledger entry. */
public record JobUsage(String runId, String modelSha256, String jobId, String service, Kind kind, String variantId,
        Usage usage, Host host, Instant startedAt, Instant endedAt) implements VerdantEvent {

    @Override
    public String partitionKey() {
        return jobId;
    }

    /** The stable id of a job: {@code runId:kind:variantId} (variantId omitted for run-level jobs). */
    public static String jobId(String runId, Kind kind, String variantId) {
        return variantId == null ? runId + ":" + kind.wireName() : runId + ":" + kind.wireName() + ":" + variantId;
    }

    public enum Kind implements WireEnum {
        INGEST, QUANTIZE, PRUNE, DISTILL, EVALUATE, REPORT;

        @JsonValue
        @Override
        public String wireName() {
            return WireEnum.of(this);
        }
    }

    public record Host(String cpuModel, int logicalCpus, Long memoryBytes) {
    }
}
