package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The parts of a weight rewrite every mode shares: finding weights, and putting the graph back together. */
final class GraphRewrite {

    private GraphRewrite() {
    }

    static Map<String, TensorProto> initializers(GraphProto graph) {
        Map<String, TensorProto> initializers = new LinkedHashMap<>();
        for (TensorProto tensor : graph.getInitializerList()) {
            initializers.put(tensor.getName(), tensor);
        }
        return initializers;
    }

    /** The initializers and the values of Constant nodes (torch exports scalars such as epsilon as Constant nodes), by name. */
    static Map<String, TensorProto> constants(GraphProto graph) {
        Map<String, TensorProto> constants = initializers(graph);
        for (NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("Constant") && node.getOutputCount() == 1) {
                node.getAttributeList().stream().filter(a -> a.getName().equals("value") && a.hasT()).findFirst()
                        .ifPresent(a -> constants.put(node.getOutput(0), a.getT()));
            }
        }
        return constants;
    }

    /** The node that makes each tensor. */
    static Map<String, NodeProto> producers(GraphProto graph) {
        Map<String, NodeProto> producers = new java.util.HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            node.getOutputList().forEach(output -> producers.put(output, node));
        }
        return producers;
    }

    /** The nodes that read each tensor, in graph order. */
    static Map<String, List<NodeProto>> consumers(GraphProto graph) {
        Map<String, List<NodeProto>> consumers = new java.util.HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            node.getInputList().forEach(input -> consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node));
        }
        return consumers;
    }

    /** A default-domain MatMul whose second input is a 2-D float initializer and whose first is not. */
    static boolean isWeightMatMul(NodeProto node, Map<String, TensorProto> initializers) {
        if (!node.getOpType().equals("MatMul") || !ModelSupport.isDefaultDomain(node) || node.getInputCount() != 2) {
            return false;
        }
        TensorProto weight = initializers.get(node.getInput(1));
        return weight != null && weight.getDataType() == DataType.FLOAT_VALUE && weight.getDimsCount() == 2
                && !initializers.containsKey(node.getInput(0));
    }

    /** A Gather (axis 0) over a 2-D float initializer table with non-constant indices. */
    static boolean isEmbeddingGather(NodeProto node, Map<String, TensorProto> initializers) {
        if (!node.getOpType().equals("Gather") || !ModelSupport.isDefaultDomain(node) || node.getInputCount() != 2) {
            return false;
        }
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals("axis") && attribute.getI() != 0) {
                return false;
            }
        }
        TensorProto table = initializers.get(node.getInput(0));
        return table != null && table.getDataType() == DataType.FLOAT_VALUE && table.getDimsCount() == 2
                && !initializers.containsKey(node.getInput(1));
    }

    /** The Add that only adds a constant [cols] bias to the MatMul's output, when the MatMul has no other consumer. */
    static NodeProto biasAdd(NodeProto matmul, Map<String, List<NodeProto>> consumers,
            Map<String, TensorProto> initializers, java.util.Set<String> graphOutputs, int cols) {
        String output = matmul.getOutput(0);
        List<NodeProto> readers = consumers.getOrDefault(output, List.of());
        if (readers.size() != 1 || graphOutputs.contains(output)) {
            return null;
        }
        NodeProto add = readers.get(0);
        if (!add.getOpType().equals("Add") || !ModelSupport.isDefaultDomain(add) || add.getInputCount() != 2) {
            return null;
        }
        String other = add.getInput(0).equals(output) ? add.getInput(1) : add.getInput(0);
        TensorProto bias = initializers.get(other);
        if (bias == null || bias.getDataType() != DataType.FLOAT_VALUE || bias.getDimsCount() != 1 || bias.getDims(0) != cols) {
            return null;
        }
        return add;
    }

    static String nodeName(NodeProto node, int index) {
        return node.getName().isEmpty() ? node.getOpType() + "_" + index : node.getName();
    }

    /**
     * The graph with {@code nodes}, the initializers still read (by a node or as graph outputs) and {@code added};
     * graph inputs naming dropped initializers are dropped too. {@code extraOpsets} are added to the model's imports
     * when missing (e.g. com.microsoft 1).
     */
    static ModelProto.Builder rebuild(ModelProto model, List<NodeProto> nodes, List<TensorProto> added,
            Map<String, Long> extraOpsets) {
        GraphProto graph = model.getGraph();
        Set<String> read = new HashSet<>();
        graph.getOutputList().forEach(output -> read.add(output.getName()));
        for (NodeProto node : nodes) {
            read.addAll(node.getInputList());
        }
        GraphProto.Builder rewritten = graph.toBuilder().clearNode().addAllNode(nodes).clearInitializer();
        Set<String> original = new HashSet<>();
        for (TensorProto tensor : graph.getInitializerList()) {
            original.add(tensor.getName());
            if (read.contains(tensor.getName())) {
                rewritten.addInitializer(tensor);
            }
        }
        rewritten.addAllInitializer(added);
        Set<String> kept = new HashSet<>();
        rewritten.getInitializerList().forEach(t -> kept.add(t.getName()));
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto input : graph.getInputList()) {
            if (!original.contains(input.getName()) || kept.contains(input.getName())) {
                inputs.add(input);
            }
        }
        rewritten.clearInput().addAllInput(inputs);
        // value_info of tensors whose type changed would mislead ONNX Runtime: drop what the rewrite touched.
        Set<String> produced = new HashSet<>();
        for (NodeProto node : nodes) {
            produced.addAll(node.getOutputList());
        }
        List<ValueInfoProto> valueInfo = new ArrayList<>();
        for (ValueInfoProto info : graph.getValueInfoList()) {
            if (produced.contains(info.getName())) {
                valueInfo.add(info);
            }
        }
        rewritten.clearValueInfo().addAllValueInfo(valueInfo);
        ModelProto.Builder out = model.toBuilder().setGraph(rewritten);
        for (Map.Entry<String, Long> opset : extraOpsets.entrySet()) {
            if (ModelSupport.opset(model, opset.getKey()) == 0) {
                out.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(opset.getKey()).setVersion(opset.getValue()));
            }
        }
        return out;
    }

    /**
     * Replaces an embedding Gather by a Gather over an 8-bit copy of its table, sharing one copy between Gathers of the
     * same table. Per tensor (ONNX Runtime's form): uint8, zero point 128, {@code Gather -> DequantizeLinear}. Per
     * hidden column ({@code options.perColumnEmbeddings()}): int8 symmetric with scales [hidden],
     * {@code Gather -> Cast<float> -> Mul(scales)} (opset 11's DequantizeLinear has no axis; the Mul broadcasts over
     * the last dimension).
     */
    static void quantizeEmbedding(NodeProto node, String name, TensorProto table, Map<String, String[]> tables,
            List<NodeProto> nodes, List<TensorProto> added, QuantizationOptions options) {
        ModelSupport.requireInternal(table);
        boolean perColumn = options.perColumnEmbeddings();
        String[] quantized = tables.get(table.getName());
        if (quantized == null) {
            float[] values = dev.verdant.onnx.Tensors.toFloats(table);
            String base = table.getName() + "_quantized";
            quantized = new String[] {base, base + "/scale", base + "/zero_point"};
            long[] dims = dev.verdant.onnx.Tensors.dims(table);
            if (perColumn) {
                int rows = (int) dims[0];
                int cols = (int) dims[1];
                int qmax = WeightQuantization.FULL_RANGE;
                float[] scales = options.mseScales() ? WeightQuantization.mseScales(values, rows, cols, qmax, false)
                        : WeightQuantization.columnScales(values, rows, cols, qmax, false);
                added.add(ModelSupport.bytes(quantized[0], DataType.INT8_VALUE, dims,
                        WeightQuantization.quantizeColumns(values, rows, cols, scales, qmax)));
                added.add(dev.verdant.onnx.Tensors.ofFloats(quantized[1], new long[] {cols}, scales));
            } else {
                float scale = WeightQuantization.embeddingScale(values);
                added.add(ModelSupport.bytes(quantized[0], DataType.UINT8_VALUE, dims,
                        WeightQuantization.quantizeEmbedding(values, scale)));
                added.add(dev.verdant.onnx.Tensors.ofFloats(quantized[1], new long[0], new float[] {scale}));
                added.add(ModelSupport.bytes(quantized[2], DataType.UINT8_VALUE, new long[0],
                        new byte[] {(byte) WeightQuantization.EMBEDDING_ZERO_POINT}));
            }
            tables.put(table.getName(), quantized);
        }
        String gathered = name + "_quant/gathered";
        nodes.add(node.toBuilder().setInput(0, quantized[0]).setOutput(0, gathered).build());
        if (perColumn) {
            String cast = name + "_quant/float";
            nodes.add(ModelSupport.cast(name + "_quant/Cast", gathered, cast, DataType.FLOAT_VALUE));
            nodes.add(ModelSupport.node("Mul", name + "_quant/ScaleMul", List.of(cast, quantized[1]),
                    List.of(node.getOutput(0))));
        } else {
            nodes.add(ModelSupport.node("DequantizeLinear", name + "_quant/DequantizeLinear",
                    List.of(gathered, quantized[1], quantized[2]), List.of(node.getOutput(0))));
        }
    }
}
