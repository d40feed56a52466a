package dev.verdant.pruning;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.verdant.evaluation.DjlOffline;
import dev.verdant.evaluation.OnnxRuntimeStartup;
import dev.verdant.evaluation.StsReader;
import dev.verdant.evaluation.StsSplit;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.OnnxModelInspector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures {@link ActivationStatistics} in ONNX Runtime: the model instrumented by
 * {@link ActivationProbe} is run on calibration sentences one at a time (no padding, so nothing is
 * averaged over pad tokens), each tokenized with the model's tokenizer.json (DJL's HuggingFace
 * tokenizer, special tokens added, truncated at {@value #MAX_TOKENS} tokens, or at the rows of the
 * model's position table when it has fewer). The one implementation
 * behind {@code verdant prune --calibration} and the pruning service. ONNX Runtime is started the way
 * libs/evaluation starts it ({@link OnnxRuntimeStartup}), so both share one process in either order.
 *
 * <p>Default texts: the first {@value #DEFAULT_SENTENCES} sentences of STS-B <b>train</b> (sentence 1
 * and 2 of each pair in turn), shipped in libs/evaluation; never the test split that is scored.
 */
public final class ActivationCalibrator {

    public static final int DEFAULT_SENTENCES = 1000;
    public static final int MAX_SENTENCES = 100_000;
    public static final int MAX_TOKENS = 128;
    /** The name of the default texts, for the CLI (--calibration stsb-train) and metadata. */
    public static final String STSB_TRAIN = "stsb-train";
    static final Set<String> TEXT_INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids");

    /**
     * Why calibration could not be done, for a person; {@link #reason()} is a machine code:
     * {@code INVALID_CALIBRATION} (no texts, unreadable file, bad tokenizer, a model that is not fed
     * text), {@code NOT_PRUNABLE} (no weight MatMul to calibrate) or {@code CALIBRATION_FAILED} (ONNX
     * Runtime could not run the model).
     */
    public static final class CalibrationException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        public CalibrationException(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private ActivationCalibrator() {
    }

    /** The first {@code count} sentences of STS-B train (sentence 1 and 2 of each pair in turn). */
    public static List<String> stsbTrainSentences(int count) throws CalibrationException {
        StsReader.Result result = StsReader.builtIn(StsSplit.TRAIN);
        if (!(result instanceof StsReader.Loaded loaded)) {
            throw new CalibrationException("CALIBRATION_FAILED", "the STS-B train sentences shipped in libs/evaluation"
                    + " could not be read: " + ((StsReader.Invalid) result).message());
        }
        return loaded.dataset().sentences(count);
    }

    /**
     * The statistics a pipeline prune step calibrates on by default: the model run on the first
     * {@code sentences} STS-B train sentences.
     */
    public static ActivationStatistics measureOnStsbTrain(ModelProto model, Path tokenizerJson, int sentences)
            throws CalibrationException {
        return measure(model, tokenizerJson, stsbTrainSentences(sentences), "STS-B train, first " + sentences + " sentences");
    }

    /**
     * Texts from a file: one per line; a line with tabs gives one text per field that is not a
     * number, so an STS TSV (score, sentence1, sentence2) works as is. Blank lines, lines starting
     * with # and an STS header line (a field "sentence1") are skipped. At most {@code max} texts.
     *
     * @throws CalibrationException INVALID_CALIBRATION naming the file when it is missing, not UTF-8
     *                              text, or holds no text
     */
    public static List<String> readTexts(Path file, int max) throws CalibrationException {
        if (!Files.isRegularFile(file)) {
            throw new CalibrationException("INVALID_CALIBRATION", "calibration file " + file + " is not a file: give a"
                    + " text file with one sentence per line (or an STS TSV), or " + STSB_TRAIN);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException binary) {
            throw new CalibrationException("INVALID_CALIBRATION", "calibration file " + file + " is not UTF-8 text (a"
                    + " model or an archive?): give one sentence per line");
        } catch (IOException e) {
            throw new CalibrationException("INVALID_CALIBRATION", "cannot read calibration file " + file + ": " + e.getMessage());
        }
        List<String> texts = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#") || List.of(line.split("\t")).contains("sentence1")) {
                continue;
            }
            for (String field : line.split("\t")) {
                String text = field.strip();
                if (!text.isEmpty() && !isNumber(text) && texts.size() < max) {
                    texts.add(text);
                }
            }
        }
        if (texts.isEmpty()) {
            throw new CalibrationException("INVALID_CALIBRATION", "calibration file " + file + " holds no sentence: give"
                    + " one sentence per line (tab-separated fields are read one by one, numbers skipped)");
        }
        return texts;
    }

    /**
     * Runs {@code model} on {@code texts} and returns what its weight MatMuls' inputs held.
     *
     * @param source where the texts came from, kept in the statistics (e.g. "STS-B train, 1000 sentences")
     */
    public static ActivationStatistics measure(ModelProto model, Path tokenizerJson, List<String> texts, String source)
            throws CalibrationException {
        if (texts.isEmpty()) {
            throw new CalibrationException("INVALID_CALIBRATION", "no calibration texts were given: give sentences"
                    + " (one per line) or use the STS-B train sentences (" + STSB_TRAIN + ")");
        }
        for (var input : model.getGraph().getInputList()) {
            boolean initializer = model.getGraph().getInitializerList().stream().anyMatch(t -> t.getName().equals(input.getName()));
            if (!initializer && !TEXT_INPUTS.contains(input.getName())) {
                throw new CalibrationException("INVALID_CALIBRATION", "calibration feeds text encoders input_ids,"
                        + " attention_mask and token_type_ids; this model also needs input '" + input.getName()
                        + "': prune it without calibration");
            }
        }
        ActivationProbe.Instrumented probe;
        try {
            probe = ActivationProbe.instrument(model);
        } catch (IllegalArgumentException nothing) {
            throw new CalibrationException("NOT_PRUNABLE", nothing.getMessage());
        }
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new CalibrationException("INVALID_CALIBRATION", "calibration needs the model's tokenizer: "
                    + tokenizerJson + " is not a file");
        }
        ActivationProbe.Accumulator accumulator = new ActivationProbe.Accumulator(probe);
        byte[] instrumented = OnnxGraphs.toBytes(probe.model());
        int maxTokens = maxTokens(instrumented);
        OrtEnvironment environment;
        try {
            environment = OnnxRuntimeStartup.ortEnvironment();
        } catch (IllegalStateException e) {
            throw new CalibrationException("CALIBRATION_FAILED", e.getMessage());
        }
        try (HuggingFaceTokenizer tokenizer = tokenizer(tokenizerJson, maxTokens);
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
            try (OrtSession session = environment.createSession(instrumented, options)) {
                Set<String> inputs = session.getInputNames();
                Set<String> wanted = new LinkedHashSet<>(probe.outputs());
                for (String text : texts) {
                    Encoding encoding = tokenizer.encode(text);
                    long[] mask = encoding.getAttentionMask();
                    Map<String, OnnxTensor> feed = new HashMap<>();
                    try {
                        put(feed, inputs, environment, "input_ids", encoding.getIds());
                        put(feed, inputs, environment, "attention_mask", mask);
                        put(feed, inputs, environment, "token_type_ids", encoding.getTypeIds());
                        try (OrtSession.Result result = session.run(feed, wanted)) {
                            for (int t = 0; t < probe.outputs().size(); t++) {
                                FloatBuffer buffer = ((OnnxTensor) result.get(probe.outputs().get(t)).orElseThrow())
                                        .getFloatBuffer();
                                float[] values = new float[buffer.remaining()];
                                buffer.get(values);
                                accumulator.add(t, values, mask);
                            }
                        }
                    } finally {
                        feed.values().forEach(OnnxTensor::close);
                    }
                }
            }
        } catch (OrtException | IllegalArgumentException e) {
            throw new CalibrationException("CALIBRATION_FAILED", "ONNX Runtime could not run the model on the"
                    + " calibration texts: " + e.getMessage());
        }
        return accumulator.result(source);
    }

    private static void put(Map<String, OnnxTensor> feed, Set<String> inputs, OrtEnvironment environment, String name,
            long[] values) throws OrtException {
        if (inputs.contains(name)) {
            feed.put(name, OnnxTensor.createTensor(environment, new long[][] {values}));
        }
    }

    /** {@value #MAX_TOKENS}, or fewer when the model's position table has fewer rows (a longer sentence would not run). */
    static int maxTokens(byte[] model) {
        return OnnxModelInspector.tokenLimit(model, MAX_TOKENS);
    }

    private static HuggingFaceTokenizer tokenizer(Path tokenizerJson, int maxTokens) throws CalibrationException {
        DjlOffline.configure();
        Map<String, String> options = Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "true",
                "maxLength", Integer.toString(maxTokens), "modelMaxLength", Integer.toString(maxTokens));
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return HuggingFaceTokenizer.newInstance(in, options);
        } catch (IOException | RuntimeException e) {
            throw new CalibrationException("INVALID_CALIBRATION", "the tokenizer " + tokenizerJson + " could not be"
                    + " loaded by the HuggingFace tokenizers library (" + e.getMessage() + "): pass the tokenizer.json"
                    + " saved with the model");
        }
    }

    private static boolean isNumber(String text) {
        try {
            Double.parseDouble(text);
            return true;
        } catch (NumberFormatException notANumber) {
            return false;
        }
    }
}
