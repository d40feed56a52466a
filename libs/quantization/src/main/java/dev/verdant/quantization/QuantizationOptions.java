package dev.verdant.quantization;

import java.util.Set;

/**
 * How to quantize.
 *
 * @param perTensor          one weight scale per MatMul instead of one per output column
 * @param reduceRange        weights in [-64, 64] like ONNX Runtime's reduce_range (default: the full [-127, 127])
 * @param quantizeEmbeddings embedding Gathers over float tables become uint8 + DequantizeLinear
 * @param excludedNodes      node names left in float
 */
public record QuantizationOptions(boolean perTensor, boolean reduceRange, boolean quantizeEmbeddings,
        Set<String> excludedNodes) {

    public QuantizationOptions {
        excludedNodes = Set.copyOf(excludedNodes);
    }

    /** Per column, full range, embeddings quantized, nothing excluded. */
    public static QuantizationOptions defaults() {
        return new QuantizationOptions(false, false, true, Set.of());
    }

    public QuantizationOptions withPerTensor(boolean value) {
        return new QuantizationOptions(value, reduceRange, quantizeEmbeddings, excludedNodes);
    }

    public QuantizationOptions withReduceRange(boolean value) {
        return new QuantizationOptions(perTensor, value, quantizeEmbeddings, excludedNodes);
    }

    public QuantizationOptions withQuantizeEmbeddings(boolean value) {
        return new QuantizationOptions(perTensor, reduceRange, value, excludedNodes);
    }

    public QuantizationOptions withExcludedNodes(Set<String> value) {
        return new QuantizationOptions(perTensor, reduceRange, quantizeEmbeddings, value);
    }

    int qmax() {
        return reduceRange ? WeightQuantization.REDUCED_RANGE : WeightQuantization.FULL_RANGE;
    }

    /** The parameters as written to verdant.parameters. */
    String describe() {
        return "weights=" + (perTensor ? "per-tensor" : "per-column") + ",range=" + (reduceRange ? "reduced-64" : "full-127")
                + ",embeddings=" + (quantizeEmbeddings ? "uint8" : "float") + ",excluded=" + excludedNodes.stream().sorted().toList();
    }
}
