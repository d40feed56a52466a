package dev.verdant.distillation;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtException;
import dev.verdant.evaluation.StsDataset;
import dev.verdant.evaluation.StsPair;
import dev.verdant.evaluation.StsReader;
import dev.verdant.evaluation.StsSplit;
import dev.verdant.onnx.EncoderArchitecture;
import dev.verdant.onnx.Inspection;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.OnnxModelInspector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Distils an ONNX BERT encoder into a smaller one: the steps, in order,
 * <ol>
 *   <li>read the teacher (structure, weights) and the corpus (a file, else STS-B train sentences);</li>
 *   <li>tokenize every sentence once; compute the teacher's mean-pooled embeddings once with ONNX
 *       Runtime (cached in memory for the whole run);</li>
 *   <li>build the student (kept layers, optional narrower FFN) from the teacher's weights;</li>
 *   <li>train it on DJL's PyTorch engine (see {@link StudentTrainer}), resuming from the
 *       checkpoint store when a checkpoint of the same job exists;</li>
 *   <li>export it as ONNX ({@link StudentExporter}) and check that ONNX Runtime's embeddings of it
 *       match the trained student's (cosine >= {@value #EXPORT_MIN_COSINE}) before writing it.</li>
 * </ol>
 * Errors come back as {@link DistillationOutcome.Failed}, never as exceptions.
 */
public final class Distiller {

    /** The exported student must give the trained one's embeddings at least this closely. */
    public static final double EXPORT_MIN_COSINE = 0.9999;
    static final String TRAINING_ENGINE = "PyTorch";
    /** Sentences embedded by both for the export check. */
    static final int VERIFICATION_SENTENCES = 64;
    static final int TEACHER_BATCH = 64;
    /** The teacher's embeddings are kept in the checkpoint store under the run key plus this. */
    static final String TEACHER_SUFFIX = ".teacher";

    /** Writes the student into a new temporary folder (the returned path). */
    public DistillationOutcome distill(Path teacher, Path tokenizer, DistillationRequest request,
                                       ProgressListener listener, CheckpointStore checkpoints) {
        try {
            Path folder = Files.createTempDirectory("verdant-distilled-");
            return distill(teacher, tokenizer, folder.resolve("model.onnx"), request, listener, checkpoints);
        } catch (IOException e) {
            return new DistillationOutcome.Failed(FailureReason.STORAGE_FAILED, "Could not create a temporary folder for"
                    + " the student: " + e.getMessage());
        }
    }

    public DistillationOutcome distill(Path teacher, Path tokenizer, Path out, DistillationRequest request,
                                       ProgressListener listener, CheckpointStore checkpoints) {
        long began = System.nanoTime();
        ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
        CheckpointStore store = checkpoints == null ? CheckpointStore.NONE : checkpoints;
        try {
            return run(teacher, tokenizer, out, request, progress, store, began);
        } catch (Failure failure) {
            return new DistillationOutcome.Failed(failure.reason, failure.getMessage());
        } catch (UnsupportedModelException e) {
            return new DistillationOutcome.Failed(FailureReason.UNSUPPORTED_ARCHITECTURE, "The teacher '"
                    + teacher.getFileName() + "' cannot be distilled: " + e.getMessage() + ".");
        } catch (StudentTrainer.TrainingDivergedException e) {
            return new DistillationOutcome.Failed(FailureReason.TRAINING_DIVERGED, "Training diverged: " + e.getMessage() + ".");
        } catch (OrtException e) {
            return new DistillationOutcome.Failed(FailureReason.RUNTIME_FAILED, "ONNX Runtime failed: " + e.getMessage());
        } catch (EngineException | UnsatisfiedLinkError e) {
            return new DistillationOutcome.Failed(FailureReason.RUNTIME_FAILED, "DJL's PyTorch engine could not be"
                    + " started (" + e.getMessage() + "). It unpacks PyTorch into DJL_CACHE_DIR ("
                    + System.getProperty("DJL_CACHE_DIR", System.getenv("DJL_CACHE_DIR")) + "): check that it is writable.");
        } catch (IOException e) {
            return new DistillationOutcome.Failed(FailureReason.STORAGE_FAILED, "Input/output failed: " + e.getMessage());
        }
    }

    private DistillationOutcome run(Path teacherFile, Path tokenizer, Path out, DistillationRequest request,
                                    ProgressListener progress, CheckpointStore store, long began)
            throws IOException, OrtException {
        DjlSettings.configure();
        progress.phase("reading the teacher");
        requireFile(teacherFile, "teacher model", FailureReason.MODEL_UNREADABLE);
        requireFile(tokenizer, "tokenizer", FailureReason.TOKENIZER_UNUSABLE);
        Inspection inspection = new OnnxModelInspector().inspect(teacherFile);
        if (inspection instanceof Inspection.Rejected rejected) {
            // A file that is not a (whole) ONNX model is unreadable; a readable graph Verdant cannot use is not.
            FailureReason reason = switch (rejected.reason()) {
                case EMPTY_FILE, NOT_ONNX, TRUNCATED, NESTING_TOO_DEEP, TOO_LARGE, STORAGE_ERROR ->
                        FailureReason.MODEL_UNREADABLE;
                default -> FailureReason.UNSUPPORTED_ARCHITECTURE;
            };
            throw new Failure(reason, "The teacher '" + teacherFile.getFileName() + "' was not accepted: "
                    + rejected.message());
        }
        var facts = ((Inspection.Accepted) inspection).facts();
        EncoderArchitecture architecture = facts.architecture();
        if (architecture == null || architecture.attentionHeads() <= 0) {
            throw new Failure(FailureReason.UNSUPPORTED_ARCHITECTURE, "The teacher '" + teacherFile.getFileName()
                    + "' is not an encoder whose attention heads can be read; only BERT-style encoders can be distilled.");
        }
        if (architecture.activation() != dev.verdant.onnx.Activation.GELU) {
            throw new Failure(FailureReason.UNSUPPORTED_ARCHITECTURE, "The teacher's FFN activation is "
                    + architecture.activation() + "; the student is built with exact GELU (BERT), so only GELU"
                    + " teachers can be distilled.");
        }
        ModelProto model = OnnxGraphs.read(teacherFile);
        BertLayout layout = BertLayout.of(model);
        int teacherLayers = layout.layers.size();
        int studentLayers = request.layers() == 0 ? (teacherLayers + 1) / 2 : request.layers();
        if (studentLayers > teacherLayers) {
            throw new Failure(FailureReason.UNSUPPORTED_ARCHITECTURE, "layers " + studentLayers + " is more than the"
                    + " teacher's " + teacherLayers + ": a student keeps some of the teacher's layers. Ask for 1 to "
                    + teacherLayers + ".");
        }
        int teacherFfn = layout.layers.get(0).up().out();
        if (request.ffnSize() > teacherFfn) {
            throw new Failure(FailureReason.UNSUPPORTED_ARCHITECTURE, "ffnSize " + request.ffnSize()
                    + " is wider than the teacher's FFN (" + teacherFfn + "): ask for at most " + teacherFfn + ".");
        }

        List<String> sentences = sentences(request);
        if (sentences.size() < request.batchSize()) {
            throw new Failure(FailureReason.CORPUS_UNUSABLE, "The corpus has " + sentences.size() + " distinct sentences,"
                    + " fewer than one batch of " + request.batchSize() + ": give more sentences or a smaller batchSize.");
        }
        // A teacher with fewer positions than the requested length gets its own maximum.
        int maxLength = (int) Math.min(request.maxSequenceLength(), layout.dims(layout.positionTable)[0]);
        List<Batch.TokenizedSentence> tokens;
        try {
            tokens = SentenceTokens.tokenize(tokenizer, sentences, maxLength);
        } catch (IOException | RuntimeException e) {
            throw new Failure(FailureReason.TOKENIZER_UNUSABLE, "The tokenizer '" + tokenizer.getFileName()
                    + "' could not be used (" + rootMessage(e) + "). Pass the tokenizer.json saved with the model.");
        }
        long vocabulary = layout.dims(layout.wordTable)[0];
        for (Batch.TokenizedSentence sentence : tokens) {
            for (long id : sentence.ids()) {
                if (id < 0 || id >= vocabulary) {
                    throw new Failure(FailureReason.TOKENIZER_UNUSABLE, "The tokenizer produced token id " + id
                            + ", but the teacher's embedding table has " + vocabulary + " rows: the tokenizer does not"
                            + " belong to this model.");
                }
            }
        }

        String runKey = runKey(facts.sha256(), tokenizer, sentences, request, studentLayers);
        progress.phase("teacher embeddings (" + sentences.size() + " sentences, ONNX Runtime)");
        float[][] teacherEmbeddings = cachedTeacherEmbeddings(runKey, store, model, layout, tokens, request.threads());

        List<Integer> kept = StudentWeights.keptLayers(teacherLayers, studentLayers);
        StudentWeights initial = StudentWeights.fromTeacher(layout, kept, architecture.attentionHeads(), request.ffnSize());
        Engine engine = Engine.getEngine(TRAINING_ENGINE);
        engine.setRandomSeed((int) request.seed());
        // Intra-op threads of this run (the engine read ai.djl.pytorch.num_threads once, at start).
        ai.djl.pytorch.jni.JniUtils.setNumThreads(request.threads());
        StudentTrainer.Result result;
        StudentWeights trained;
        long trainedParameters;
        try (NDManager root = engine.newBaseManager(Device.cpu());
             StudentNetwork network = new StudentNetwork(root, initial, request.trainTokenEmbedding())) {
            trainedParameters = network.trainableCount();
            progress.phase("training (" + studentLayers + " of " + teacherLayers + " layers, teacher layers " + kept + ")");
            StudentTrainer trainer = new StudentTrainer(network, tokens, teacherEmbeddings, request, padId(tokenizer));
            result = trainer.train(runKey, store, progress);
            trained = initial.withValues(network.values());

            progress.phase("export and verification");
            ModelProto student = StudentExporter.export(layout, trained);
            byte[] bytes = OnnxGraphs.toBytes(student);
            double minCosine = verify(bytes, layout, network, tokens, request.threads());
            if (minCosine < EXPORT_MIN_COSINE) {
                throw new Failure(FailureReason.EXPORT_MISMATCH, "The exported ONNX student disagrees with the trained"
                        + " one: lowest cosine " + minCosine + " on " + VERIFICATION_SENTENCES + " sentences, below "
                        + EXPORT_MIN_COSINE + ". The file was not written.");
            }
            OnnxGraphs.write(student, out);
            store.clear(runKey);
            store.clear(runKey + TEACHER_SUFFIX);
            return new DistillationOutcome.Distilled(out, new DistillationReport(teacherLayers, kept, initial.ffn,
                    request.steps(), result.resumedFrom(), request.batchSize(), sentences.size(), result.firstLoss(),
                    result.finalLoss(), result.seconds(), (System.nanoTime() - began) / 1e9,
                    StudentExporter.parameters(student), StudentExporter.parameters(model), trainedParameters,
                    minCosine, Files.size(out)));
        }
    }

    /** Lowest cosine between ONNX Runtime's and DJL's embeddings of the first sentences. */
    static double verify(byte[] student, BertLayout layout, StudentNetwork network, List<Batch.TokenizedSentence> tokens,
                         int threads) throws OrtException {
        List<Batch.TokenizedSentence> sample = tokens.subList(0, Math.min(VERIFICATION_SENTENCES, tokens.size()));
        Batch batch = Batch.of(sample, 0);
        float[][] expected = network.embedValues(batch);
        try (OnnxEncoder encoder = OnnxEncoder.open(student, layout, threads)) {
            float[][] actual = encoder.embed(batch);
            double min = 1;
            for (int i = 0; i < expected.length; i++) {
                min = Math.min(min, cosine(expected[i], actual[i]));
            }
            return min;
        }
    }

    /**
     * The teacher's embeddings, from the checkpoint store when an earlier attempt of this job
     * computed them (a resumed job skips the ONNX Runtime pass), else computed and stored there.
     */
    static float[][] cachedTeacherEmbeddings(String runKey, CheckpointStore store, ModelProto model, BertLayout layout,
                                             List<Batch.TokenizedSentence> tokens, int threads)
            throws OrtException, IOException {
        String key = runKey + TEACHER_SUFFIX;
        var saved = store.latest(key);
        if (saved.isPresent()) {
            try {
                Checkpoint cached = Checkpoint.decode(saved.get());
                float[] flat = cached.arrays().get("teacher");
                int hidden = layout.hidden;
                if (cached.runKey().equals(key) && flat != null && flat.length == tokens.size() * hidden) {
                    float[][] rows = new float[tokens.size()][hidden];
                    for (int i = 0; i < rows.length; i++) {
                        System.arraycopy(flat, i * hidden, rows[i], 0, hidden);
                    }
                    return rows;
                }
            } catch (IllegalArgumentException unreadable) {
                // computed again below
            }
        }
        float[][] rows = teacherEmbeddings(model, layout, tokens, threads);
        float[] flat = new float[rows.length * layout.hidden];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * layout.hidden, layout.hidden);
        }
        store.save(key, new Checkpoint(key, 0, Map.of("teacher", flat)).encode());
        return rows;
    }

    static float[][] teacherEmbeddings(ModelProto model, BertLayout layout, List<Batch.TokenizedSentence> tokens,
                                       int threads) throws OrtException {
        float[][] out = new float[tokens.size()][];
        // Sorted by length so each batch pads little; results go back to corpus order.
        Integer[] order = new Integer[tokens.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(tokens.get(a).ids().length, tokens.get(b).ids().length));
        try (OnnxEncoder encoder = OnnxEncoder.open(OnnxGraphs.toBytes(model), layout, threads)) {
            for (int start = 0; start < order.length; start += TEACHER_BATCH) {
                int end = Math.min(order.length, start + TEACHER_BATCH);
                List<Batch.TokenizedSentence> chunk = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    chunk.add(tokens.get(order[i]));
                }
                float[][] embedded = encoder.embed(Batch.of(chunk, 0));
                for (int i = start; i < end; i++) {
                    out[order[i]] = embedded[i - start];
                }
            }
        }
        return out;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-30);
    }

    /** Corpus sentences (trimmed, distinct, in first-seen order): the file's lines, or STS-B train's. */
    static List<String> sentences(DistillationRequest request) {
        Set<String> distinct = new LinkedHashSet<>();
        if (request.corpus().isPresent()) {
            Path corpus = request.corpus().get();
            if (!Files.isRegularFile(corpus)) {
                throw new Failure(FailureReason.CORPUS_UNUSABLE, "The corpus '" + corpus + "' is not a readable file:"
                        + " give a UTF-8 text file with one sentence per line.");
            }
            try {
                for (String line : Files.readAllLines(corpus, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        distinct.add(line.strip());
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new Failure(FailureReason.CORPUS_UNUSABLE, "The corpus '" + corpus + "' could not be read as UTF-8"
                        + " text (" + e.getMessage() + ").");
            }
        } else {
            StsReader.Result loaded = StsReader.builtIn(StsSplit.TRAIN);
            if (!(loaded instanceof StsReader.Loaded ok)) {
                throw new Failure(FailureReason.CORPUS_UNUSABLE, "The packaged STS-B train split could not be read: "
                        + ((StsReader.Invalid) loaded).message());
            }
            StsDataset dataset = ok.dataset();
            for (StsPair pair : dataset.pairs()) {
                distinct.add(pair.first().strip());
                distinct.add(pair.second().strip());
            }
        }
        List<String> all = new ArrayList<>(distinct);
        if (request.maxSentences() > 0 && all.size() > request.maxSentences()) {
            return List.copyOf(all.subList(0, request.maxSentences()));
        }
        return all;
    }

    /** The tokenizer's padding id (padding.pad_id), or 0; padded positions are masked either way. */
    static long padId(Path tokenizer) {
        try {
            String json = Files.readString(tokenizer, StandardCharsets.UTF_8);
            var matcher = java.util.regex.Pattern.compile("\"pad_id\"\\s*:\\s*(\\d+)").matcher(json);
            return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Identifies the job: teacher, tokenizer, corpus and every setting that changes the result. */
    static String runKey(String teacherSha256, Path tokenizer, List<String> sentences, DistillationRequest request,
                         int studentLayers) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(teacherSha256.getBytes(StandardCharsets.UTF_8));
            digest.update(Files.readAllBytes(tokenizer));
            for (String sentence : sentences) {
                digest.update(sentence.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            }
            Map<String, Object> params = request.recipeParams();
            String settings = params + "|" + studentLayers + "|" + request.maxSequenceLength() + "|"
                    + request.effectiveWarmupSteps() + "|" + request.trainTokenEmbedding() + "|" + request.threads();
            digest.update(settings.getBytes(StandardCharsets.UTF_8));
            return "distill-" + HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireFile(Path file, String what, FailureReason reason) {
        if (file == null || !Files.isRegularFile(file)) {
            throw new Failure(reason, "The " + what + " '" + file + "' does not exist or is not a file.");
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** A failure with its reason, unwound to {@link #distill}. */
    static final class Failure extends RuntimeException {
        final FailureReason reason;

        Failure(FailureReason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }
}
