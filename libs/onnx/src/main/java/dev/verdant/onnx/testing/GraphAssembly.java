package dev.verdant.onnx.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.verdant.onnx.Tensors;

import java.util.List;

/**
 * Accumulates nodes and initializers of one graph, naming node outputs the way torch.onnx does
 * ("/encoder/layer.0/attention/self/Softmax" writes "/encoder/layer.0/attention/self/Softmax_output_0").
 */
final class GraphAssembly {

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final long opset;

    GraphAssembly(String name, long opset) {
        this.opset = opset;
        graph.setName(name);
    }

    long opset() {
        return opset;
    }

    /** Adds a one-output node; returns the output's name. */
    String node(String opType, String name, List<String> inputs, AttributeProto... attributes) {
        String output = name + "_output_0";
        nodeWritingTo(opType, name, inputs, output, attributes);
        return output;
    }

    /** Adds a one-output node writing to a chosen name (a graph output). */
    String nodeWritingTo(String opType, String name, List<String> inputs, String output, AttributeProto... attributes) {
        graph.addNode(NodeProto.newBuilder()
                .setOpType(opType)
                .setName(name)
                .addAllInput(inputs)
                .addOutput(output)
                .addAllAttribute(List.of(attributes)));
        return output;
    }

    String initializer(TensorProto tensor) {
        graph.addInitializer(tensor);
        return tensor.getName();
    }

    /** A Constant node holding a float scalar (how torch exports literal numbers). */
    String constant(String name, float value) {
        return node("Constant", name, List.of(), tensorAttribute("value",
                Tensors.ofFloats(name, new long[0], new float[] {value})));
    }

    /** A Constant node holding an int64 scalar, or a one-element vector when {@code vector}. */
    String constant(String name, long value, boolean vector) {
        return node("Constant", name, List.of(), tensorAttribute("value",
                Tensors.ofLongs(name, vector ? new long[] {1} : new long[0], new long[] {value})));
    }

    /** Unsqueeze at {@code axis}: an attribute before opset 13, a constant input since. */
    String unsqueeze(String name, String input, long axis) {
        if (opset < 13) {
            return node("Unsqueeze", name, List.of(input), ints("axes", axis));
        }
        return node("Unsqueeze", name, List.of(input, constant(name + "/axes", axis, true)));
    }

    void input(String name, int elementType, Object... dims) {
        graph.addInput(valueInfo(name, elementType, dims));
    }

    void output(String name, int elementType, Object... dims) {
        graph.addOutput(valueInfo(name, elementType, dims));
    }

    ModelProto model(long irVersion, String producer) {
        return ModelProto.newBuilder()
                .setIrVersion(irVersion)
                .setProducerName(producer)
                .setProducerVersion("0.1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph)
                .build();
    }

    /** A tensor type whose dims are numbers (fixed) or strings (symbolic). */
    static ValueInfoProto valueInfo(String name, int elementType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            TensorShapeProto.Dimension.Builder dimension = TensorShapeProto.Dimension.newBuilder();
            if (dim instanceof Number number) {
                dimension.setDimValue(number.longValue());
            } else {
                dimension.setDimParam(dim.toString());
            }
            shape.addDim(dimension);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(elementType).setShape(shape)))
                .build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long value : values) {
            attribute.addInts(value);
        }
        return attribute.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto tensorAttribute(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(value).build();
    }

    static AttributeProto graphAttribute(String name, GraphProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.GRAPH).setG(value).build();
    }
}
