package dev.verdant.events;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;

/** The verdict of a run. */
public record RunReported(String runId, String modelSha256, Status status, List<Row> variants,
        List<String> paretoFront, Recommendation recommendation, double qualityBudget, Footprint footprint,
        List<Missing> missing, ReportKeys reportKeys, Instant reportedAt) implements VerdantEvent {

    public RunReported {
        variants = List.copyOf(variants);
        paretoFront = List.copyOf(paretoFront);
        missing = List.copyOf(missing);
    }

    @Override
    public String partitionKey() {
        return runId;
    }

    public enum Status implements WireEnum {
        COMPLETE, PARTIAL;

        @JsonValue
        @Override
        public String wireName() {
            return WireEnum.of(this);
        }
    }

    public record Row(String variantId, Technique technique, String input, long sizeBytes, long parameters,
            double quality, Double qualityLoss, Double meanCosine, Double latencyBatch1P50Ms,
            double latencyBatch32P50Ms, double energyJoulesPer1k, EnergySource energySource,
            double emissionsGPer1k, Double sciGPer1k, Boolean withinBudget) {
    }

    public record Recommendation(String variantId, String reason, Double yearlyEmissionsSavedKg,
            Double paybackDays) {
    }

    public record Footprint(double energyKwh, double emissionsG) {
    }

    public record Missing(String variantId, String why) {
    }

    public record ReportKeys(String json, String html, String emissionsCsv) {
    }
}
