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
 * int4 weight-only: each weight MatMul becomes ONNX Runtime's {@code com.microsoft:MatMulNBits} (bits 4) over
 * {@link Int4Blocks} (asymmetric, a zero point per block); embedding tables become uint8 as in dynamic-int8.
 * Activations stay float.
 */
final class Int4Quantizer {

    static final String VERSION = "int4/2";
    static final String DOMAIN = "com.microsoft";

    private final boolean symmetric;
    private final int accuracyLevel;

    Int4Quantizer() {
        this(false, DEFAULT_ACCURACY_LEVEL);
    }

    /**
     * @param accuracyLevel MatMulNBits' accuracy_level: 0 (unset: float compute) or 4 (activations quantized to int8
     *                      per block inside the kernel)
     */
    Int4Quantizer(boolean symmetric, int accuracyLevel) {
        this.symmetric = symmetric;
        this.accuracyLevel = accuracyLevel;
    }

    /** See docs/quantization.md for the measurement behind it. */
    static final int DEFAULT_ACCURACY_LEVEL = 4;

    QuantizationOutcome rewrite(ModelProto model, byte[] source, QuantizationRequest request) {
        Map<String, TensorProto> initializers = GraphRewrite.initializers(model.getGraph());
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> added = new ArrayList<>();
        Map<String, String[]> weights = new HashMap<>();
        Map<String, String[]> tables = new HashMap<>();
        List<String> matmuls = new ArrayList<>();
        List<String> gathers = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        int blockSize = request.blockSize();
        for (int index = 0; index < model.getGraph().getNodeCount(); index++) {
            NodeProto node = model.getGraph().getNode(index);
            String name = GraphRewrite.nodeName(node, index);
            boolean matmul = GraphRewrite.isWeightMatMul(node, initializers);
            boolean gather = !matmul && request.options().quantizeEmbeddings() && GraphRewrite.isEmbeddingGather(node, initializers);
            if (!matmul && !gather) {
                nodes.add(node);
                continue;
            }
            if (request.options().excludedNodes().contains(node.getName())) {
                excluded.add(node.getName());
                nodes.add(node);
                continue;
            }
            if (gather) {
                GraphRewrite.quantizeEmbedding(node, name, initializers.get(node.getInput(0)), tables, nodes, added,
                        request.options());
                gathers.add(name);
                continue;
            }
            TensorProto weight = initializers.get(node.getInput(1));
            int k = (int) weight.getDims(0);
            int n = (int) weight.getDims(1);
            String[] q = weights.get(weight.getName());
            if (q == null) {
                ModelSupport.requireInternal(weight);
                Int4Blocks blocks = Int4Blocks.quantize(Tensors.toFloats(weight), k, n, blockSize, symmetric);
                String base = weight.getName() + "_int4";
                q = new String[] {base + "/B", base + "/scales", symmetric ? "" : base + "/zero_points"};
                added.add(ModelSupport.bytes(q[0], DataType.UINT8_VALUE,
                        new long[] {n, blocks.blocks(), blockSize / 2}, blocks.packed()));
                added.add(Tensors.ofFloats(q[1], new long[] {(long) n * blocks.blocks()}, blocks.scales()));
                if (!symmetric) {
                    added.add(ModelSupport.bytes(q[2], DataType.UINT8_VALUE, new long[] {blocks.zeroPoints().length},
                            blocks.zeroPoints()));
                }
                weights.put(weight.getName(), q);
            }
            List<String> inputs = symmetric ? List.of(node.getInput(0), q[0], q[1]) : List.of(node.getInput(0), q[0], q[1], q[2]);
            NodeProto.Builder nbits = ModelSupport.node("MatMulNBits", name + "_int4/MatMulNBits", inputs,
                    List.of(node.getOutput(0))).toBuilder().setDomain(DOMAIN)
                    .addAttribute(ModelSupport.intAttribute("K", k))
                    .addAttribute(ModelSupport.intAttribute("N", n))
                    .addAttribute(ModelSupport.intAttribute("bits", 4))
                    .addAttribute(ModelSupport.intAttribute("block_size", blockSize));
            if (accuracyLevel != 0) {
                nbits.addAttribute(ModelSupport.intAttribute("accuracy_level", accuracyLevel));
            }
            nodes.add(nbits.build());
            matmuls.add(name);
        }
        if (matmuls.isEmpty()) {
            return Quantizer.failed(QuantizationOutcome.Reason.NO_QUANTIZABLE_MATMUL,
                    "no MatMul has a 2-D float initializer as its second input"
                            + (excluded.isEmpty() ? "" : " outside the excluded nodes " + excluded));
        }
        ModelProto.Builder out = GraphRewrite.rebuild(model, nodes, added, Map.of(DOMAIN, 1L));
        ModelSupport.stamp(out, model, QuantizationMode.INT4, VERSION, request.describe().replace("symmetric=false",
                "symmetric=" + symmetric) + ",accuracyLevel=" + accuracyLevel, source, excluded);
        ModelProto result = out.build();
        return new QuantizationOutcome.Quantized(result, new QuantizationOutcome.Report(matmuls, gathers, excluded, 0,
                source.length, result.getSerializedSize()));
    }
}
