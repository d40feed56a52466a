package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;

import java.util.Optional;
import java.util.Set;

/**
 * Layer normalizations, {@code LN(x) = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta}.
 *
 * <p>Fused: one LayerNormalization (opset 17+) or ONNX Runtime variant. Decomposed (what torch
 * exported before opset 17, MiniLM's file included): counted at its centring step, a
 * {@code Sub(x, ReduceMean(x))} whose result is squared ({@code Pow(d, 2)} or {@code Mul(d, d)}).
 *
 * @param fused      fused normalization ops
 * @param decomposed decomposed normalization chains
 */
record LayerNorms(int fused, int decomposed) {

    private static final Set<String> FUSED_OPS = Set.of("LayerNormalization", "SkipLayerNormalization",
            "SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization", "EmbedLayerNormalization");

    static LayerNorms find(GraphIndex index) {
        int fused = 0;
        int decomposed = 0;
        for (NodeProto node : index.graph().getNodeList()) {
            if (FUSED_OPS.contains(node.getOpType())) {
                fused++;
            } else if (isCentring(index, node)) {
                decomposed++;
            }
        }
        return new LayerNorms(fused, decomposed);
    }

    private static boolean isCentring(GraphIndex index, NodeProto sub) {
        if (!sub.getOpType().equals("Sub") || sub.getInputCount() != 2 || sub.getOutputCount() == 0) {
            return false;
        }
        Optional<NodeProto> mean = index.producer(sub.getInput(1))
                .filter(node -> node.getOpType().equals("ReduceMean") && node.getInputCount() > 0
                        && node.getInput(0).equals(sub.getInput(0)));
        return mean.isPresent() && index.consumers(sub.getOutput(0)).stream().anyMatch(consumer ->
                consumer.getOpType().equals("Pow")
                        || consumer.getOpType().equals("Mul") && consumer.getInputCount() == 2
                        && consumer.getInput(0).equals(consumer.getInput(1)));
    }

    int total() {
        return fused + decomposed;
    }

    NormalizationForm form() {
        if (fused > 0 && decomposed > 0) {
            return NormalizationForm.MIXED;
        }
        if (fused > 0) {
            return NormalizationForm.FUSED;
        }
        return decomposed > 0 ? NormalizationForm.DECOMPOSED : NormalizationForm.NONE;
    }
}
