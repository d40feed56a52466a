package dev.verdant.evaluation;

/** Vector arithmetic on embeddings, in double so the result does not depend on summation width. */
final class Vectors {

    private Vectors() {
    }

    /**
     * cos(a, b) = a.b / (|a| |b|); 0 when either vector is zero (no direction: no similarity).
     */
    static double cosine(float[] a, float[] b) {
        requireSameWidth(a, b);
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        if (normA == 0 || normB == 0) {
            return 0;
        }
        return dot / Math.sqrt(normA * normB);
    }

    /** Sum of squared differences, sum_i (a_i - b_i)^2. */
    static double squaredDistance(float[] a, float[] b) {
        requireSameWidth(a, b);
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    static boolean allFinite(float[] vector) {
        for (float value : vector) {
            if (!Float.isFinite(value)) {
                return false;
            }
        }
        return true;
    }

    private static void requireSameWidth(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors of different width: " + a.length + " and " + b.length);
        }
    }
}
