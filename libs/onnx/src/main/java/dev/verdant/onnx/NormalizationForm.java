package dev.verdant.onnx;

/** How the graph spells layer normalization. */
public enum NormalizationForm {
    /** One op per norm: LayerNormalization (opset 17+) or ONNX Runtime's fused variants. */
    FUSED,
    /**
     * Older exporters' (opset < 17) primitive chain:
     * {@code (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * gamma + beta} as
     * ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add.
     */
    DECOMPOSED,
    MIXED,
    NONE
}
