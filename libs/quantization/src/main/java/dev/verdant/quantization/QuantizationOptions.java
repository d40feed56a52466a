package dev.verdant.quantization;

import java.util.Set;

/**
 * How to quantize.
 *
 * @param perTensor            one weight scale per MatMul instead of one per output column
 * @param reduceRange          weights in [-64, 64] like ONNX Runtime's reduce_range (default: the full [-127, 127])
 * @param quantizeEmbeddings   embedding Gathers over float tables read an 8-bit copy
 * @param excludedNodes        node names left in float
 * @param perColumnEmbeddings  embedding tables int8 with one scale per hidden column ({@code Gather -> Cast -> Mul});
 *                             false: ONNX Runtime's form, uint8 with one scale per table ({@code Gather -> DequantizeLinear})
 * @param mseScales            each weight (and per-column embedding) scale is the clip that minimises the squared
 *                             rounding error of its column ({@link WeightQuantization#mseScales}); false: max|w| / qmax
 */
public record QuantizationOptions(boolean perTensor, boolean reduceRange, boolean quantizeEmbeddings,
        Set<String> excludedNodes, boolean perColumnEmbeddings, boolean mseScales) {

    public QuantizationOptions {
        excludedNodes = Set.copyOf(excludedNodes);
    }

    /** Without the two scale choices (per-tensor embeddings, max scales): the form before they existed. */
    public QuantizationOptions(boolean perTensor, boolean reduceRange, boolean quantizeEmbeddings, Set<String> excludedNodes) {
        this(perTensor, reduceRange, quantizeEmbeddings, excludedNodes, false, false);
    }

    /**
     * Per column, full range, MSE scales, embeddings quantized per table (ONNX Runtime's form), nothing excluded: of the
     * four combinations of {max, MSE} scales and {per-table, per-column} embeddings, the best STS-B dev Spearman
     * (docs/quantization.md).
     */
    public static QuantizationOptions defaults() {
        return new QuantizationOptions(false, false, true, Set.of(), false, true);
    }

    public QuantizationOptions withPerTensor(boolean value) {
        return new QuantizationOptions(value, reduceRange, quantizeEmbeddings, excludedNodes, perColumnEmbeddings, mseScales);
    }

    public QuantizationOptions withReduceRange(boolean value) {
        return new QuantizationOptions(perTensor, value, quantizeEmbeddings, excludedNodes, perColumnEmbeddings, mseScales);
    }

    public QuantizationOptions withQuantizeEmbeddings(boolean value) {
        return new QuantizationOptions(perTensor, reduceRange, value, excludedNodes, perColumnEmbeddings, mseScales);
    }

    public QuantizationOptions withExcludedNodes(Set<String> value) {
        return new QuantizationOptions(perTensor, reduceRange, quantizeEmbeddings, value, perColumnEmbeddings, mseScales);
    }

    public QuantizationOptions withPerColumnEmbeddings(boolean value) {
        return new QuantizationOptions(perTensor, reduceRange, quantizeEmbeddings, excludedNodes, value, mseScales);
    }

    public QuantizationOptions withMseScales(boolean value) {
        return new QuantizationOptions(perTensor, reduceRange, quantizeEmbeddings, excludedNodes, perColumnEmbeddings, value);
    }

    int qmax() {
        return reduceRange ? WeightQuantization.REDUCED_RANGE : WeightQuantization.FULL_RANGE;
    }

    /** Weight scales of a row-major W [rows, cols] under these options. */
    float[] weightScales(float[] w, int rows, int cols) {
        return mseScales ? WeightQuantization.mseScales(w, rows, cols, qmax(), perTensor)
                : WeightQuantization.columnScales(w, rows, cols, qmax(), perTensor);
    }

    /** The weight and embedding parameters as written to verdant.parameters. */
    String describeWeights() {
        return "weights=" + (perTensor ? "per-tensor" : "per-column") + ",range=" + (reduceRange ? "reduced-64" : "full-127")
                + ",scales=" + (mseScales ? "mse" : "max")
                + ",embeddings=" + (!quantizeEmbeddings ? "float" : perColumnEmbeddings ? "int8-per-column" : "uint8-per-tensor");
    }

    /** The parameters as written to verdant.parameters. */
    String describe() {
        return describeWeights() + ",excluded=" + excludedNodes.stream().sorted().toList();
    }
}
