package dev.verdant.evaluation;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What to evaluate and how. Everything that changes the numbers is here (and is recorded in the
 * report's settings); build with {@link #of(Path, Path)} and the {@code with...} methods.
 *
 * @param model             the ONNX model to measure
 * @param tokenizer         its HuggingFace tokenizer.json (also used for the baseline: variants keep
 *                          the original's vocabulary)
 * @param baseline          the model to compare embeddings with (the original), if any
 * @param dataset           the STS pairs
 * @param maxPairs          use only the first N pairs; 0 for all
 * @param threads           ONNX Runtime intra-op threads (inter-op 1, sequential execution)
 * @param maxSequenceLength tokens per sentence after truncation, [CLS] and [SEP] included
 * @param latency           latency sampling
 */
public record EvaluationRequest(Path model, Path tokenizer, Optional<Path> baseline, StsSource dataset, int maxPairs,
        int threads, int maxSequenceLength, LatencySettings latency) {

    /** all-MiniLM-L6-v2 was trained at 128 tokens; sentence-transformers truncates there too. */
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 128;

    public EvaluationRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(latency, "latency");
    }

    /**
     * STS-B test, all pairs, no baseline, max sequence length 128, standard latency sampling, and
     * 2 threads (or 1 on a single-core machine): a fixed default, so that figures from different
     * machines are taken the same way.
     */
    public static EvaluationRequest of(Path model, Path tokenizer) {
        return new EvaluationRequest(model, tokenizer, Optional.empty(), StsSource.test(), 0, defaultThreads(),
                DEFAULT_MAX_SEQUENCE_LENGTH, LatencySettings.standard());
    }

    public static int defaultThreads() {
        return Math.min(2, Runtime.getRuntime().availableProcessors());
    }

    public EvaluationRequest withBaseline(Path value) {
        return new EvaluationRequest(model, tokenizer, Optional.of(value), dataset, maxPairs, threads,
                maxSequenceLength, latency);
    }

    public EvaluationRequest withDataset(StsSource value) {
        return new EvaluationRequest(model, tokenizer, baseline, value, maxPairs, threads, maxSequenceLength, latency);
    }

    public EvaluationRequest withMaxPairs(int value) {
        return new EvaluationRequest(model, tokenizer, baseline, dataset, value, threads, maxSequenceLength, latency);
    }

    public EvaluationRequest withThreads(int value) {
        return new EvaluationRequest(model, tokenizer, baseline, dataset, maxPairs, value, maxSequenceLength, latency);
    }

    public EvaluationRequest withMaxSequenceLength(int value) {
        return new EvaluationRequest(model, tokenizer, baseline, dataset, maxPairs, threads, value, latency);
    }

    public EvaluationRequest withLatency(LatencySettings value) {
        return new EvaluationRequest(model, tokenizer, baseline, dataset, maxPairs, threads, maxSequenceLength, value);
    }
}
