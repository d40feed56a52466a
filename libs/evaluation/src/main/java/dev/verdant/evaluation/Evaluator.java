package dev.verdant.evaluation;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Measures one ONNX encoder, the same way every time:
 * <ol>
 *   <li>reads the STS pairs (the first {@code maxPairs});</li>
 *   <li>inspects the model (and baseline) and binds inputs and output from the graph; checks the
 *       tokenizer's ids against the embedding table before anything runs;</li>
 *   <li>loads the model, embeds every sentence (batches of 32 in file order) and scores
 *       Spearman x100 of the pairs' cosine similarities against the gold scores;</li>
 *   <li>times batch 1 and batch 32 after warm-up on fixed slices of the first sentences, taking
 *       throughput, CPU and wall time per 1,000 inferences from the batch-32 runs, and the peak
 *       memory of the model's session; closes it;</li>
 *   <li>embeds every sentence with the baseline, if any, the same way, and compares;</li>
 *   <li>records every setting that changes the numbers.</li>
 * </ol>
 * Quality and fidelity figures are deterministic: the same model, tokenizer, data and settings
 * give the same bits (fixed batches, fixed thread count, sequential execution). Timings are
 * measurements and vary.
 *
 * <p>Never throws for a bad model, tokenizer, data file or setting: the outcome says what is wrong.
 * Not thread-safe to run two evaluations at once in one process if timings matter (they would
 * share the cores); the class itself holds no state.
 */
public final class Evaluator {

    /** Sentences per call when embedding the data set. */
    public static final int QUALITY_BATCH_SIZE = 32;
    /** The large batch size timed (the event schema names it batch32). */
    public static final int LARGE_BATCH = 32;

    private static final int MAX_THREADS = 1024;
    private static final int MAX_SEQUENCE_LENGTH = 8192;

    public EvaluationOutcome evaluate(EvaluationRequest request) {
        try {
            return new EvaluationOutcome.Evaluated(run(request));
        } catch (EvaluationFailure failure) {
            return failure.toOutcome();
        } catch (LinkageError e) {
            return new EvaluationOutcome.Failed(FailureReason.RUNTIME_UNAVAILABLE, "A native library could not be"
                    + " loaded on this machine (" + SentenceTokenizer.rootMessage(e) + ").");
        } catch (RuntimeException defect) {
            return new EvaluationOutcome.Failed(FailureReason.INTERNAL_ERROR, "Verdant failed while evaluating '"
                    + request.model().getFileName() + "' (" + defect.getClass().getSimpleName() + ": "
                    + SentenceTokenizer.rootMessage(defect) + "). This is a Verdant defect, not necessarily a problem"
                    + " with the model; please report it together with the model.");
        }
    }

    private EvaluationReport run(EvaluationRequest request) throws EvaluationFailure {
        validate(request);
        OnnxRuntimeStartup.engine();
        StsDataset data = load(request);
        ModelBinding binding = ModelBinding.inspect(request.model(), "model");
        checkSequenceLength(binding, request, "model");
        TokenizerVocabulary vocabulary = TokenizerVocabulary.read(request.tokenizer());
        checkVocabulary(vocabulary, binding, request, request.model(), "model");
        Optional<ModelBinding> baseline = inspectBaseline(request, binding, vocabulary);

        List<String> sentences = new ArrayList<>(data.firstSentences());
        sentences.addAll(data.secondSentences());
        try (SentenceTokenizer tokenizer = SentenceTokenizer.open(request.tokenizer(), request.maxSequenceLength(),
                vocabulary)) {
            Measured measured = measure(request, binding, tokenizer, data, sentences);
            EvaluationReport.Fidelity fidelity = null;
            if (baseline.isPresent()) {
                fidelity = compare(request, baseline.get(), tokenizer, sentences, measured.vectors());
            }
            return new EvaluationReport(request.model().toString(), binding.facts().sha256(),
                    binding.facts().fileSizeBytes(), binding.facts().parameterCount(), measured.quality(), fidelity,
                    new EvaluationReport.Latency(measured.single().timing(), measured.large().timing()),
                    new EvaluationReport.Throughput(measured.large().sentences() / (measured.large().wallNanos() / 1e9)),
                    usage(measured.large()), measured.peak(), settings(request, data, binding));
        }
    }

    /** What one model's session yields before it is closed. */
    private record Measured(float[][] vectors, EvaluationReport.Quality quality, LatencyProbe.TimedRuns single,
            LatencyProbe.TimedRuns large, EvaluationReport.PeakMemory peak) {
    }

    /** The model first, alone in the process, so that its memory window sees only its own session. */
    private static Measured measure(EvaluationRequest request, ModelBinding binding, SentenceTokenizer tokenizer,
            StsDataset data, List<String> sentences) throws EvaluationFailure {
        ResidentMemory memory = ResidentMemory.startWindow();
        try (EncoderSession session = EncoderSession.open(request.model(), binding, request.threads(), "model")) {
            EmbeddingPipeline pipeline = new EmbeddingPipeline(tokenizer, session);
            float[][] vectors = pipeline.embedAll(sentences, QUALITY_BATCH_SIZE);
            requireFinite(vectors, "model");
            EvaluationReport.Quality quality = quality(data, vectors);
            LatencySettings latency = request.latency();
            List<String> timed = data.firstSentences();
            LatencyProbe.TimedRuns single = LatencyProbe.measure(pipeline, timed, 1, latency.warmupRuns(),
                    latency.batch1Runs());
            LatencyProbe.TimedRuns large = LatencyProbe.measure(pipeline, timed, LARGE_BATCH, latency.warmupRuns(),
                    latency.batch32Runs());
            return new Measured(vectors, quality, single, large, memory.finish());
        }
    }

    /** The baseline embeds the same sentences in the same batches; then the vectors are compared. */
    private static EvaluationReport.Fidelity compare(EvaluationRequest request, ModelBinding baseline,
            SentenceTokenizer tokenizer, List<String> sentences, float[][] vectors) throws EvaluationFailure {
        Path file = request.baseline().orElseThrow();
        float[][] baselineVectors;
        try (EncoderSession session = EncoderSession.open(file, baseline, request.threads(), "baseline model")) {
            baselineVectors = new EmbeddingPipeline(tokenizer, session).embedAll(sentences, QUALITY_BATCH_SIZE);
        }
        requireFinite(baselineVectors, "baseline model");
        return EmbeddingAgreement.between(vectors, baselineVectors, file.toString());
    }

    private static Optional<ModelBinding> inspectBaseline(EvaluationRequest request, ModelBinding model,
            TokenizerVocabulary vocabulary) throws EvaluationFailure {
        if (request.baseline().isEmpty()) {
            return Optional.empty();
        }
        Path baseline = request.baseline().get();
        ModelBinding bound = ModelBinding.inspect(baseline, "baseline model");
        checkSequenceLength(bound, request, "baseline model");
        checkVocabulary(vocabulary, bound, request, baseline, "baseline model");
        if (bound.hiddenSize() != model.hiddenSize()) {
            throw new EvaluationFailure(FailureReason.BASELINE_INCOMPATIBLE, "The model '"
                    + request.model().getFileName() + "' makes " + model.hiddenSize() + "-dimensional embeddings"
                    + " and the baseline '" + baseline.getFileName() + "' " + bound.hiddenSize() + "-dimensional"
                    + " ones: they cannot be compared vector by vector. Evaluate without --baseline.");
        }
        return Optional.of(bound);
    }

    private static void validate(EvaluationRequest request) throws EvaluationFailure {
        if (request.threads() < 1 || request.threads() > MAX_THREADS) {
            throw invalid("threads must be between 1 and " + MAX_THREADS + ", got " + request.threads());
        }
        if (request.maxSequenceLength() < 2 || request.maxSequenceLength() > MAX_SEQUENCE_LENGTH) {
            throw invalid("the max sequence length must be between 2 (room for [CLS] and [SEP]) and "
                    + MAX_SEQUENCE_LENGTH + " tokens, got " + request.maxSequenceLength());
        }
        if (request.maxPairs() < 0 || request.maxPairs() == 1) {
            throw invalid("max pairs must be 0 (all) or at least 2 (a rank correlation needs two pairs), got "
                    + request.maxPairs());
        }
    }

    private static StsDataset load(EvaluationRequest request) throws EvaluationFailure {
        StsReader.Result result = request.dataset().load();
        if (result instanceof StsReader.Invalid invalid) {
            throw new EvaluationFailure(invalid.reason(), invalid.message());
        }
        StsDataset data = ((StsReader.Loaded) result).dataset().firstPairs(request.maxPairs());
        if (data.pairs().size() < 2) {
            throw new EvaluationFailure(FailureReason.DATASET_EMPTY, "The STS data '" + data.name() + "' has only one"
                    + " pair; a rank correlation needs at least two.");
        }
        return data;
    }

    private static void checkSequenceLength(ModelBinding binding, EvaluationRequest request, String role)
            throws EvaluationFailure {
        if (binding.maxPositions() > 0 && request.maxSequenceLength() > binding.maxPositions()) {
            throw invalid("the max sequence length " + request.maxSequenceLength() + " is longer than the "
                    + binding.maxPositions() + " positions the " + role + " '" + shortName(request, role)
                    + "' has; use at most " + binding.maxPositions());
        }
    }

    private static void checkVocabulary(TokenizerVocabulary vocabulary, ModelBinding binding,
            EvaluationRequest request, Path model, String role) throws EvaluationFailure {
        if (vocabulary.maxId().isPresent() && vocabulary.maxId().getAsLong() >= binding.vocabularyRows()) {
            long maxId = vocabulary.maxId().getAsLong();
            throw new EvaluationFailure(FailureReason.TOKENIZER_MISMATCH, "The tokenizer '"
                    + request.tokenizer().getFileName() + "' has token ids up to " + maxId + ", but the " + role + " '"
                    + model.getFileName() + "' has an embedding table of only " + binding.vocabularyRows() + " rows"
                    + " (ids 0.." + (binding.vocabularyRows() - 1) + "): the tokenizer does not belong to this model."
                    + " Pass the tokenizer.json published with the model.");
        }
    }

    private static EvaluationReport.Quality quality(StsDataset data, float[][] vectors) throws EvaluationFailure {
        int n = data.pairs().size();
        double[] cosines = new double[n];
        for (int i = 0; i < n; i++) {
            cosines[i] = Vectors.cosine(vectors[i], vectors[n + i]);
        }
        double rho = Spearman.correlation(cosines, data.scores());
        if (Double.isNaN(rho)) {
            throw new EvaluationFailure(FailureReason.DEGENERATE_OUTPUT, "All " + n + " pairs got the same cosine"
                    + " similarity (" + cosines[0] + ") or all gold scores are equal: the Spearman correlation is"
                    + " undefined. The model's embeddings carry no information about the sentences.");
        }
        return new EvaluationReport.Quality("sts", rho * 100, n, data.name(), data.sha256());
    }

    private static EvaluationReport.Usage usage(LatencyProbe.TimedRuns runs) {
        double perThousand = 1000.0 / runs.sentences();
        double cpu = runs.cpuNanos() < 0 ? 0 : runs.cpuNanos() / 1e9 * perThousand;
        return new EvaluationReport.Usage(cpu, runs.wallNanos() / 1e9 * perThousand, runs.sentences());
    }

    private static void requireFinite(float[][] vectors, String role) throws EvaluationFailure {
        for (int i = 0; i < vectors.length; i++) {
            if (!Vectors.allFinite(vectors[i])) {
                throw new EvaluationFailure(FailureReason.DEGENERATE_OUTPUT, "The " + role + " produced NaN or"
                        + " infinite values in the embedding of sentence " + (i + 1) + ": its weights or arithmetic"
                        + " overflow (a common effect of fp16 or too coarse quantization).");
            }
        }
    }

    private static EvaluationReport.Settings settings(EvaluationRequest request, StsDataset data, ModelBinding binding)
            throws EvaluationFailure {
        MachineFacts machine = MachineFacts.current();
        LatencySettings latency = request.latency();
        return new EvaluationReport.Settings(request.threads(), EncoderSession.INTER_OP_THREADS,
                EncoderSession.GRAPH_OPTIMIZATION, QUALITY_BATCH_SIZE, List.of(1, LARGE_BATCH),
                request.maxSequenceLength(), "longest in batch", data.name(), data.sha256(), data.pairs().size(),
                latency.warmupRuns(), latency.batch1Runs(), latency.batch32Runs(), binding.inputNames(),
                binding.output(), OrtEnvironment.getEnvironment().getVersion(), Engine.getDjlVersion(),
                EncoderSession.engineDescription(), machine.cpuModel(), machine.cpuFlags(),
                machine.availableProcessors(), machine.jvm(), machine.os());
    }

    private static String shortName(EvaluationRequest request, String role) {
        Path file = role.startsWith("baseline") ? request.baseline().orElse(request.model()) : request.model();
        return String.valueOf(file.getFileName());
    }

    private static EvaluationFailure invalid(String problem) {
        return new EvaluationFailure(FailureReason.INVALID_REQUEST, "Cannot evaluate: " + problem + ".");
    }
}
