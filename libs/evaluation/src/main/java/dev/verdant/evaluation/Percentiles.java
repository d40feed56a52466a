package dev.verdant.evaluation;

import java.util.Arrays;

/**
 * Percentiles of measured samples by linear interpolation between the closest ranks (NumPy's
 * default, Hyndman and Fan type 7): for sorted samples x[0..n-1] and p in [0, 1],
 * <pre>
 *   h = (n - 1) p,   P(p) = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])
 * </pre>
 * so P(0) is the minimum, P(1) the maximum and P(0.5) the usual median (the mean of the two middle
 * values when n is even).
 */
public final class Percentiles {

    private Percentiles() {
    }

    /** @param p in [0, 1], e.g. 0.95 for p95 */
    public static double of(double[] samples, double p) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples: a percentile needs at least one");
        }
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("percentile must be in [0, 1], got " + p);
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        double h = (sorted.length - 1) * p;
        int low = (int) Math.floor(h);
        if (low >= sorted.length - 1) {
            return sorted[sorted.length - 1];
        }
        return sorted[low] + (h - low) * (sorted[low + 1] - sorted[low]);
    }

    public static double median(double[] samples) {
        return of(samples, 0.5);
    }
}
