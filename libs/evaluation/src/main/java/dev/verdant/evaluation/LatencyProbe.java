package dev.verdant.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * Times calls of the embedding pipeline on fixed slices of a sentence list: run i at batch size b
 * embeds sentences (i b) mod n .. (i b + b - 1) mod n. Warm-up runs use the same slices as the
 * first timed runs and are discarded.
 */
final class LatencyProbe {

    /**
     * @param millis   wall-clock milliseconds of each timed call
     * @param wallNanos wall time of all timed calls together
     * @param cpuNanos process CPU time over the timed calls; -1 if the JVM cannot tell
     * @param sentences sentences embedded in the timed calls
     */
    record TimedRuns(double[] millis, long wallNanos, long cpuNanos, int sentences) {

        EvaluationReport.Timing timing() {
            return new EvaluationReport.Timing(Percentiles.of(millis, 0.5), Percentiles.of(millis, 0.95), millis.length);
        }
    }

    private LatencyProbe() {
    }

    static TimedRuns measure(EmbeddingPipeline pipeline, List<String> sentences, int batchSize, int warmupRuns,
            int runs) throws EvaluationFailure {
        for (int i = 0; i < warmupRuns; i++) {
            pipeline.embed(slice(sentences, i, batchSize));
        }
        List<List<String>> batches = new ArrayList<>(runs);
        for (int i = 0; i < runs; i++) {
            batches.add(slice(sentences, i, batchSize));
        }
        double[] millis = new double[runs];
        long cpuStart = ProcessCpuClock.nanos();
        long wallStart = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            pipeline.embed(batches.get(i));
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        long wall = System.nanoTime() - wallStart;
        long cpuEnd = ProcessCpuClock.nanos();
        long cpu = cpuStart < 0 || cpuEnd < 0 ? -1 : cpuEnd - cpuStart;
        return new TimedRuns(millis, wall, cpu, runs * batchSize);
    }

    /** Run {@code run}'s sentences: b consecutive ones from (run b) mod n, wrapping around. */
    static List<String> slice(List<String> sentences, int run, int batchSize) {
        List<String> batch = new ArrayList<>(batchSize);
        int n = sentences.size();
        long start = (long) run * batchSize;
        for (int k = 0; k < batchSize; k++) {
            batch.add(sentences.get((int) ((start + k) % n)));
        }
        return batch;
    }
}
