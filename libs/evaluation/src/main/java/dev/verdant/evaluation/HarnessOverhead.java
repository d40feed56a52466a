package dev.verdant.evaluation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Does the evaluation harness distort what it measures? Times batch-32 calls of one model three
 * ways, on the same sentences, with the same session settings (intra-op threads, 1 inter-op
 * thread, sequential, all graph optimizations):
 * <ol>
 *   <li><b>bare ORT</b>: com.microsoft.onnxruntime directly on pre-tokenized batches: create the
 *       input tensors, run, copy the output out;</li>
 *   <li><b>DJL + pooling</b>: the same pre-tokenized batches through Verdant's EncoderSession
 *       (DJL predictor, ONNX Runtime engine, mean pooling);</li>
 *   <li><b>harness</b>: sentences in, embeddings out (the HuggingFace tokenizer, then 2.): what
 *       the evaluator's latency figures time.</li>
 * </ol>
 * Each repetition runs every variant over all batches in a block, the order of the blocks
 * rotating between repetitions so that drift in machine load does not favour one; a repetition's
 * figure per variant is its block's mean wall (and process CPU) time per batch. Overhead =
 * median(harness) / median(bare) - 1 over repetitions.
 *
 * <p>Used by {@code HarnessOverheadBenchmark} (libs/evaluation tests, docs/evaluation.md) and by
 * {@code verdant bench} (docs/benchmarks.md).
 */
public final class HarnessOverhead {

    public static final int BATCH = 32;
    public static final String BARE = "bare ORT (pre-tokenized)";
    public static final String DJL = "DJL + pooling (pre-tokenized)";
    public static final String HARNESS = "harness: tokenizer + DJL + pooling";

    /**
     * @param variants      the three ways, in the order {@link #BARE}, {@link #DJL}, {@link #HARNESS}
     * @param wallMs        [variant][repetition]: mean wall ms per batch of 32 in that repetition's block
     * @param cpuMs         [variant][repetition]: mean process CPU ms per batch in that block
     * @param meanLength    padded tokens per sentence, averaged over the batches
     * @param tokenizeMs    tokenizing one batch alone, median over repetitions
     * @param poolingMs     mean pooling one batch's output alone, median over repetitions
     */
    public record Result(List<String> variants, double[][] wallMs, double[][] cpuMs, int threads, int repetitions,
            int batches, double meanLength, double tokenizeMs, double poolingMs) {

        /** Per repetition (paired): harness / bare - 1. */
        public double[] pairedOverhead() {
            double[] paired = new double[repetitions];
            for (int rep = 0; rep < repetitions; rep++) {
                paired[rep] = wallMs[2][rep] / wallMs[0][rep] - 1;
            }
            return paired;
        }

        /** median(harness) / median(bare) - 1. */
        public double overheadOfMedians() {
            return Percentiles.median(wallMs[2]) / Percentiles.median(wallMs[0]) - 1;
        }
    }

    private HarnessOverhead() {
    }

    /**
     * Measures the three ways on the first {@code batches} batches of 32 of {@code sentences}
     * (wrapping around), after one untimed pass over all batches.
     *
     * @throws IllegalStateException naming the failure reason when the model or tokenizer cannot be used
     *                               (the same checks as the evaluator's) or ONNX Runtime fails
     */
    public static Result measure(Path model, Path tokenizerFile, List<String> sentences, int threads, int reps,
            int batches) {
        if (reps < 1 || batches < 1 || sentences.isEmpty()) {
            throw new IllegalArgumentException("need at least 1 repetition, 1 batch and 1 sentence");
        }
        try {
            return measureOrFail(model, tokenizerFile, sentences, threads, reps, batches);
        } catch (EvaluationFailure e) {
            throw new IllegalStateException(e.reason() + ": " + e.getMessage(), e);
        } catch (OrtException e) {
            throw new IllegalStateException(FailureReason.INFERENCE_FAILED + ": " + e.getMessage(), e);
        }
    }

    private static Result measureOrFail(Path model, Path tokenizerFile, List<String> sentences, int threads, int reps,
            int batches) throws EvaluationFailure, OrtException {
        List<List<String>> texts = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            texts.add(LatencyProbe.slice(sentences, i, BATCH));
        }
        OnnxRuntimeStartup.engine();
        ModelBinding binding = ModelBinding.inspect(model, "model");
        try (SentenceTokenizer tokenizer = SentenceTokenizer.open(tokenizerFile,
                EvaluationRequest.DEFAULT_MAX_SEQUENCE_LENGTH, TokenizerVocabulary.read(tokenizerFile));
             EncoderSession djl = EncoderSession.open(model, binding, threads, "model");
             BareSession bare = new BareSession(model, threads)) {
            List<TokenizedBatch> tokenized = texts.stream().map(tokenizer::tokenize).toList();
            EmbeddingPipeline pipeline = new EmbeddingPipeline(tokenizer, djl);
            List<Call> calls = List.of(i -> bare.run(tokenized.get(i)), i -> djl.embed(tokenized.get(i)),
                    i -> pipeline.embed(texts.get(i)));
            for (int i = 0; i < batches; i++) { // warm-up: buffers, JIT
                for (Call call : calls) {
                    call.run(i);
                }
            }
            // Blocks: a variant runs every batch in a row, the order of variants rotating between
            // repetitions. Not finer: the bare session and DJL's have separate ONNX Runtime thread pools,
            // whose workers spin for a while after each run; alternating sessions call by call would
            // make each run compete with the other pool's spinning (a bias of 10-20% seen here).
            // The untimed first call of each block absorbs the previous pool's spin-down.
            double[][] wallMs = new double[calls.size()][reps];
            double[][] cpuMs = new double[calls.size()][reps];
            for (int rep = 0; rep < reps; rep++) {
                for (int k = 0; k < calls.size(); k++) {
                    int v = (rep + k) % calls.size();
                    calls.get(v).run(0);
                    long cpu = ProcessCpuClock.nanos();
                    long start = System.nanoTime();
                    for (int i = 0; i < batches; i++) {
                        calls.get(v).run(i);
                    }
                    wallMs[v][rep] = (System.nanoTime() - start) / 1e6 / batches;
                    cpuMs[v][rep] = (ProcessCpuClock.nanos() - cpu) / 1e6 / batches;
                }
            }
            double meanLength = tokenized.stream().mapToInt(TokenizedBatch::length).average().orElse(0);
            double[] parts = components(tokenizer, texts, tokenized, binding.hiddenSize(), reps);
            return new Result(List.of(BARE, DJL, HARNESS), wallMs, cpuMs, threads, reps, batches, meanLength, parts[0],
                    parts[1]);
        }
    }

    /**
     * What the harness adds, timed alone (no model run in between, so no contention with ONNX
     * Runtime's threads): tokenizing a batch of 32 sentences, and mean-pooling a
     * [32, length, hidden] output. Median over repetitions of the mean per batch.
     */
    private static double[] components(SentenceTokenizer tokenizer, List<List<String>> texts,
            List<TokenizedBatch> tokenized, int hidden, int reps) throws EvaluationFailure {
        double[] tokenizing = new double[reps];
        double[] pooling = new double[reps];
        List<float[]> outputs = tokenized.stream()
                .map(batch -> new float[batch.size() * batch.length() * hidden]).toList();
        for (int rep = 0; rep < reps; rep++) {
            long start = System.nanoTime();
            for (List<String> batch : texts) {
                tokenizer.tokenize(batch);
            }
            tokenizing[rep] = (System.nanoTime() - start) / 1e6 / texts.size();
            start = System.nanoTime();
            for (int i = 0; i < tokenized.size(); i++) {
                TokenizedBatch batch = tokenized.get(i);
                Pooling.mean(outputs.get(i), batch.mask(), batch.size(), batch.length(), hidden);
            }
            pooling[rep] = (System.nanoTime() - start) / 1e6 / tokenized.size();
        }
        return new double[] {Percentiles.median(tokenizing), Percentiles.median(pooling)};
    }

    private interface Call {
        void run(int batch) throws EvaluationFailure, OrtException;
    }

    /** ONNX Runtime's Java API with nothing in between: the reference loop. */
    private static final class BareSession implements AutoCloseable {
        private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
        private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        private final OrtSession session;
        private final Set<String> inputs;

        BareSession(Path model, int threads) throws OrtException {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(EncoderSession.INTER_OP_THREADS);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            session = environment.createSession(model.toString(), options);
            inputs = session.getInputNames();
        }

        /** Feeds the inputs the model has (of input_ids, attention_mask, token_type_ids), runs, copies the first output out. */
        float[] run(TokenizedBatch batch) throws OrtException {
            long[] shape = {batch.size(), batch.length()};
            Map<String, OnnxTensor> feed = new HashMap<>();
            try {
                feed.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(batch.ids()), shape));
                if (inputs.contains("attention_mask")) {
                    feed.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(batch.mask()), shape));
                }
                if (inputs.contains("token_type_ids")) {
                    feed.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(batch.types()), shape));
                }
                try (OrtSession.Result result = session.run(feed)) {
                    FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                    float[] values = new float[hidden.remaining()];
                    hidden.get(values);
                    return values;
                }
            } finally {
                feed.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() throws OrtException {
            session.close();
            options.close();
        }
    }
}
