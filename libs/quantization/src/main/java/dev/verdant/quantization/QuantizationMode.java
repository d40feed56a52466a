package dev.verdant.quantization;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The quantization modes, by the names recipes and the CLI use. */
public enum QuantizationMode {
    /** int8 weights per output column, activations quantized at run time (MatMulInteger). */
    DYNAMIC_INT8("dynamic-int8"),
    /** int8 weights and activations, activation ranges calibrated on texts (QDQ format). */
    STATIC_INT8("static-int8"),
    /** float16 weights, numerically sensitive ops kept in float32. */
    FP16("fp16"),
    /** block-wise int4 weights (ONNX Runtime's com.microsoft MatMulNBits). */
    INT4("int4");

    private final String id;

    QuantizationMode(String id) {
        this.id = id;
    }

    /** The name used in recipes, the CLI and the output metadata. */
    public String id() {
        return id;
    }

    /** The mode named {@code id}, or an IllegalArgumentException listing the valid names. */
    public static QuantizationMode of(String id) {
        for (QuantizationMode mode : values()) {
            if (mode.id.equals(id)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown quantization mode '" + id + "': use one of "
                + Arrays.stream(values()).map(QuantizationMode::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
