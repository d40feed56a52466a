package dev.verdant.quantization;

/** IEEE 754 binary16 conversions (Java 17 has no Float.floatToFloat16). Rounding: to nearest, ties to even. */
public final class Float16 {

    private Float16() {
    }

    /** The binary16 bits nearest to {@code value} (overflow gives infinity, NaN stays NaN). */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            int m = mantissa | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // may carry into the exponent, up to infinity: correct
        }
        return (short) (sign | half);
    }

    /** The float value of binary16 bits (exact). */
    public static float toFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0) {
            float v = mantissa * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** Little-endian binary16 bytes of {@code values}, as an ONNX FLOAT16 raw_data. */
    static byte[] toRawData(float[] values) {
        byte[] raw = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            short h = fromFloat(values[i]);
            raw[2 * i] = (byte) h;
            raw[2 * i + 1] = (byte) (h >>> 8);
        }
        return raw;
    }
}
