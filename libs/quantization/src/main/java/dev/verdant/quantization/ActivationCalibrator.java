package dev.verdant.quantization;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import dev.verdant.evaluation.DjlOffline;
import dev.verdant.evaluation.OnnxRuntimeStartup;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.verdant.evaluation.StsReader;
import dev.verdant.evaluation.StsSplit;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.OnnxModelInspector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a model on calibration texts and records what chosen tensors hold ({@link ActivationStatistics}).
 *
 * <p>The tensors are exposed as extra graph outputs (through Identity nodes); sentences are tokenized with the
 * model's tokenizer.json (DJL's HuggingFace tokenizer, truncated at 128 tokens or the model's position count, padded to the longest of each
 * batch of 32, as libs/evaluation does) and fed as input_ids / attention_mask / token_type_ids. MinMax needs
 * one pass; percentile and entropy a second one, to fill histograms over the range the first pass found.
 */
final class ActivationCalibrator {

    static final int BATCH = 32;
    static final int MAX_LENGTH = 128;
    static final String PROBE_PREFIX = "verdant_calibration/";
    static final Set<String> TEXT_INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids");

    /** Thrown with a message fit for a {@link QuantizationOutcome.Failed}. */
    static final class CalibrationException extends Exception {
        final QuantizationOutcome.Reason reason;

        CalibrationException(QuantizationOutcome.Reason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    /** The first {@code count} sentences of STS-B train (sentence 1 and 2 of each pair in turn), from libs/evaluation. */
    static List<String> stsbTrainSentences(int count) throws CalibrationException {
        StsReader.Result result = StsReader.builtIn(StsSplit.TRAIN);
        if (!(result instanceof StsReader.Loaded)) {
            throw new CalibrationException(QuantizationOutcome.Reason.CALIBRATION_FAILED,
                    "the STS-B train sentences could not be read: " + ((StsReader.Invalid) result).message());
        }
        return ((StsReader.Loaded) result).dataset().sentences(count);
    }

    /** The request's calibration texts, at most calibrationSamples of them; by default the STS-B train sentences. */
    static List<String> sentences(QuantizationRequest request) throws CalibrationException {
        return request.calibrationSentences().isEmpty()
                ? stsbTrainSentences(request.calibrationSamples())
                : request.calibrationSentences().subList(0, Math.min(request.calibrationSamples(),
                        request.calibrationSentences().size()));
    }

    Map<String, ActivationStatistics> calibrate(ModelProto model, List<String> tensors, List<String> sentences,
            Path tokenizerJson, boolean histograms) throws CalibrationException {
        for (ValueInfoProto input : model.getGraph().getInputList()) {
            boolean initializer = model.getGraph().getInitializerList().stream().anyMatch(t -> t.getName().equals(input.getName()));
            if (!initializer && !TEXT_INPUTS.contains(input.getName())) {
                throw new CalibrationException(QuantizationOutcome.Reason.INVALID_REQUEST, "static-int8 calibrates text"
                        + " encoders fed input_ids / attention_mask / token_type_ids; this model also needs input '"
                        + input.getName() + "': use dynamic-int8 for it");
            }
        }
        if (sentences.isEmpty()) {
            throw new CalibrationException(QuantizationOutcome.Reason.INVALID_REQUEST, "no calibration texts were given");
        }
        byte[] probe = OnnxGraphs.toBytes(withProbes(model, tensors));
        int maxTokens = maxTokens(probe);
        Map<String, ActivationStatistics> statistics = new LinkedHashMap<>();
        tensors.forEach(t -> statistics.put(t, new ActivationStatistics()));
        OrtEnvironment environment = OrtRuntime.environment();
        try (HuggingFaceTokenizer tokenizer = tokenizer(tokenizerJson, maxTokens);
                OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
            try (OrtSession session = environment.createSession(probe, options)) {
                Set<String> inputs = session.getInputNames();
                List<long[][][]> batches = new ArrayList<>();
                for (int start = 0; start < sentences.size(); start += BATCH) {
                    batches.add(encode(tokenizer, sentences.subList(start, Math.min(sentences.size(), start + BATCH))));
                }
                for (int pass = 0; pass < (histograms ? 2 : 1); pass++) {
                    for (long[][][] batch : batches) {
                        run(environment, session, inputs, batch, tensors, statistics, pass == 1);
                    }
                }
            }
        } catch (OrtException e) {
            throw new CalibrationException(QuantizationOutcome.Reason.CALIBRATION_FAILED,
                    "ONNX Runtime could not run the model on the calibration texts: " + e.getMessage());
        } catch (IOException e) {
            throw new CalibrationException(QuantizationOutcome.Reason.INVALID_REQUEST,
                    "cannot read the tokenizer " + tokenizerJson + ": " + e.getMessage());
        }
        return statistics;
    }

    private static void run(OrtEnvironment environment, OrtSession session, Set<String> inputs, long[][][] batch,
            List<String> tensors, Map<String, ActivationStatistics> statistics, boolean histogram) throws OrtException {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            String[] names = {"input_ids", "attention_mask", "token_type_ids"};
            for (int i = 0; i < names.length; i++) {
                if (inputs.contains(names[i])) {
                    feed.put(names[i], OnnxTensor.createTensor(environment, batch[i]));
                }
            }
            Set<String> wanted = new java.util.LinkedHashSet<>();
            for (int i = 0; i < tensors.size(); i++) {
                wanted.add(PROBE_PREFIX + i);
            }
            try (OrtSession.Result result = session.run(feed, wanted)) {
                for (int i = 0; i < tensors.size(); i++) {
                    OnnxValue value = result.get(PROBE_PREFIX + i).orElseThrow();
                    FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
                    float[] values = new float[buffer.remaining()];
                    buffer.get(values);
                    ActivationStatistics stats = statistics.get(tensors.get(i));
                    if (histogram) {
                        stats.observeHistogram(values);
                    } else {
                        stats.observeRange(values);
                        long[] shape = ((OnnxTensor) value).getInfo().getShape();
                        if (shape.length >= 2) {
                            stats.observeChannels(values, (int) shape[shape.length - 1]);
                        }
                    }
                }
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /** ids, mask, types: [batch, longest] each, padded with 0. */
    static long[][][] encode(HuggingFaceTokenizer tokenizer, List<String> sentences) {
        Encoding[] encodings = tokenizer.batchEncode(sentences);
        int length = 1;
        for (Encoding encoding : encodings) {
            length = Math.max(length, encoding.getIds().length);
        }
        long[][][] batch = new long[3][encodings.length][length];
        for (int i = 0; i < encodings.length; i++) {
            long[] ids = encodings[i].getIds();
            long[] mask = encodings[i].getAttentionMask();
            long[] types = encodings[i].getTypeIds();
            System.arraycopy(ids, 0, batch[0][i], 0, ids.length);
            System.arraycopy(mask, 0, batch[1][i], 0, mask.length);
            System.arraycopy(types, 0, batch[2][i], 0, types.length);
        }
        return batch;
    }

    /** {@value #MAX_LENGTH} tokens, or fewer when the model's position table has fewer rows (a longer text would not run). */
    static int maxTokens(byte[] model) {
        return OnnxModelInspector.tokenLimit(model, MAX_LENGTH);
    }

    static HuggingFaceTokenizer tokenizer(Path tokenizerJson) throws IOException, CalibrationException {
        return tokenizer(tokenizerJson, MAX_LENGTH);
    }

    static HuggingFaceTokenizer tokenizer(Path tokenizerJson, int maxTokens) throws IOException, CalibrationException {
        OrtRuntime.configureDjl();
        Map<String, String> options = Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "true",
                "maxLength", Integer.toString(maxTokens), "modelMaxLength", Integer.toString(maxTokens));
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return HuggingFaceTokenizer.newInstance(in, options);
        } catch (RuntimeException e) {
            throw new CalibrationException(QuantizationOutcome.Reason.INVALID_REQUEST, "the tokenizer " + tokenizerJson
                    + " could not be loaded by the HuggingFace tokenizers library (" + e.getMessage()
                    + "): pass the tokenizer.json saved with the model");
        }
    }

    /** The model with each tensor also exposed as output verdant_calibration/i. */
    static ModelProto withProbes(ModelProto model, List<String> tensors) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = 0; i < tensors.size(); i++) {
            String probe = PROBE_PREFIX + i;
            graph.addNode(ModelSupport.node("Identity", probe, List.of(tensors.get(i)), List.of(probe)));
            graph.addOutput(ValueInfoProto.newBuilder().setName(probe).setType(TypeProto.newBuilder()
                    .setTensorType(TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT_VALUE))));
        }
        return model.toBuilder().setGraph(graph).build();
    }

    /**
     * ONNX Runtime's environment, created the way libs/evaluation creates it (DJL's engine on a big-stack thread,
     * see dev.verdant.evaluation.OnnxRuntimeStartup), so that both can share one process in either order.
     */
    static final class OrtRuntime {
        private OrtRuntime() {
        }

        static void configureDjl() {
            DjlOffline.configure();
        }

        static OrtEnvironment environment() throws CalibrationException {
            try {
                return OnnxRuntimeStartup.ortEnvironment();
            } catch (IllegalStateException e) {
                throw new CalibrationException(QuantizationOutcome.Reason.CALIBRATION_FAILED, e.getMessage());
            }
        }
    }
}
