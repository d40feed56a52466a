package dev.verdant.evaluation;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession.SessionOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * One ONNX model loaded through DJL's ONNX Runtime engine, on the CPU, with fixed session options:
 * {@code threads} intra-op threads, 1 inter-op thread, sequential execution, every graph
 * optimization. Checks each batch's token ids against the model's embedding table before running,
 * so a mismatched tokenizer gets a clear message instead of an ONNX Runtime error (or, in a graph
 * that does not check, a silent wrong answer).
 */
final class EncoderSession implements AutoCloseable {

    static final String ENGINE = "OnnxRuntime";
    static final String GRAPH_OPTIMIZATION = "ALL_OPT";
    static final int INTER_OP_THREADS = 1;

    private final Model model;
    private final SessionOptions options;
    private final Predictor<TokenizedBatch, float[][]> predictor;
    private final ModelBinding binding;
    private final String role;

    private EncoderSession(Model model, SessionOptions options, ModelBinding binding, String role) {
        this.model = model;
        this.options = options;
        this.binding = binding;
        this.role = role;
        this.predictor = model.newPredictor(new PoolingTranslator(binding));
    }

    /** @param role "model" or "baseline model", for messages */
    static EncoderSession open(Path file, ModelBinding binding, int threads, String role) throws EvaluationFailure {
        OnnxRuntimeStartup.engine();
        Model model;
        SessionOptions options;
        try {
            model = Model.newInstance(file.getFileName().toString(), Device.cpu(), ENGINE);
            options = new SessionOptions();
            // Every ONNX Runtime error reaches the caller as an outcome with a message; its own log
            // lines on stderr would only repeat them (and add load-time chatter) around the CLI's one line.
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
        } catch (RuntimeException | UnsatisfiedLinkError | ai.onnxruntime.OrtException e) {
            throw new EvaluationFailure(FailureReason.RUNTIME_UNAVAILABLE, "ONNX Runtime could not be started through"
                    + " DJL on this machine (" + SentenceTokenizer.rootMessage(e) + ").");
        }
        try {
            // DJL's OrtModel applies intraOpNumThreads only when interOpNumThreads is given too.
            model.load(file, null, Map.of(
                    "sessionOptions", options,
                    "intraOpNumThreads", Integer.toString(threads),
                    "interOpNumThreads", Integer.toString(INTER_OP_THREADS),
                    "executionMode", "SEQUENTIAL",
                    "optLevel", GRAPH_OPTIMIZATION));
            return new EncoderSession(model, options, binding, role);
        } catch (MalformedModelException e) {
            model.close();
            options.close();
            throw new EvaluationFailure(FailureReason.MODEL_MALFORMED, "ONNX Runtime cannot load the " + role + " '"
                    + file.getFileName() + "': " + SentenceTokenizer.rootMessage(e));
        } catch (IOException e) {
            model.close();
            options.close();
            throw new EvaluationFailure(FailureReason.MODEL_UNREADABLE, "Could not read the " + role + " '" + file
                    + "': " + e.getMessage());
        } catch (RuntimeException e) {
            model.close();
            options.close();
            throw new EvaluationFailure(FailureReason.MODEL_MALFORMED, "ONNX Runtime cannot load the " + role + " '"
                    + file.getFileName() + "': " + SentenceTokenizer.rootMessage(e));
        }
    }

    /** Mean-pooled embeddings of one batch, one row per sentence. */
    float[][] embed(TokenizedBatch batch) throws EvaluationFailure {
        checkVocabulary(batch);
        try {
            return predictor.predict(batch);
        } catch (TranslateException | RuntimeException e) {
            String cause = SentenceTokenizer.rootMessage(e);
            if (cause.contains("out of data bounds") || cause.contains("indices element out of")) {
                throw new EvaluationFailure(FailureReason.TOKENIZER_MISMATCH, "ONNX Runtime rejected a token id while"
                        + " running the " + role + " (" + cause + "): the tokenizer does not belong to this model.");
            }
            throw new EvaluationFailure(FailureReason.INFERENCE_FAILED, "ONNX Runtime failed while running the " + role
                    + " on a batch of " + batch.size() + " sentence(s) of " + batch.length() + " tokens: " + cause);
        }
    }

    ModelBinding binding() {
        return binding;
    }

    private void checkVocabulary(TokenizedBatch batch) throws EvaluationFailure {
        long maxId = batch.maxId();
        if (maxId >= binding.vocabularyRows()) {
            throw new EvaluationFailure(FailureReason.TOKENIZER_MISMATCH, "The tokenizer produced token id " + maxId
                    + ", but the " + role + "'s embedding table has only " + binding.vocabularyRows() + " rows (ids 0.."
                    + (binding.vocabularyRows() - 1) + "): the tokenizer does not belong to this model.");
        }
        boolean feedsTypes = binding.input(ModelBinding.Feed.TOKEN_TYPES).isPresent();
        if (feedsTypes && binding.tokenTypes() > 0 && batch.maxType() >= binding.tokenTypes()) {
            throw new EvaluationFailure(FailureReason.TOKENIZER_MISMATCH, "The tokenizer produced token type "
                    + batch.maxType() + ", but the " + role + " has only " + binding.tokenTypes() + " token types.");
        }
    }

    /**
     * The DJL engine, e.g. "DJL OnnxRuntime engine (built against ONNX Runtime 1.21.1)": DJL reports
     * the version it was compiled with, not the one running (see the onnxRuntimeVersion setting).
     */
    static String engineDescription() throws EvaluationFailure {
        Engine engine = OnnxRuntimeStartup.engine();
        return "DJL " + engine.getEngineName() + " engine (built against ONNX Runtime " + engine.getVersion() + ")";
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        options.close(); // after the model: DJL does not close options it did not create

    }
}
