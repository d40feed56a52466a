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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does the evaluation harness distort what it measures? Times batch-32 calls of all-MiniLM-L6-v2
 * three ways, on the same sentences, with the same session settings (intra-op threads, 1 inter-op
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
 * <p>Not a test (timings on a shared machine vary): run it with
 * {@code ./mvnw -q -B -pl libs/evaluation test-compile exec:exec@harness-overhead}; arguments
 * through {@code -Dbenchmark.args="--threads 2 --reps 9 --batches 20"}.
 */
public final class HarnessOverheadBenchmark {

    private static final int BATCH = 32;

    private HarnessOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Integer> options = options(args);
        int threads = options.getOrDefault("threads", 2);
        int reps = options.getOrDefault("reps", 9);
        int batches = options.getOrDefault("batches", 20);
        Path dir = Path.of("target", "minilm-evaluation");
        Path model = MiniLmFiles.extract(MiniLmFiles.FP32, dir);
        Path tokenizerFile = MiniLmFiles.extract(MiniLmFiles.FP32_TOKENIZER, dir);

        List<String> sentences = ((StsReader.Loaded) StsReader.builtIn(StsSplit.TEST)).dataset().firstSentences();
        List<List<String>> texts = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            texts.add(LatencyProbe.slice(sentences, i, BATCH));
        }
        ModelBinding binding = ModelBinding.inspect(model, "model");
        try (SentenceTokenizer tokenizer = SentenceTokenizer.open(tokenizerFile,
                EvaluationRequest.DEFAULT_MAX_SEQUENCE_LENGTH, TokenizerVocabulary.read(tokenizerFile));
             EncoderSession djl = EncoderSession.open(model, binding, threads, "model");
             BareSession bare = new BareSession(model, threads)) {
            List<TokenizedBatch> tokenized = texts.stream().map(tokenizer::tokenize).toList();
            EmbeddingPipeline pipeline = new EmbeddingPipeline(tokenizer, djl);
            Variant[] variants = {
                    new Variant("bare ORT (pre-tokenized)", i -> bare.run(tokenized.get(i))),
                    new Variant("DJL + pooling (pre-tokenized)", i -> djl.embed(tokenized.get(i))),
                    new Variant("harness: tokenizer + DJL + pooling", i -> pipeline.embed(texts.get(i)))};
            for (int i = 0; i < batches; i++) { // warm-up: buffers, JIT
                for (Variant variant : variants) {
                    variant.call.run(i);
                }
            }
            // Blocks: a variant runs every batch in a row, the order of variants rotating between
            // repetitions. Not finer: the bare session and DJL's have separate ONNX Runtime thread pools,
            // whose workers spin for a while after each run; alternating sessions call by call would
            // make each run compete with the other pool's spinning (a bias of 10-20% seen here).
            // The untimed first call of each block absorbs the previous pool's spin-down.
            double[][] wallMs = new double[variants.length][reps];
            double[][] cpuMs = new double[variants.length][reps];
            for (int rep = 0; rep < reps; rep++) {
                for (int k = 0; k < variants.length; k++) {
                    int v = (rep + k) % variants.length;
                    variants[v].call.run(0);
                    long cpu = ProcessCpuClock.nanos();
                    long start = System.nanoTime();
                    for (int i = 0; i < batches; i++) {
                        variants[v].call.run(i);
                    }
                    wallMs[v][rep] = (System.nanoTime() - start) / 1e6 / batches;
                    cpuMs[v][rep] = (ProcessCpuClock.nanos() - cpu) / 1e6 / batches;
                }
            }
            print(variants, wallMs, cpuMs, threads, reps, batches, tokenized);
            printComponents(tokenizer, texts, tokenized, binding.hiddenSize(), reps);
        }
    }

    private static void print(Variant[] variants, double[][] wall, double[][] cpu, int threads, int reps,
            int batches, List<TokenizedBatch> tokenized) {
        double meanLength = tokenized.stream().mapToInt(TokenizedBatch::length).average().orElse(0);
        System.out.printf(Locale.ROOT, "all-MiniLM-L6-v2 fp32, batch %d, %d batches of STS-B test sentences (padded"
                + " length %.1f tokens on average), %d intra-op threads, %d repetitions, ONNX Runtime %s, %s%n",
                BATCH, batches, meanLength, threads, reps, ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion(),
                MachineFacts.current().cpuModel());
        System.out.println("Each figure: one repetition's mean ms per batch of 32; min / median / max over repetitions.");
        System.out.printf(Locale.ROOT, "| %-36s | %8s | %8s | %8s | %8s | %12s | %8s |%n", "variant", "wall min",
                "median", "max", "vs bare", "cpu median", "vs bare");
        System.out.println("|" + "-".repeat(38) + ("|" + "-".repeat(10)).repeat(4) + "|" + "-".repeat(14) + "|"
                + "-".repeat(10) + "|");
        double bareWall = Percentiles.median(wall[0]);
        double bareCpu = Percentiles.median(cpu[0]);
        for (int v = 0; v < variants.length; v++) {
            System.out.printf(Locale.ROOT, "| %-36s | %8.2f | %8.2f | %8.2f | %+7.1f%% | %12.2f | %+7.1f%% |%n",
                    variants[v].name, Arrays.stream(wall[v]).min().orElseThrow(), Percentiles.median(wall[v]),
                    Arrays.stream(wall[v]).max().orElseThrow(), (Percentiles.median(wall[v]) / bareWall - 1) * 100,
                    Percentiles.median(cpu[v]), (Percentiles.median(cpu[v]) / bareCpu - 1) * 100);
        }
        double[] paired = new double[reps];
        for (int rep = 0; rep < reps; rep++) {
            paired[rep] = wall[2][rep] / wall[0][rep] - 1;
        }
        double overhead = Percentiles.median(wall[2]) / bareWall - 1;
        System.out.printf(Locale.ROOT, "harness overhead (wall): %+.1f%% of medians; per repetition %+.1f%% median,"
                + " %+.1f%% min, %+.1f%% max: %s%n", overhead * 100, Percentiles.median(paired) * 100,
                Arrays.stream(paired).min().orElseThrow() * 100, Arrays.stream(paired).max().orElseThrow() * 100,
                overhead <= 0.05 ? "within the 5% budget" : "ABOVE the 5% budget");
    }

    /**
     * What the harness adds, timed alone (no model run in between, so no contention with ONNX
     * Runtime's threads): tokenizing a batch of 32 sentences, and mean-pooling a
     * [32, length, hidden] output. Median over repetitions of the mean per batch.
     */
    private static void printComponents(SentenceTokenizer tokenizer, List<List<String>> texts,
            List<TokenizedBatch> tokenized, int hidden, int reps) {
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
        System.out.printf(Locale.ROOT, "harness parts alone, ms per batch of 32 (median of %d): tokenizer %.3f,"
                + " mean pooling %.3f%n", reps, Percentiles.median(tokenizing), Percentiles.median(pooling));
    }

    private static Map<String, Integer> options(String[] args) {
        Map<String, Integer> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --threads N, --reps N or --batches N, got " + args[i]);
            }
            options.put(args[i].substring(2), Integer.parseInt(args[i + 1]));
        }
        return options;
    }

    private interface Call {
        void run(int batch) throws Exception;
    }

    private record Variant(String name, Call call) {
    }

    /** ONNX Runtime's Java API with nothing in between: the reference loop. */
    private static final class BareSession implements AutoCloseable {
        private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
        private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        private final OrtSession session;

        BareSession(Path model, int threads) throws OrtException {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(EncoderSession.INTER_OP_THREADS);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            session = environment.createSession(model.toString(), options);
        }

        /** Feeds the three inputs, runs, copies last_hidden_state out (as any caller must). */
        float[] run(TokenizedBatch batch) throws OrtException {
            long[] shape = {batch.size(), batch.length()};
            try (OnnxTensor ids = OnnxTensor.createTensor(environment, LongBuffer.wrap(batch.ids()), shape);
                 OnnxTensor mask = OnnxTensor.createTensor(environment, LongBuffer.wrap(batch.mask()), shape);
                 OnnxTensor types = OnnxTensor.createTensor(environment, LongBuffer.wrap(batch.types()), shape);
                 OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                         "token_type_ids", types))) {
                FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] values = new float[hidden.remaining()];
                hidden.get(values);
                return values;
            }
        }

        @Override
        public void close() throws OrtException {
            session.close();
            options.close();
        }
    }
}
