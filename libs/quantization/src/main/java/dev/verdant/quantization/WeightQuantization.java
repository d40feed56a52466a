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
 * <p>MSE scales ({@link #mseScales}): the clip {@code c_j = r max_i |W_ij|} with r in {0.60, 0.61, .., 1.00} that
 * minimises {@code sum_i (W_ij - Q_c(W_ij))^2}, {@code Q_c(w) = s clamp(round(w / s), -qmax, qmax)}, {@code s = c / qmax};
 * r = 1 (the max scale) is a candidate, so the error is never larger than with max scales. Clipping a few outliers buys
 * a finer step for every other weight of the column.
 *
 * <p>Per-column embedding tables (int8, symmetric, one scale per hidden column j of a [vocab, hidden] table): the
 * same rule as weight columns; BERT's tables have a few hidden dimensions with values 4-25x the others (MiniLM: word
 * max|w| 1.05 against a median column max of 0.26; position 1.87 against 0.07), which a per-table scale spends its
 * 255 levels on.
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

    /** Clip ratios tried by {@link #mseScales}: 0.60 to 1.00 in steps of 0.01. */
    static final int MSE_STEPS = 40;
    static final double MSE_LOWEST_RATIO = 0.60;

    /**
     * Scales of a row-major W [rows, cols] chosen to minimise the squared rounding error: per column (or, per tensor,
     * over the whole matrix) the best of the clips {@code r x max|W|}, r = 0.60 .. 1.00 (see the class comment).
     */
    public static float[] mseScales(float[] w, int rows, int cols, int qmax, boolean perTensor) {
        float[] max = columnScales(w, rows, cols, qmax, perTensor);
        for (int j = 0; j < cols; j++) {
            max[j] *= qmax; // back to max|W| (1 x qmax for an all-zero column, whose error is 0 whatever the scale)
        }
        double[][] errors = new double[MSE_STEPS + 1][cols];
        for (int step = 0; step <= MSE_STEPS; step++) {
            double ratio = MSE_LOWEST_RATIO + (1 - MSE_LOWEST_RATIO) * step / MSE_STEPS;
            double[] error = errors[step];
            float[] scale = new float[cols];
            for (int j = 0; j < cols; j++) {
                scale[j] = (float) (max[j] * ratio / qmax);
            }
            for (int i = 0; i < rows; i++) {
                int base = i * cols;
                for (int j = 0; j < cols; j++) {
                    float v = w[base + j];
                    double q = Math.max(-qmax, Math.min(qmax, Math.rint(v / scale[j])));
                    double d = v - q * scale[j];
                    error[j] += d * d;
                }
            }
        }
        float[] scales = new float[cols];
        if (perTensor) {
            int best = MSE_STEPS;
            double bestError = Double.POSITIVE_INFINITY;
            for (int step = MSE_STEPS; step >= 0; step--) {
                double total = 0;
                for (double e : errors[step]) {
                    total += e;
                }
                if (total < bestError) {
                    bestError = total;
                    best = step;
                }
            }
            double ratio = MSE_LOWEST_RATIO + (1 - MSE_LOWEST_RATIO) * best / MSE_STEPS;
            java.util.Arrays.fill(scales, (float) (max[0] * ratio / qmax));
            return scales;
        }
        for (int j = 0; j < cols; j++) {
            int best = MSE_STEPS;
            for (int step = MSE_STEPS - 1; step >= 0; step--) {
                if (errors[step][j] < errors[best][j]) {
                    best = step;
                }
            }
            double ratio = MSE_LOWEST_RATIO + (1 - MSE_LOWEST_RATIO) * best / MSE_STEPS;
            scales[j] = (float) (max[j] * ratio / qmax);
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
