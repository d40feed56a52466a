package dev.verdant.carbon;

import java.math.BigDecimal;

/** Argument checks and plain number formatting shared by the formulas. */
final class Quantities {
    /** Joules in one kilowatt-hour: 1 kWh = 1000 W x 3600 s. */
    static final double JOULES_PER_KWH = 3.6e6;

    private Quantities() {
    }

    /** Fails with a message naming the quantity when it is negative, NaN or infinite. */
    static double requireNonNegative(String what, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + value);
        }
        return value;
    }

    static double requirePositive(String what, double value) {
        if (!Double.isFinite(value) || value <= 0) {
            throw new IllegalArgumentException(what + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    /** 85.0 -> "85", 0.375 -> "0.375": no exponent, no trailing zeros. */
    static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
