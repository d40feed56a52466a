package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Raises a model's default opset from 11 or 12 to 13, so that a QDQ graph can carry per-channel weight scales
 * ({@code DequantizeLinear}'s {@code axis} exists from opset 13). Only what changed between 11 and 13 is rewritten:
 * <ul>
 *   <li>Unsqueeze, Squeeze, ReduceSum: the {@code axes} attribute becomes a constant int64 input; Split: {@code split}
 *       likewise.</li>
 *   <li>Softmax, LogSoftmax, Hardmax: up to opset 12, {@code axis} k (default 1) flattens the input to 2-D at k; from
 *       13 it is one axis. The last axis (-1, or rank - 1 where {@link Ranks} knows the rank) means the same in both and
 *       becomes -1; any other k becomes {@code Reshape(Softmax(Flatten(x, k), -1), Shape(x))}, the opset-11
 *       definition.</li>
 *   <li>Dropout: its {@code ratio} attribute became an input in 12; at inference Dropout is the identity, so the
 *       attribute is dropped.</li>
 * </ul>
 * Ops whose semantics did not change from 11 to 13 ({@link #UNCHANGED}) are kept; any other op, or a node with a
 * subgraph, is refused with its name, and the caller keeps the operator form.
 */
final class OpsetUpgrade {

    static final long TARGET = 13;
    static final long MIN_IR_VERSION = 7;

    /** Default-domain ops whose semantics are the same at opsets 11, 12 and 13 (new versions only added types or options with the old default). */
    static final Set<String> UNCHANGED = Set.of("Abs", "Acos", "Add", "And", "ArgMax", "ArgMin", "Asin", "Atan",
            "AveragePool", "BatchNormalization", "Cast", "Ceil", "Clip", "Concat", "Constant", "ConstantOfShape", "Conv",
            "Cos", "CumSum", "DepthToSpace", "Div", "Einsum", "Elu", "Equal", "Erf", "Exp", "Expand", "Flatten", "Floor",
            "Gather", "GatherElements", "GatherND", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Greater",
            "GreaterOrEqual", "HardSigmoid", "Identity", "LeakyRelu", "Less", "LessOrEqual", "Log", "MatMul", "Max",
            "MaxPool", "Mean", "Min", "Mod", "Mul", "Neg", "NonZero", "Not", "OneHot", "Or", "Pad", "Pow", "PRelu", "Range",
            "Reciprocal", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin",
            "ReduceProd", "ReduceSumSquare", "Relu", "Reshape", "ScatterElements", "ScatterND", "Selu", "Shape", "Sigmoid",
            "Sign", "Sin", "Size", "Slice", "Softplus", "Softsign", "Sqrt", "Sub", "Sum", "Tan", "Tanh", "Tile", "TopK",
            "Transpose", "Where", "Xor");

    private static final Set<String> SOFTMAX_FAMILY = Set.of("Softmax", "LogSoftmax", "Hardmax");

    /** The upgraded model, or why it could not be upgraded. */
    record Result(ModelProto model, String refusal) {
        boolean upgraded() {
            return model != null;
        }
    }

    private OpsetUpgrade() {
    }

    static Result toOpset13(ModelProto model) {
        long opset = ModelSupport.defaultOpset(model);
        if (opset >= TARGET) {
            return new Result(model, null);
        }
        if (opset < 11) {
            return new Result(null, "opset " + opset + " is below 11");
        }
        GraphProto graph = model.getGraph();
        Ranks ranks = new Ranks(graph);
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> added = new ArrayList<>();
        for (int index = 0; index < graph.getNodeCount(); index++) {
            NodeProto node = graph.getNode(index);
            String name = GraphRewrite.nodeName(node, index);
            for (AttributeProto attribute : node.getAttributeList()) {
                if (attribute.hasG() || attribute.getGraphsCount() > 0) {
                    return new Result(null, "node " + name + " (" + node.getOpType() + ") has a subgraph");
                }
            }
            if (!ModelSupport.isDefaultDomain(node) || UNCHANGED.contains(node.getOpType())) {
                nodes.add(node);
                continue;
            }
            switch (node.getOpType()) {
                case "Unsqueeze":
                case "Squeeze":
                case "ReduceSum":
                    nodes.add(attributeToInput(node, name, "axes", 1, added));
                    break;
                case "Split":
                    nodes.add(attributeToInput(node, name, "split", 1, added));
                    break;
                case "Dropout":
                    nodes.add(node.toBuilder().clearAttribute().build());
                    break;
                case "Softmax":
                case "LogSoftmax":
                case "Hardmax":
                    softmax(node, name, nodes, ranks);
                    break;
                default:
                    return new Result(null, "node " + name + " is " + node.getOpType()
                            + ", whose definition changed between opsets 11 and 13 and is not converted here");
            }
        }
        GraphProto.Builder rewritten = graph.toBuilder().clearNode().addAllNode(nodes).addAllInitializer(added);
        ModelProto.Builder out = model.toBuilder().setGraph(rewritten).clearOpsetImport();
        for (OperatorSetIdProto import_ : model.getOpsetImportList()) {
            boolean standard = import_.getDomain().isEmpty() || import_.getDomain().equals("ai.onnx");
            out.addOpsetImport(standard ? import_.toBuilder().setVersion(TARGET).build() : import_);
        }
        if (out.getIrVersion() < MIN_IR_VERSION) {
            out.setIrVersion(MIN_IR_VERSION);
        }
        return new Result(out.build(), null);
    }

    /** The named ints attribute as a constant int64 input at {@code position} (absent attribute: node unchanged). */
    private static NodeProto attributeToInput(NodeProto node, String name, String attributeName, int position,
            List<TensorProto> added) {
        AttributeProto found = null;
        NodeProto.Builder builder = node.toBuilder().clearAttribute();
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals(attributeName)) {
                found = attribute;
            } else {
                builder.addAttribute(attribute);
            }
        }
        if (found == null) {
            return node;
        }
        String constant = name + "/" + attributeName + "_opset13";
        added.add(int64s(constant, found.getIntsList()));
        List<String> inputs = new ArrayList<>(node.getInputList());
        while (inputs.size() < position) {
            inputs.add("");
        }
        inputs.add(position, constant);
        return builder.clearInput().addAllInput(inputs).build();
    }

    private static void softmax(NodeProto node, String name, List<NodeProto> nodes, Ranks ranks) {
        long axis = 1; // the opset-11 default
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals("axis")) {
                axis = attribute.getI();
            }
        }
        int rank = ranks.of(node.getInput(0));
        if (axis == -1 || (rank > 0 && axis == rank - 1)) {
            // The last axis: one axis at opset 13 is the same as flattening there at 11.
            nodes.add(node.toBuilder().clearAttribute().addAttribute(ModelSupport.intAttribute("axis", -1)).build());
            return;
        }
        String x = node.getInput(0);
        String flat = name + "/flattened_opset13";
        String soft = name + "/output_2d_opset13";
        String shape = name + "/shape_opset13";
        nodes.add(ModelSupport.node("Flatten", name + "/Flatten_opset13", List.of(x), List.of(flat)).toBuilder()
                .addAttribute(ModelSupport.intAttribute("axis", axis)).build());
        nodes.add(node.toBuilder().clearAttribute().addAttribute(ModelSupport.intAttribute("axis", -1))
                .setInput(0, flat).setOutput(0, soft).build());
        nodes.add(ModelSupport.node("Shape", name + "/Shape_opset13", List.of(x), List.of(shape)));
        nodes.add(ModelSupport.node("Reshape", name + "/Reshape_opset13", List.of(soft, shape), List.of(node.getOutput(0))));
    }

    /**
     * Tensor ranks where the graph alone tells them (no shape inference): graph inputs with a shape, initializers and
     * Constant values, and what Transpose, Unsqueeze, Reshape by a constant shape, MatMul, elementwise and unary ops
     * make of known ranks; -1 when unknown. Used to recognise a Softmax over the last axis (MiniLM: axis 3 of rank 4).
     */
    static final class Ranks {
        private static final Set<String> SAME_AS_INPUT = Set.of("Cast", "Erf", "Sqrt", "Relu", "Tanh", "Sigmoid", "Exp",
                "Log", "Neg", "Abs", "Softmax", "Identity", "Dropout", "Not", "Reciprocal");
        private static final Set<String> BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Where", "Equal", "Less",
                "Greater", "And", "Or", "Max", "Min");

        private final java.util.Map<String, NodeProto> producers = new java.util.HashMap<>();
        private final java.util.Map<String, Integer> known = new java.util.HashMap<>();
        private final java.util.Map<String, TensorProto> constants = new java.util.HashMap<>();

        Ranks(GraphProto graph) {
            graph.getInitializerList().forEach(t -> {
                known.put(t.getName(), t.getDimsCount());
                constants.put(t.getName(), t);
            });
            graph.getInputList().forEach(input -> {
                if (input.getType().getTensorType().hasShape()) {
                    known.putIfAbsent(input.getName(), input.getType().getTensorType().getShape().getDimCount());
                }
            });
            for (NodeProto node : graph.getNodeList()) {
                node.getOutputList().forEach(output -> producers.put(output, node));
                if (node.getOpType().equals("Constant")) {
                    for (AttributeProto attribute : node.getAttributeList()) {
                        if (attribute.hasT()) {
                            known.put(node.getOutput(0), attribute.getT().getDimsCount());
                            constants.put(node.getOutput(0), attribute.getT());
                        }
                    }
                }
            }
        }

        int of(String tensor) {
            return of(tensor, 0);
        }

        private int of(String tensor, int depth) {
            Integer rank = known.get(tensor);
            if (rank != null) {
                return rank;
            }
            NodeProto node = producers.get(tensor);
            if (node == null || depth > 64 || !ModelSupport.isDefaultDomain(node)) {
                return -1;
            }
            int result = -1;
            String op = node.getOpType();
            if (SAME_AS_INPUT.contains(op)) {
                result = of(node.getInput(0), depth + 1);
            } else if (BROADCAST.contains(op) || op.equals("MatMul")) {
                int max = -1;
                for (String input : node.getInputList()) {
                    int r = of(input, depth + 1);
                    if (r < 0) {
                        max = -1;
                        break;
                    }
                    max = Math.max(max, r);
                }
                result = op.equals("MatMul") && max < 2 ? -1 : max;
            } else if (op.equals("Transpose")) {
                for (AttributeProto attribute : node.getAttributeList()) {
                    if (attribute.getName().equals("perm")) {
                        result = attribute.getIntsCount();
                    }
                }
            } else if (op.equals("Unsqueeze")) {
                int r = of(node.getInput(0), depth + 1);
                for (AttributeProto attribute : node.getAttributeList()) {
                    if (attribute.getName().equals("axes") && r >= 0) {
                        result = r + attribute.getIntsCount();
                    }
                }
            } else if (op.equals("Reshape") && constants.containsKey(node.getInput(1))) {
                TensorProto shape = constants.get(node.getInput(1));
                result = shape.getDimsCount() == 1 ? (int) shape.getDims(0) : -1;
            }
            known.put(tensor, result);
            return result;
        }
    }

    private static TensorProto int64s(String name, List<Long> values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.size() * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(buffer::putLong);
        return TensorProto.newBuilder().setName(name).setDataType(DataType.INT64_VALUE).addDims(values.size())
                .setRawData(com.google.protobuf.ByteString.copyFrom(buffer.array())).build();
    }
}
