package dev.verdant.evaluation;

import dev.verdant.events.EventJson;

import java.util.List;
import java.util.Objects;

/**
 * Everything measured about one model. Its JSON ({@link #toJson()}) is what
 * {@code verdant evaluate --json} prints; the evaluation service maps it onto the
 * VariantEvaluated event.
 *
 * @param model       the model file as given
 * @param modelSha256 lower-case hex SHA-256 of the model file
 * @param sizeBytes   file size
 * @param parameters  elements of every initializer (float weights, int8 weights, scales, zero
 *                    points, integer buffers), as {@code dev.verdant.onnx.ModelFacts} counts them
 * @param quality     STS Spearman x100
 * @param fidelity    agreement with the baseline; null without one
 * @param latency     milliseconds per call at batch 1 and 32
 * @param throughput  sentences per second at batch 32
 * @param usage       CPU and wall seconds per 1,000 inferences (sentences embedded) at batch 32
 * @param peakMemory  best-effort peak resident memory of the model's session
 * @param settings    everything that changes the numbers
 */
public record EvaluationReport(String model, String modelSha256, long sizeBytes, long parameters, Quality quality,
        Fidelity fidelity, Latency latency, Throughput throughput, Usage usage, PeakMemory peakMemory,
        Settings settings) {

    public EvaluationReport {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(throughput, "throughput");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(peakMemory, "peakMemory");
        Objects.requireNonNull(settings, "settings");
    }

    /**
     * @param task          "sts"
     * @param spearman      Spearman x100 between the cosine similarity of each pair's embeddings and
     *                      the gold score (82.03 for all-MiniLM-L6-v2 on STS-B test)
     * @param pairs         pairs scored
     * @param dataset       e.g. "stsb-test"
     * @param datasetSha256 SHA-256 of the data file
     */
    public record Quality(String task, double spearman, int pairs, String dataset, String datasetSha256) {
    }

    /**
     * Agreement of this model's sentence embeddings e with the baseline's b on every sentence of
     * the data set (both sides of every pair):
     * meanCosine = mean_i cos(e_i, b_i), minCosine = min_i cos(e_i, b_i),
     * mse = mean over sentences and dimensions of (e_id - b_id)^2.
     *
     * @param baseline  the baseline model file as given
     * @param sentences sentences compared
     */
    public record Fidelity(double meanCosine, double minCosine, double mse, String baseline, int sentences) {
    }

    /**
     * Wall-clock time of one call, text in and pooled embeddings out (tokenization, ONNX Runtime
     * through DJL, pooling), after warm-up.
     *
     * @param p50Ms median
     * @param p95Ms 95th percentile (linear interpolation, see {@link Percentiles})
     * @param runs  timed calls
     */
    public record Timing(double p50Ms, double p95Ms, int runs) {
    }

    public record Latency(Timing batch1, Timing batch32) {
    }

    /** sentences embedded / wall seconds, over the timed batch-32 runs. */
    public record Throughput(double sentencesPerSecond) {
    }

    /**
     * What 1,000 inferences (sentences embedded) cost on this machine, from the timed batch-32 runs:
     * cpuSecondsPer1k = process CPU seconds / sentences x 1000 (every thread of the process:
     * ONNX Runtime's native pool, the tokenizer, the JVM), wallSecondsPer1k = wall seconds /
     * sentences x 1000. The carbon service prices these.
     *
     * @param inferences sentences embedded in the measured runs
     */
    public record Usage(double cpuSecondsPer1k, double wallSecondsPer1k, int inferences) {
    }

    /**
     * @param bytes  growth of the process's peak resident set while the model was loaded and
     *               measured; null where the operating system does not tell
     * @param method how it was measured, in words
     */
    public record PeakMemory(Long bytes, String method) {
    }

    /**
     * Everything that changes the numbers.
     *
     * @param threads            ONNX Runtime intra-op threads
     * @param interOpThreads     ONNX Runtime inter-op threads
     * @param graphOptimization  ONNX Runtime graph optimization level
     * @param qualityBatchSize   sentences per call when embedding the data set
     * @param latencyBatchSizes  batch sizes timed
     * @param maxSequenceLength  truncation length in tokens
     * @param padding            "longest in batch"
     * @param dataset            data set name
     * @param datasetSha256      SHA-256 of the data file
     * @param pairs              pairs used
     * @param warmupRuns         untimed runs per batch size
     * @param batch1Runs         timed runs at batch 1
     * @param batch32Runs        timed runs at batch 32
     * @param inputs             graph inputs fed, in the model's order
     * @param output             graph output pooled
     * @param onnxRuntimeVersion version of the native ONNX Runtime that ran (1.29.0)
     * @param djlVersion         DJL version
     * @param engine             the DJL engine (and the ONNX Runtime version DJL was built against)
     * @param cpuModel           from /proc/cpuinfo
     * @param cpuFlags           the flags that change kernel choice (avx2, avx512*, vnni, amx, ...)
     * @param availableProcessors processors the JVM sees
     * @param jvm                JVM name and version
     * @param os                 operating system and architecture
     */
    public record Settings(int threads, int interOpThreads, String graphOptimization, int qualityBatchSize,
            List<Integer> latencyBatchSizes, int maxSequenceLength, String padding, String dataset,
            String datasetSha256, int pairs, int warmupRuns, int batch1Runs, int batch32Runs, List<String> inputs,
            String output, String onnxRuntimeVersion, String djlVersion, String engine, String cpuModel,
            List<String> cpuFlags, int availableProcessors, String jvm, String os) {

        public Settings {
            latencyBatchSizes = List.copyOf(latencyBatchSizes);
            inputs = List.copyOf(inputs);
            cpuFlags = List.copyOf(cpuFlags);
        }
    }

    /** One line of JSON (the --json output). */
    public String toJson() {
        return EventJson.toJson(this);
    }

    public String toPrettyJson() {
        return EventJson.toPrettyJson(this);
    }
}
