package dev.verdant.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The verdict of a run. {@code context} is the carbon context every figure was priced with (optional,
 * added in an additive change); {@code notes} say what a reader must know about the figures (a
 * region priced with the world fallback, usage that could not be priced); empty when there is none.
 * {@code recommendation} is written even when null (no original to compare with): the schema requires it.
 */
public record RunReported(String runId, String modelSha256, Status status, List<Row> variants,
        List<String> paretoFront, @JsonInclude(JsonInclude.Include.ALWAYS) Recommendation recommendation,
        double qualityBudget, Footprint footprint,
        List<Missing> missing, Context context, List<String> notes, ReportKeys reportKeys, Instant reportedAt)
        implements VerdantEvent {

    public RunReported {
        variants = List.copyOf(variants);
        paretoFront = List.copyOf(paretoFront);
        missing = List.copyOf(missing);
        notes = notes == null ? List.of() : List.copyOf(notes);
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

    /** @param techniqueParameters the planned step's parameters (null for the original) */
    public record Row(String variantId, Technique technique, String input, Map<String, Object> techniqueParameters,
            long sizeBytes, long parameters, double quality, Double qualityLoss, Double meanCosine,
            Double latencyBatch1P50Ms, double latencyBatch32P50Ms, double energyJoulesPer1k,
            EnergySource energySource, double emissionsGPer1k, Double sciGPer1k, Boolean withinBudget) {
        public Row {
            techniqueParameters = techniqueParameters == null ? null : Map.copyOf(techniqueParameters);
        }
    }

    /**
     * What the figures were priced with: the recipe's region resolved to an intensity, its PUE, the
     * expected traffic, and the embodied-emissions basis of the SCI.
     */
    public record Context(String region, double carbonIntensityGPerKwh, String intensitySource, double pue,
            double inferencesPerDay, String embodiedBasis) {
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
