package dev.verdant.onnx;

/** The feed-forward activation found between the two FFN MatMuls of an encoder layer. */
public enum Activation {
    /** Exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)): an Erf node, or a Gelu/BiasGelu op. */
    GELU,
    /** The tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), or FastGelu. */
    GELU_TANH,
    RELU,
    /** x * sigmoid(x) (also QuickGelu's x * sigmoid(1.702 x)). */
    SILU,
    UNKNOWN
}
