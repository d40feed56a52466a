package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.verdant.onnx.Inspection.Rejected;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checks a parsed model must pass before its architecture is worth reading, in the order a
 * user would fix them: versions, self-containment, then graph structure.
 */
final class ModelChecks {

    /** Problems listed in one message; the rest are counted. */
    private static final int PROBLEMS_SHOWN = 3;

    private final InspectionPolicy policy;

    ModelChecks(InspectionPolicy policy) {
        this.policy = policy;
    }

    Optional<Rejected> versions(ModelProto model) {
        long ir = model.getIrVersion();
        if (ir < policy.minIrVersion() || ir > policy.maxIrVersion()) {
            String declared = ir == 0 ? "declares no ONNX IR version" : "declares ONNX IR version " + ir;
            return reject(ReasonCode.IR_VERSION_UNSUPPORTED, "The model " + declared + "; Verdant reads IR "
                    + policy.minIrVersion() + " to " + policy.maxIrVersion() + ". Re-export it with an exporter"
                    + " of that range (for example torch.onnx.export with onnx <= 1.18), or convert it with"
                    + " onnx.version_converter, and upload it again.");
        }
        OptionalLong opset = defaultOpset(model);
        if (opset.isEmpty()) {
            return reject(ReasonCode.OPSET_UNSUPPORTED, "The model imports no opset for the default ONNX domain"
                    + " (opset_import with domain \"\"), so its operators have no defined meaning. Re-export it"
                    + " with an explicit opset, e.g. torch.onnx.export(..., opset_version=17).");
        }
        long version = opset.getAsLong();
        if (version < policy.minOpset() || version > policy.maxOpset()) {
            return reject(ReasonCode.OPSET_UNSUPPORTED, "The model uses default-domain opset " + version
                    + "; Verdant supports opsets " + policy.minOpset() + " to " + policy.maxOpset()
                    + ". Convert it with onnx.version_converter.convert_version(model, 17) or re-export with"
                    + " torch.onnx.export(..., opset_version=17).");
        }
        return Optional.empty();
    }

    /** Default-domain opset ("" or its alias "ai.onnx"); the highest one if the file lists several. */
    static OptionalLong defaultOpset(ModelProto model) {
        return model.getOpsetImportList().stream()
                .filter(opset -> opset.getDomain().isEmpty() || opset.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetIdProto::getVersion)
                .max();
    }

    Optional<Rejected> selfContained(ModelProto model) {
        List<TensorProto> external = tensors(model).filter(Tensors::isExternal).toList();
        if (external.isEmpty()) {
            return Optional.empty();
        }
        List<String> locations = external.stream()
                .map(tensor -> Tensors.externalLocation(tensor).map(ModelChecks::printable).orElse("(no location)"))
                .distinct()
                .toList();
        List<String> escaping = external.stream()
                .map(tensor -> Tensors.externalLocation(tensor).orElse(""))
                .filter(ModelChecks::leavesModelFolder)
                .map(ModelChecks::printable)
                .distinct()
                .toList();
        String escape = escaping.isEmpty() ? "" : " " + listed(escaping.stream().map(l -> "'" + l + "'").toList())
                + " points outside the model's folder (an absolute path or one that climbs with '..'): a crafted"
                + " file, or one saved with the wrong base directory.";
        return reject(ReasonCode.EXTERNAL_DATA, external.size() + " tensor(s), e.g. '"
                + printable(external.get(0).getName()) + "', keep their values outside the model file, in "
                + listed(locations.stream().map(location -> "'" + location + "'").toList()) + "." + escape
                + " Verdant accepts self-contained models only and never opens files a model names. Re-save"
                + " the model with the weights inside (Python: onnx.save_model(onnx.load(path), out_path,"
                + " save_as_external_data=False); possible for models under 2 GB) and upload that file.");
    }

    Optional<Rejected> structure(GraphIndex index) {
        List<String> problems = new ArrayList<>();
        if (index.runtimeInputs().isEmpty()) {
            problems.add("the graph declares no inputs (besides its initializers)");
        }
        if (index.graph().getOutputCount() == 0) {
            problems.add("the graph declares no outputs");
        }
        Set<String> known = new HashSet<>(index.runtimeInputs());
        known.addAll(index.initializers().keySet());
        Set<String> produced = new HashSet<>();
        for (NodeProto node : index.graph().getNodeList()) {
            for (String output : node.getOutputList()) {
                if (output.isEmpty()) {
                    continue;
                }
                if (!produced.add(output) || known.contains(output)) {
                    problems.add("'" + printable(output) + "' is produced twice (" + describe(node)
                            + " writes a name that already exists); ONNX requires every name to be assigned once");
                }
            }
        }
        known.addAll(produced);
        for (NodeProto node : index.graph().getNodeList()) {
            for (String input : node.getInputList()) {
                if (!input.isEmpty() && !known.contains(input)) {
                    problems.add(describe(node) + " reads '" + printable(input) + "', which is neither a graph input,"
                            + " an initializer nor another node's output");
                }
            }
        }
        Set<String> outputNames = new HashSet<>();
        for (ValueInfoProto output : index.graph().getOutputList()) {
            if (!outputNames.add(output.getName())) {
                problems.add("graph output '" + printable(output.getName()) + "' is declared twice");
            } else if (!known.contains(output.getName())) {
                problems.add("graph output '" + printable(output.getName()) + "' is never produced");
            }
        }
        tensors(index.graph().getInitializerList().stream(), index.graph().getNodeList().stream())
                .map(ModelChecks::dataProblem)
                .flatMap(Optional::stream)
                .forEach(problems::add);
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        String shown = String.join("; ", problems.subList(0, Math.min(PROBLEMS_SHOWN, problems.size())));
        String more = problems.size() > PROBLEMS_SHOWN ? " (and " + (problems.size() - PROBLEMS_SHOWN) + " more)" : "";
        return reject(ReasonCode.GRAPH_INVALID, "The ONNX graph is invalid: " + shown + more + ". Re-export the model"
                + " and check it with onnx.checker.check_model(path, full_check=True) before uploading.");
    }

    /**
     * A stored tensor whose bytes do not match its dims: {@code raw_data} must hold exactly
     * elements x width bytes, a typed field exactly one value per element (complex: two).
     */
    private static Optional<String> dataProblem(TensorProto tensor) {
        long elements;
        try {
            elements = Tensors.elementCount(tensor);
        } catch (IllegalArgumentException absurd) {
            return Optional.of("tensor '" + printable(tensor.getName()) + "' has impossible dims "
                    + abbreviated(tensor.getDimsList()));
        }
        if (Tensors.isExternal(tensor)) {
            return Optional.empty();
        }
        int type = tensor.getDataType();
        long stored;
        long expected;
        if (!tensor.getRawData().isEmpty()) {
            stored = tensor.getRawData().size();
            expected = ElementTypes.rawByteCount(type, elements);
            if (expected < 0) {
                return Optional.empty();
            }
        } else {
            stored = switch (type) {
                case DataType.FLOAT_VALUE, DataType.COMPLEX64_VALUE -> tensor.getFloatDataCount();
                case DataType.INT64_VALUE -> tensor.getInt64DataCount();
                case DataType.DOUBLE_VALUE, DataType.COMPLEX128_VALUE -> tensor.getDoubleDataCount();
                case DataType.UINT32_VALUE, DataType.UINT64_VALUE -> tensor.getUint64DataCount();
                case DataType.INT8_VALUE, DataType.UINT8_VALUE, DataType.INT16_VALUE, DataType.UINT16_VALUE,
                        DataType.INT32_VALUE, DataType.BOOL_VALUE, DataType.FLOAT16_VALUE,
                        DataType.BFLOAT16_VALUE -> tensor.getInt32DataCount();
                default -> -1; // strings, 8- and 4-bit floats: packing rules vary, not checked
            };
            if (stored < 0) {
                return Optional.empty();
            }
            boolean complex = type == DataType.COMPLEX64_VALUE || type == DataType.COMPLEX128_VALUE;
            expected = complex ? elements * 2 : elements;
        }
        if (stored == expected) {
            return Optional.empty();
        }
        String unit = tensor.getRawData().isEmpty() ? " values" : " bytes";
        return Optional.of("tensor '" + printable(tensor.getName()) + "' (" + ElementTypes.name(type) + " "
                + abbreviated(tensor.getDimsList()) + ") stores " + stored + unit + " but its dims need " + expected);
    }

    /** Every stored tensor: initializers, sparse initializers' values and Constant node values. */
    private static Stream<TensorProto> tensors(ModelProto model) {
        return Stream.concat(
                tensors(model.getGraph().getInitializerList().stream(), model.getGraph().getNodeList().stream()),
                model.getGraph().getSparseInitializerList().stream().map(sparse -> sparse.getValues()));
    }

    private static Stream<TensorProto> tensors(Stream<TensorProto> initializers, Stream<NodeProto> nodes) {
        return Stream.concat(initializers, nodes
                .filter(node -> node.getOpType().equals("Constant"))
                .flatMap(node -> node.getAttributeList().stream())
                .filter(attribute -> attribute.getType() == AttributeProto.AttributeType.TENSOR)
                .map(AttributeProto::getT));
    }

    /**
     * An external-data location that would resolve outside the model's folder: absolute (POSIX,
     * Windows drive or UNC), or with a '..' segment. ONNX requires locations relative to the model.
     */
    static boolean leavesModelFolder(String location) {
        String path = location.replace('\\', '/');
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            return true;
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    static String describe(NodeProto node) {
        String name = node.getName().isEmpty() ? "" : " '" + printable(node.getName()) + "'";
        return "node" + name + " (" + printable(node.getOpType()) + ")";
    }

    /**
     * Names come from the uploaded file: keep them printable and short before they reach a log,
     * an event or an HTML report.
     */
    static String printable(String text) {
        StringBuilder safe = new StringBuilder();
        text.codePoints().limit(120).forEach(point -> {
            boolean visible = !Character.isISOControl(point) && Character.isDefined(point)
                    && Character.getType(point) != Character.FORMAT;
            safe.appendCodePoint(visible ? point : '?');
        });
        return text.codePointCount(0, text.length()) > 120 ? safe + "..." : safe.toString();
    }

    private static String abbreviated(List<Long> dims) {
        return dims.size() <= 8 ? dims.toString() : dims.subList(0, 8) + "... (" + dims.size() + " dims)";
    }

    private static String listed(List<String> items) {
        return items.size() <= PROBLEMS_SHOWN ? String.join(", ", items)
                : String.join(", ", items.subList(0, PROBLEMS_SHOWN)) + " and " + (items.size() - PROBLEMS_SHOWN) + " more";
    }

    private static Optional<Rejected> reject(ReasonCode reason, String message) {
        return Optional.of(new Rejected(reason, message));
    }
}
