package dev.verdant.evaluation;

/**
 * How latency is sampled. Every run embeds a fixed slice of the data set's first sentences (run i
 * at batch size b takes sentences i b .. i b + b - 1, wrapping around), so two models, or two
 * evaluations of one model, time exactly the same inputs in the same order. Warm-up runs use the
 * same slices and are not timed: they let ONNX Runtime allocate its buffers and the JIT compile
 * the harness.
 *
 * @param warmupRuns  untimed runs before each batch size's timed runs
 * @param batch1Runs  timed runs at batch size 1
 * @param batch32Runs timed runs at batch size 32 (also the basis of throughput and usage per 1,000)
 */
public record LatencySettings(int warmupRuns, int batch1Runs, int batch32Runs) {

    public LatencySettings {
        if (warmupRuns < 0) {
            throw new IllegalArgumentException("warm-up runs cannot be negative, got " + warmupRuns);
        }
        if (batch1Runs < 1 || batch32Runs < 1) {
            throw new IllegalArgumentException("at least one timed run per batch size, got batch 1: " + batch1Runs
                    + ", batch 32: " + batch32Runs);
        }
    }

    /** 5 warm-up runs, 100 timed runs at batch 1 and 30 at batch 32: a few seconds for MiniLM on 2 threads. */
    public static LatencySettings standard() {
        return new LatencySettings(5, 100, 30);
    }

    /** For tests and quick looks: 2 warm-up, 10 and 5 timed runs (percentiles are then rough). */
    public static LatencySettings quick() {
        return new LatencySettings(2, 10, 5);
    }
}
