package dev.verdant.evaluation;

/**
 * Mean pooling of token vectors into one sentence vector, weighted by the attention mask, as
 * sentence-transformers does for all-MiniLM-L6-v2:
 * <pre>
 *   e[b] = sum_t mask[b, t] h[b, t, :] / max(sum_t mask[b, t], 1e-9)
 * </pre>
 * Padding tokens (mask 0) do not count, so a sentence gets the same vector whatever the length
 * of the longest sentence in its batch. Sums run in double, in token order: the same input gives
 * the same bits every time.
 */
public final class Pooling {

    /** sentence-transformers' clamp: a sentence whose mask is all 0 gets the zero vector, not NaN. */
    static final double MIN_TOKEN_WEIGHT = 1e-9;

    private Pooling() {
    }

    /**
     * @param hidden   the encoder output [batch, sequence, dim], row-major (as ONNX Runtime returns it)
     * @param mask     the attention mask [batch, sequence], row-major; 1 for real tokens, 0 for padding
     * @param batch    sentences in the batch
     * @param sequence tokens per sentence after padding
     * @param dim      vector width
     * @return one vector of {@code dim} per sentence
     */
    public static float[][] mean(float[] hidden, long[] mask, int batch, int sequence, int dim) {
        if ((long) batch * sequence * dim != hidden.length) {
            throw new IllegalArgumentException("hidden has " + hidden.length + " values, [" + batch + ", " + sequence
                    + ", " + dim + "] needs " + (long) batch * sequence * dim);
        }
        if ((long) batch * sequence != mask.length) {
            throw new IllegalArgumentException("mask has " + mask.length + " values, [" + batch + ", " + sequence
                    + "] needs " + (long) batch * sequence);
        }
        float[][] pooled = new float[batch][dim];
        double[] sum = new double[dim];
        for (int b = 0; b < batch; b++) {
            java.util.Arrays.fill(sum, 0);
            double weight = 0;
            for (int t = 0; t < sequence; t++) {
                long m = mask[b * sequence + t];
                if (m == 0) {
                    continue;
                }
                weight += m;
                int offset = (b * sequence + t) * dim;
                for (int d = 0; d < dim; d++) {
                    sum[d] += m * (double) hidden[offset + d];
                }
            }
            double divisor = Math.max(weight, MIN_TOKEN_WEIGHT);
            for (int d = 0; d < dim; d++) {
                pooled[b][d] = (float) (sum[d] / divisor);
            }
        }
        return pooled;
    }
}
