package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.verdant.onnx.Tensors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fp16: the weights of MatMuls (2-D float initializers) and the embedding tables stored as float16.
 *
 * <p>Two layouts, chosen by measurement (docs/quantization.md):
 * <ul>
 *   <li>{@link Layout#WEIGHTS} (the default): each such initializer W becomes {@code W_fp16} plus
 *       {@code W = Cast<float>(W_fp16)}; every op computes in float32 as before, so LayerNorm, Softmax and the
 *       reductions are untouched. ONNX Runtime folds the Casts when it loads the model: half the file size,
 *       float32 speed and accuracy (to the rounding of the weights).</li>
 *   <li>{@link Layout#COMPUTE}: each weight MatMul runs in float16:
 *       {@code y = Cast<float>(MatMul(Cast<fp16>(x), W_fp16))}; everything else (bias Add, LayerNorm pieces,
 *       Softmax, reductions, GELU) stays float32, with Casts at the boundaries.</li>
 * </ul>
 * Biases and LayerNorm parameters (1-D) stay float32: they are a few KB.
 */
final class Fp16Converter {

    static final String VERSION = "fp16/1";

    enum Layout {
        WEIGHTS, COMPUTE
    }

    private final Layout layout;

    Fp16Converter() {
        this(Layout.WEIGHTS);
    }

    Fp16Converter(Layout layout) {
        this.layout = layout;
    }

    QuantizationOutcome rewrite(ModelProto model, byte[] source, QuantizationRequest request) {
        Map<String, TensorProto> initializers = GraphRewrite.initializers(model.getGraph());
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> added = new ArrayList<>();
        Map<String, String> halves = new HashMap<>();
        List<String> matmuls = new ArrayList<>();
        List<String> gathers = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        List<NodeProto> casts = new ArrayList<>();
        for (int index = 0; index < model.getGraph().getNodeCount(); index++) {
            NodeProto node = model.getGraph().getNode(index);
            String name = GraphRewrite.nodeName(node, index);
            boolean matmul = GraphRewrite.isWeightMatMul(node, initializers);
            boolean gather = !matmul && GraphRewrite.isEmbeddingGather(node, initializers);
            if (!matmul && !gather) {
                nodes.add(node);
                continue;
            }
            if (request.options().excludedNodes().contains(node.getName())) {
                excluded.add(node.getName());
                nodes.add(node);
                continue;
            }
            int weightInput = matmul ? 1 : 0;
            TensorProto weight = initializers.get(node.getInput(weightInput));
            String half = halves.get(weight.getName());
            if (half == null) {
                ModelSupport.requireInternal(weight);
                half = weight.getName() + "_fp16";
                added.add(ModelSupport.bytes(half, DataType.FLOAT16_VALUE, Tensors.dims(weight),
                        Float16.toRawData(Tensors.toFloats(weight))));
                halves.put(weight.getName(), half);
            }
            if (matmul && layout == Layout.COMPUTE) {
                String prefix = name + "_fp16";
                nodes.add(ModelSupport.cast(prefix + "/CastIn", node.getInput(0), prefix + "/x", DataType.FLOAT16_VALUE));
                nodes.add(ModelSupport.node("MatMul", prefix + "/MatMul", List.of(prefix + "/x", half), List.of(prefix + "/y")));
                nodes.add(ModelSupport.cast(prefix + "/CastOut", prefix + "/y", node.getOutput(0), DataType.FLOAT_VALUE));
            } else if (gather) {
                String gathered = name + "_fp16/gathered";
                nodes.add(node.toBuilder().setInput(0, half).setOutput(0, gathered).build());
                nodes.add(ModelSupport.cast(name + "_fp16/Cast", gathered, node.getOutput(0), DataType.FLOAT_VALUE));
            } else {
                String restored = half + "/float";
                if (casts.stream().noneMatch(c -> c.getOutput(0).equals(restored))) {
                    casts.add(ModelSupport.cast(half + "/Cast", half, restored, DataType.FLOAT_VALUE));
                }
                nodes.add(node.toBuilder().setInput(1, restored).build());
            }
            (matmul ? matmuls : gathers).add(name);
        }
        if (matmuls.isEmpty()) {
            return Quantizer.failed(QuantizationOutcome.Reason.NO_QUANTIZABLE_MATMUL,
                    "no MatMul has a 2-D float initializer as its second input"
                            + (excluded.isEmpty() ? "" : " outside the excluded nodes " + excluded));
        }
        List<NodeProto> all = new ArrayList<>(casts);
        all.addAll(nodes);
        ModelProto.Builder out = GraphRewrite.rebuild(model, all, added, Map.of());
        ModelSupport.stamp(out, model, QuantizationMode.FP16, VERSION,
                request.describe() + ",layout=" + layout.name().toLowerCase(java.util.Locale.ROOT), source, excluded);
        ModelProto result = out.build();
        return new QuantizationOutcome.Quantized(result, new QuantizationOutcome.Report(matmuls, gathers, excluded, 0,
                source.length, result.getSerializedSize()));
    }
}
