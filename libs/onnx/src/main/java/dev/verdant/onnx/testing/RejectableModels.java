package dev.verdant.onnx.testing;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataLocation;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.verdant.onnx.Tensors;

import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static dev.verdant.onnx.testing.GraphAssembly.graphAttribute;
import static dev.verdant.onnx.testing.GraphAssembly.integer;
import static dev.verdant.onnx.testing.GraphAssembly.ints;

/**
 * Models Verdant must refuse, built in code: valid ONNX that is no encoder, and encoders broken
 * in one specific way. For the inspector's tests and for every service that receives uploads.
 */
public final class RejectableModels {

    private RejectableModels() {
    }

    /** y = relu(x W1 + b1) W2 + b2 on float [batch, 16]: valid, runnable, not an encoder. */
    public static ModelProto multilayerPerceptron() {
        GraphAssembly graph = new GraphAssembly("mlp", 17);
        Random random = new Random(7);
        graph.input("x", DataType.FLOAT_VALUE, "batch", 16);
        String w1 = graph.initializer(Tensors.ofFloats("fc1.weight", new long[] {16, 32}, values(random, 16 * 32)));
        String b1 = graph.initializer(Tensors.ofFloats("fc1.bias", new long[] {32}, values(random, 32)));
        String w2 = graph.initializer(Tensors.ofFloats("fc2.weight", new long[] {32, 4}, values(random, 32 * 4)));
        String b2 = graph.initializer(Tensors.ofFloats("fc2.bias", new long[] {4}, values(random, 4)));
        String hidden = graph.node("Relu", "/relu", List.of(
                graph.node("Add", "/fc1/Add", List.of(graph.node("MatMul", "/fc1/MatMul", List.of("x", w1)), b1))));
        graph.nodeWritingTo("Add", "/fc2/Add", List.of(graph.node("MatMul", "/fc2/MatMul", List.of(hidden, w2)), b2), "y");
        graph.output("y", DataType.FLOAT_VALUE, "batch", 4);
        return graph.model(8, "verdant-test");
    }

    /** Conv 3x3, Relu, global average pool, Gemm to 10 classes on float [batch, 3, 8, 8]. */
    public static ModelProto convolutionalNetwork() {
        GraphAssembly graph = new GraphAssembly("cnn", 17);
        Random random = new Random(11);
        graph.input("image", DataType.FLOAT_VALUE, "batch", 3, 8, 8);
        String kernel = graph.initializer(Tensors.ofFloats("conv.weight", new long[] {4, 3, 3, 3}, values(random, 4 * 27)));
        String bias = graph.initializer(Tensors.ofFloats("conv.bias", new long[] {4}, values(random, 4)));
        String w = graph.initializer(Tensors.ofFloats("fc.weight", new long[] {10, 4}, values(random, 40)));
        String b = graph.initializer(Tensors.ofFloats("fc.bias", new long[] {10}, values(random, 10)));
        String conv = graph.node("Conv", "/conv/Conv", List.of("image", kernel, bias),
                ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1));
        String pooled = graph.node("GlobalAveragePool", "/pool", List.of(graph.node("Relu", "/relu", List.of(conv))));
        String flat = graph.node("Flatten", "/flatten", List.of(pooled), integer("axis", 1));
        graph.nodeWritingTo("Gemm", "/fc/Gemm", List.of(flat, w, b), "logits", integer("transB", 1));
        graph.output("logits", DataType.FLOAT_VALUE, "batch", 10);
        return graph.model(8, "verdant-test");
    }

    /** The first weight MatMul reads a tensor nothing defines. */
    public static ModelProto withDanglingInput(ModelProto model, String missingName) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            if (node.getOpType().equals("MatMul") && node.getInputCount() == 2
                    && graph.getInitializerList().stream().anyMatch(init -> init.getName().equals(node.getInput(1)))) {
                graph.setNode(i, node.toBuilder().setInput(1, missingName));
                return model.toBuilder().setGraph(graph).build();
            }
        }
        throw new IllegalArgumentException("model has no weight MatMul to break");
    }

    /** A second node writes the first node's output name (ONNX names are single-assignment). */
    public static ModelProto withDuplicateOutput(ModelProto model) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        String taken = graph.getNode(0).getOutput(0);
        graph.setNode(1, graph.getNode(1).toBuilder().setOutput(0, taken));
        return model.toBuilder().setGraph(graph).build();
    }

    /**
     * The largest initializer moved out of the file, as onnx.save_model(..., save_as_external_data=True)
     * does: no values inside, data_location EXTERNAL, and a location relative to the model.
     */
    public static ModelProto withExternalData(ModelProto model, String location) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        int largest = 0;
        for (int i = 1; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getRawData().size() > graph.getInitializer(largest).getRawData().size()) {
                largest = i;
            }
        }
        TensorProto weight = graph.getInitializer(largest);
        graph.setInitializer(largest, weight.toBuilder()
                .clearRawData()
                .setDataLocation(DataLocation.EXTERNAL)
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", "0"))
                .addExternalData(entry("length", Integer.toString(weight.getRawData().size()))));
        return model.toBuilder().setGraph(graph).build();
    }

    /** One initializer's dims claim far more elements than its raw_data holds. */
    public static ModelProto withInflatedDims(ModelProto model) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        int index = graph.getInitializerList().stream()
                .filter(tensor -> tensor.getDimsCount() == 2)
                .max(Comparator.comparingInt(tensor -> tensor.getRawData().size()))
                .map(graph.getInitializerList()::indexOf)
                .orElseThrow();
        graph.setInitializer(index, graph.getInitializer(index).toBuilder().setDims(0, 1_000_000_000L).setDims(1, 1_000_000_000L));
        return model.toBuilder().setGraph(graph).build();
    }

    public static ModelProto withIrVersion(ModelProto model, long irVersion) {
        return model.toBuilder().setIrVersion(irVersion).build();
    }

    public static ModelProto withOpset(ModelProto model, long opset) {
        return model.toBuilder().clearOpsetImport()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    /**
     * An If node whose then-branch holds an If whose then-branch holds an If..., {@code depth}
     * times: each level nests node, attribute and graph messages, three protobuf levels per If.
     * (Else-branches are leaves, so the file grows linearly, not 2^depth.)
     */
    public static ModelProto nestedSubgraphs(int depth) {
        GraphProto leaf = GraphProto.newBuilder().setName("leaf")
                .addOutput(GraphAssembly.valueInfo("leaf_out", DataType.FLOAT_VALUE, 1))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("leaf_out"))
                .build();
        GraphProto inner = leaf;
        for (int level = 0; level < depth; level++) {
            inner = GraphProto.newBuilder().setName("branch" + level)
                    .addOutput(GraphAssembly.valueInfo("out" + level, DataType.FLOAT_VALUE, 1))
                    .addNode(NodeProto.newBuilder().setOpType("If").addInput("condition").addOutput("out" + level)
                            .addAttribute(graphAttribute("then_branch", inner))
                            .addAttribute(graphAttribute("else_branch", leaf)))
                    .build();
        }
        GraphProto main = inner.toBuilder()
                .addInput(GraphAssembly.valueInfo("condition", DataType.BOOL_VALUE))
                .addInput(GraphAssembly.valueInfo("x", DataType.FLOAT_VALUE, 1))
                .build();
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(main).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static float[] values(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian() * 0.1f;
        }
        return values;
    }
}
