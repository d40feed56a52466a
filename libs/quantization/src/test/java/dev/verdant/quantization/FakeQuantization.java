package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.verdant.onnx.Tensors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One source of quantization error at a time, for the error budget of docs/quantization.md: each method returns the
 * float model with one part replaced by what dynamic-int8 computes for it, everything else exact.
 * <ul>
 *   <li>{@link #weights}: each weight MatMul's W replaced by its dequantized 8-bit copy (float values on the int8 grid);
 *   <li>{@link #embeddings}: each embedding table replaced by its dequantized 8-bit copy;
 *   <li>{@link #activations}: the input of each selected weight MatMul goes through
 *       {@code DynamicQuantizeLinear -> DequantizeLinear} (ONNX Runtime's run-time uint8 rounding), W stays float.
 * </ul>
 */
final class FakeQuantization {

    private FakeQuantization() {
    }

    static ModelProto weights(ModelProto model, QuantizationOptions options, Predicate<String> nodes) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = GraphRewrite.initializers(graph);
        Map<String, TensorProto> replaced = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            if (GraphRewrite.isWeightMatMul(node, initializers) && nodes.test(node.getName())) {
                TensorProto weight = initializers.get(node.getInput(1));
                int rows = (int) weight.getDims(0);
                int cols = (int) weight.getDims(1);
                float[] w = Tensors.toFloats(weight);
                float[] scales = options.weightScales(w, rows, cols);
                float[] back = WeightQuantization.dequantizeColumns(
                        WeightQuantization.quantizeColumns(w, rows, cols, scales, options.qmax()), rows, cols, scales);
                replaced.put(weight.getName(), Tensors.ofFloats(weight.getName(), Tensors.dims(weight), back));
            }
        }
        return replaceInitializers(model, replaced);
    }

    static ModelProto embeddings(ModelProto model, QuantizationOptions options) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = GraphRewrite.initializers(graph);
        Map<String, TensorProto> replaced = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            if (GraphRewrite.isEmbeddingGather(node, initializers)) {
                TensorProto table = initializers.get(node.getInput(0));
                float[] values = Tensors.toFloats(table);
                long[] dims = Tensors.dims(table);
                float[] back;
                if (options.perColumnEmbeddings()) {
                    int rows = (int) dims[0];
                    int cols = (int) dims[1];
                    int qmax = WeightQuantization.FULL_RANGE;
                    float[] scales = options.mseScales() ? WeightQuantization.mseScales(values, rows, cols, qmax, false)
                            : WeightQuantization.columnScales(values, rows, cols, qmax, false);
                    back = WeightQuantization.dequantizeColumns(
                            WeightQuantization.quantizeColumns(values, rows, cols, scales, qmax), rows, cols, scales);
                } else {
                    float scale = WeightQuantization.embeddingScale(values);
                    back = WeightQuantization.dequantizeEmbedding(WeightQuantization.quantizeEmbedding(values, scale), scale);
                }
                replaced.put(table.getName(), Tensors.ofFloats(table.getName(), dims, back));
            }
        }
        return replaceInitializers(model, replaced);
    }

    static ModelProto activations(ModelProto model, Predicate<String> nodes) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = GraphRewrite.initializers(graph);
        Map<String, String> rounded = new HashMap<>();
        List<NodeProto> out = new ArrayList<>();
        for (NodeProto node : graph.getNodeList()) {
            if (GraphRewrite.isWeightMatMul(node, initializers) && nodes.test(node.getName())) {
                String x = node.getInput(0);
                String fake = rounded.get(x);
                if (fake == null) {
                    String base = x + "_fake";
                    fake = base + "/dequantized";
                    List<String> q = List.of(base + "/q", base + "/scale", base + "/zp");
                    out.add(ModelSupport.node("DynamicQuantizeLinear", base + "/DQL", List.of(x), q));
                    out.add(ModelSupport.node("DequantizeLinear", base + "/DL", q, List.of(fake)));
                    rounded.put(x, fake);
                }
                out.add(node.toBuilder().setInput(0, fake).build());
            } else {
                out.add(node);
            }
        }
        return model.toBuilder().setGraph(graph.toBuilder().clearNode().addAllNode(out)).build();
    }

    private static ModelProto replaceInitializers(ModelProto model, Map<String, TensorProto> replaced) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto replacement = replaced.get(graph.getInitializer(i).getName());
            if (replacement != null) {
                graph.setInitializer(i, replacement);
            }
        }
        return model.toBuilder().setGraph(graph).build();
    }
}
