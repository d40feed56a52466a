package dev.verdant.quantization;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How static-int8 turns observed activations into a range (see {@link Calibrators}). */
public enum CalibrationMethod {
    /** The smallest and largest value seen. */
    MINMAX("minmax"),
    /** The 0.01 % and 99.99 % percentiles of the values seen (outliers clipped). */
    PERCENTILE("percentile"),
    /** The symmetric threshold whose clipped, quantized histogram is closest in KL divergence (TensorRT style). */
    ENTROPY("entropy");

    private final String id;

    CalibrationMethod(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static CalibrationMethod of(String id) {
        for (CalibrationMethod method : values()) {
            if (method.id.equals(id)) {
                return method;
            }
        }
        throw new IllegalArgumentException("unknown calibration method '" + id + "': use one of "
                + Arrays.stream(values()).map(CalibrationMethod::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
