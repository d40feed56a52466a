package dev.verdant.events;

import java.time.Instant;
import java.util.Map;

/** One model of a run measured against the original. */
public record VariantEvaluated(String runId, String modelSha256, String variantId, Artifact artifact, long sizeBytes,
        long parameters, Quality quality, Fidelity fidelity, Latency latency, Throughput throughput,
        Long peakMemoryBytes, Usage usagePer1k, Map<String, Object> settings, Instant evaluatedAt)
        implements VerdantEvent {

    public VariantEvaluated {
        settings = Map.copyOf(settings);
    }

    @Override
    public String partitionKey() {
        return runId;
    }

    /** Task quality: Spearman x100 (sts) or accuracy x100 (classification). */
    public record Quality(String task, String metric, double value, int examples, String dataset,
            String datasetSha256) {
    }

    /** Agreement with the original on the same inputs. */
    public record Fidelity(double meanCosine, double minCosine, double mse, Double klDivergence) {
    }

    public record Percentiles(double p50Ms, double p95Ms) {
    }

    public record Latency(Percentiles batch1, Percentiles batch32) {
    }

    public record Throughput(double sentencesPerSecond) {
    }
}
