package dev.verdant.quantization;

/**
 * The arithmetic of the quantizer, kept apart from the graph rewriting so that it can be checked
 * exactly.
 *
 * <p>Weights (symmetric, zero point 0): for a MatMul weight W [in, out] and output column j,
 * {@code scale_j = max_i |W_ij| / qmax} and {@code q_ij = clamp(round(W_ij / scale_j), -qmax, qmax)},
 * with qmax 127 (full range) or 64 (ONNX Runtime's reduce_range). Per tensor, one scale
 * {@code max |W| / qmax} serves every column. A column of zeros gets scale 1 (q = 0, exact).
 * Dequantized: {@code W'_ij = q_ij x scale_j}, so {@code |W_ij - W'_ij| <= scale_j / 2}.
 *
 * <p>Embedding tables (asymmetric uint8, per tensor, zero point 128): {@code scale = 2 max|w| / 255},
 * {@code q = clamp(round(w / scale) + 128, 0, 255)}, {@code w' = (q - 128) x scale}.
 *
 * <p>Rounding is half to even, as ONNX's QuantizeLinear rounds.
 */
public final class WeightQuantization {

    public static final int FULL_RANGE = 127;
    public static final int REDUCED_RANGE = 64;
    public static final int EMBEDDING_ZERO_POINT = 128;

    private WeightQuantization() {
    }

    /** Scales of a row-major W [rows, cols]: one per column, or {@code cols} copies of one when per tensor. */
    public static float[] columnScales(float[] w, int rows, int cols, int qmax, boolean perTensor) {
        checkShape(w, rows, cols);
        float[] max = new float[cols];
        for (int i = 0; i < rows; i++) {
            int base = i * cols;
            for (int j = 0; j < cols; j++) {
                float a = Math.abs(w[base + j]);
                if (a > max[j]) {
                    max[j] = a;
                }
            }
        }
        if (perTensor) {
            float all = 0;
            for (float m : max) {
                all = Math.max(all, m);
            }
            java.util.Arrays.fill(max, all);
        }
        float[] scales = new float[cols];
        for (int j = 0; j < cols; j++) {
            scales[j] = max[j] == 0 ? 1f : max[j] / qmax;
        }
        return scales;
    }

    /** q_ij = clamp(round(W_ij / scale_j), -qmax, qmax), row-major like W. */
    public static byte[] quantizeColumns(float[] w, int rows, int cols, float[] scales, int qmax) {
        checkShape(w, rows, cols);
        byte[] q = new byte[w.length];
        for (int i = 0; i < rows; i++) {
            int base = i * cols;
            for (int j = 0; j < cols; j++) {
                double v = Math.rint(w[base + j] / scales[j]);
                q[base + j] = (byte) Math.max(-qmax, Math.min(qmax, v));
            }
        }
        return q;
    }

    /** W'_ij = q_ij x scale_j. */
    public static float[] dequantizeColumns(byte[] q, int rows, int cols, float[] scales) {
        float[] w = new float[q.length];
        for (int i = 0; i < rows; i++) {
            int base = i * cols;
            for (int j = 0; j < cols; j++) {
                w[base + j] = q[base + j] * scales[j];
            }
        }
        return w;
    }

    /** scale = 2 max|w| / 255 (1 for an all-zero table). */
    public static float embeddingScale(float[] table) {
        float max = 0;
        for (float v : table) {
            max = Math.max(max, Math.abs(v));
        }
        return max == 0 ? 1f : 2 * max / 255f;
    }

    /** q = clamp(round(w / scale) + 128, 0, 255), as unsigned bytes. */
    public static byte[] quantizeEmbedding(float[] table, float scale) {
        byte[] q = new byte[table.length];
        for (int i = 0; i < table.length; i++) {
            double v = Math.rint(table[i] / scale) + EMBEDDING_ZERO_POINT;
            q[i] = (byte) (int) Math.max(0, Math.min(255, v));
        }
        return q;
    }

    /** w' = (q - 128) x scale. */
    public static float[] dequantizeEmbedding(byte[] q, float scale) {
        float[] w = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            w[i] = ((q[i] & 0xFF) - EMBEDDING_ZERO_POINT) * scale;
        }
        return w;
    }

    private static void checkShape(float[] w, int rows, int cols) {
        if ((long) rows * cols != w.length) {
            throw new IllegalArgumentException("W has " + w.length + " values, not " + rows + " x " + cols);
        }
    }
}
