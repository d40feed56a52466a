package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.verdant.onnx.Inspection.Accepted;
import dev.verdant.onnx.Inspection.Rejected;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decides whether an uploaded file is a model Verdant can work on, and measures it.
 *
 * <p>Never throws on bad input: every problem with the file becomes an {@link Inspection.Rejected}
 * whose message says what is wrong and what the uploader can do. The order of checks is the order
 * of cost: size (no read), parse (one streaming pass, hashing as it goes), versions,
 * self-containment, graph structure, then the encoder architecture.
 *
 * <p>Thread-safe: holds only its immutable policy.
 */
public final class OnnxModelInspector {

    private final InspectionPolicy policy;
    private final ModelChecks checks;

    public OnnxModelInspector() {
        this(InspectionPolicy.defaults());
    }

    public OnnxModelInspector(InspectionPolicy policy) {
        this.policy = policy;
        this.checks = new ModelChecks(policy);
    }

    public InspectionPolicy policy() {
        return policy;
    }

    public Inspection inspect(Path file) {
        long size;
        try {
            if (Files.isDirectory(file)) {
                return new Rejected(ReasonCode.STORAGE_ERROR, "'" + file.getFileName() + "' is a directory, not a model"
                        + " file. Upload the .onnx file itself.");
            }
            size = Files.size(file);
        } catch (NoSuchFileException missing) {
            return new Rejected(ReasonCode.STORAGE_ERROR, "There is no file at '" + file + "'. Upload the model again.");
        } catch (IOException unreadable) {
            return new Rejected(ReasonCode.STORAGE_ERROR, "The file '" + file.getFileName() + "' could not be read ("
                    + ModelChecks.printable(String.valueOf(unreadable.getMessage())) + "). Upload it again.");
        }
        Optional<Rejected> sizeProblem = checkSize(size);
        if (sizeProblem.isPresent()) {
            return sizeProblem.get();
        }
        try (InputStream in = Files.newInputStream(file)) {
            return inspect(in, size, () -> Files.newInputStream(file));
        } catch (IOException unreadable) {
            return new Rejected(ReasonCode.STORAGE_ERROR, "The file '" + file.getFileName() + "' could not be read ("
                    + ModelChecks.printable(String.valueOf(unreadable.getMessage())) + "). Upload it again.");
        }
    }

    public Inspection inspect(byte[] model) {
        return checkSize(model.length).<Inspection>map(rejected -> rejected)
                .orElseGet(() -> inspect(new ByteArrayInputStream(model), model.length,
                        () -> new ByteArrayInputStream(model)));
    }

    /**
     * How many tokens a text run through {@code model} may have: {@code cap}, or fewer when the model's learned
     * position table has fewer rows (a longer text would not run). The calibrators of libs/pruning and
     * libs/quantization truncate their texts to it.
     */
    public static int tokenLimit(byte[] model, int cap) {
        Inspection inspection = new OnnxModelInspector().inspect(model);
        if (inspection instanceof Inspection.Accepted) {
            int positions = ((Inspection.Accepted) inspection).facts().architecture().maxPositions();
            if (positions > 0) {
                return Math.min(cap, positions);
            }
        }
        return cap;
    }

    private Optional<Rejected> checkSize(long size) {
        if (size == 0) {
            return Optional.of(new Rejected(ReasonCode.EMPTY_FILE, "The file is empty (0 bytes): the upload did not"
                    + " complete or an empty file was sent. Upload the .onnx model file again."));
        }
        if (size > policy.maxFileBytes()) {
            return Optional.of(new Rejected(ReasonCode.TOO_LARGE, "The file is " + megabytes(size) + " ("
                    + size + " bytes); this Verdant accepts models up to " + megabytes(policy.maxFileBytes())
                    + ". Upload a smaller model (for example a distilled or fp16 version), or ask the operator to"
                    + " raise the limit."));
        }
        return Optional.empty();
    }

    private Inspection inspect(InputStream in, long size, StreamingParse.Reread reread) {
        StreamingParse.Outcome parsed = StreamingParse.parse(in, size, policy.maxFileBytes(), reread);
        if (parsed instanceof StreamingParse.Failed failed) {
            return failed.rejection();
        }
        StreamingParse.Parsed model = (StreamingParse.Parsed) parsed;
        try {
            return judge(model.model(), size, model.sha256());
        } catch (RuntimeException defect) {
            // Last line of defence: a file that trips a bug here must still get an answer, not kill
            // the consumer that is reading the upload queue.
            return new Rejected(ReasonCode.INSPECTION_FAILED, "Verdant failed while analysing this model ("
                    + defect.getClass().getSimpleName() + ": " + ModelChecks.printable(String.valueOf(defect.getMessage()))
                    + "). This is a Verdant defect, not necessarily a problem with the file; please report it"
                    + " together with the model.");
        }
    }

    private Inspection judge(ModelProto model, long size, String sha256) {
        Optional<Rejected> problem = checks.versions(model).or(() -> checks.selfContained(model));
        if (problem.isPresent()) {
            return problem.get();
        }
        GraphIndex index = new GraphIndex(model.getGraph());
        problem = checks.structure(index);
        if (problem.isPresent()) {
            return problem.get();
        }
        EncoderDetector.Detection detection = EncoderDetector.detect(index);
        if (detection instanceof EncoderDetector.Missing missing) {
            return new Rejected(ReasonCode.NOT_AN_ENCODER, notAnEncoder(model, missing.missing()));
        }
        EncoderArchitecture architecture = ((EncoderDetector.Found) detection).architecture();
        return new Accepted(new ModelFacts(
                model.getIrVersion(),
                ModelChecks.defaultOpset(model).orElseThrow(),
                ModelChecks.printable(model.getProducerName()),
                ModelChecks.printable(model.getProducerVersion()),
                model.getGraph().getInputList().stream()
                        .filter(input -> index.runtimeInputs().contains(input.getName()))
                        .map(OnnxModelInspector::signature).toList(),
                model.getGraph().getOutputList().stream().map(OnnxModelInspector::signature).toList(),
                model.getGraph().getNodeCount(),
                histogram(model),
                model.getGraph().getInitializerCount(),
                parameterCount(model),
                size,
                sha256,
                architecture));
    }

    private static String notAnEncoder(ModelProto model, List<String> missing) {
        SortedMap<String, Integer> ops = histogram(model);
        List<String> shown = new ArrayList<>();
        ops.entrySet().stream().limit(12).forEach(entry -> shown.add(entry.getKey() + " x" + entry.getValue()));
        String found = ops.isEmpty() ? "no nodes at all"
                : model.getGraph().getNodeCount() + " nodes (" + String.join(", ", shown)
                + (ops.size() > shown.size() ? ", ..." : "") + ")";
        return "The model is valid ONNX but not a transformer encoder: Verdant expected " + String.join("; ", missing)
                + ", and found none. The graph has " + found + ". Verdant optimises BERT-style text encoders such"
                + " as all-MiniLM-L6-v2; upload the encoder exported to ONNX with its input_ids and"
                + " attention_mask inputs.";
    }

    /** Node count per op; ops of non-default domains keyed "domain:Op" so ORT's fused ops stand out. */
    private static SortedMap<String, Integer> histogram(ModelProto model) {
        SortedMap<String, Integer> counts = new TreeMap<>();
        for (NodeProto node : model.getGraph().getNodeList()) {
            String domain = node.getDomain();
            String key = domain.isEmpty() || domain.equals("ai.onnx") ? node.getOpType() : domain + ":" + node.getOpType();
            counts.merge(ModelChecks.printable(key), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Elements of every stored tensor (dims were validated by the structure check): dense
     * initializers in full, sparse ones by their stored values.
     */
    private static long parameterCount(ModelProto model) {
        long total = 0;
        for (TensorProto initializer : model.getGraph().getInitializerList()) {
            total = saturatingAdd(total, Tensors.elementCount(initializer));
        }
        for (var sparse : model.getGraph().getSparseInitializerList()) {
            total = saturatingAdd(total, Tensors.elementCount(sparse.getValues()));
        }
        return total;
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static TensorSignature signature(ValueInfoProto value) {
        TypeProto type = value.getType();
        String name = ModelChecks.printable(value.getName());
        return switch (type.getValueCase()) {
            case TENSOR_TYPE -> tensorSignature(name, ElementTypes.name(type.getTensorType().getElemType()),
                    type.getTensorType().hasShape(), type.getTensorType().getShape());
            case SPARSE_TENSOR_TYPE -> tensorSignature(name,
                    "sparse " + ElementTypes.name(type.getSparseTensorType().getElemType()),
                    type.getSparseTensorType().hasShape(), type.getSparseTensorType().getShape());
            case VALUE_NOT_SET -> new TensorSignature(name, "unknown", List.of(), false);
            default -> new TensorSignature(name, type.getValueCase().name().toLowerCase(Locale.ROOT).replace("_type", ""),
                    List.of(), false);
        };
    }

    private static TensorSignature tensorSignature(String name, String elementType, boolean hasShape, TensorShapeProto shape) {
        List<String> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension dim : shape.getDimList()) {
            if (dim.hasDimValue()) {
                dims.add(Long.toString(dim.getDimValue()));
            } else if (dim.hasDimParam() && !dim.getDimParam().isEmpty()) {
                dims.add(ModelChecks.printable(dim.getDimParam()));
            } else {
                dims.add("?");
            }
        }
        return new TensorSignature(name, elementType, dims, hasShape);
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
