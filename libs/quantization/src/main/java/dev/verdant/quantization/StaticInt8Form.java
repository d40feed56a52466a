package dev.verdant.quantization;

import java.util.Arrays;
import java.util.Locale;

/** The graph form of each static-int8 MatMul (docs/quantization.md compares their latency). */
public enum StaticInt8Form {
    /**
     * QDQ: {@code MatMul(DequantizeLinear(QuantizeLinear(x)), DequantizeLinear(W_q, w_scale, 0, axis=1))}, the model raised
     * to opset 13 ({@link OpsetUpgrade}); ONNX Runtime fuses each group into MatMulIntegerToFloat at load. A model that
     * cannot be raised gets {@link #MATMUL_INTEGER_TO_FLOAT}, with the reason in verdant.parameters.
     */
    QDQ("qdq"),
    /** com.microsoft:MatMulIntegerToFloat written directly, the bias Add folded in. */
    MATMUL_INTEGER_TO_FLOAT("matmulintegertofloat"),
    /** Standard ops at the model's opset: MatMulInteger -> Cast -> Mul by the folded constant s_x w_scale_j. */
    MATMUL_INTEGER("matmulinteger");

    private final String id;

    StaticInt8Form(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** @throws IllegalArgumentException naming the allowed forms */
    public static StaticInt8Form of(String id) {
        for (StaticInt8Form form : values()) {
            if (form.id.equalsIgnoreCase(id)) {
                return form;
            }
        }
        throw new IllegalArgumentException("static-int8 form '" + id + "' is unknown: use "
                + String.join(", ", Arrays.stream(values()).map(f -> f.id).toList()));
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
