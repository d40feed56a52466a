package dev.verdant.evaluation;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Spearman's rank correlation: the Pearson correlation of the ranks.
 *
 * <p>Ties get the average of the ranks they span (the "fractional" ranking that SciPy's
 * {@code spearmanr} and MTEB use), so that with ties the figure matches the published ones. For
 * example the values {10, 20, 20, 30} get the ranks {1, 2.5, 2.5, 4}.
 *
 * <p>rho = sum((rx - mean rx)(ry - mean ry)) / sqrt(sum((rx - mean rx)^2) sum((ry - mean ry)^2)).
 * The textbook shortcut 1 - 6 sum(d^2) / (n (n^2 - 1)) is exact only without ties, so it is not used.
 */
public final class Spearman {

    private Spearman() {
    }

    /**
     * @return rho in [-1, 1]; NaN when either side has no spread (every value equal), where the
     *         correlation is undefined
     * @throws IllegalArgumentException when the lengths differ, there are fewer than 2 values, or
     *                                  a value is NaN (NaN has no rank)
     */
    public static double correlation(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("Spearman needs paired values: got " + x.length + " and " + y.length);
        }
        if (x.length < 2) {
            throw new IllegalArgumentException("Spearman needs at least 2 pairs, got " + x.length);
        }
        return pearson(ranks(x), ranks(y));
    }

    /** Ranks 1..n, ties averaged: a run of equal values at sorted positions i..j (0-based) all get (i + j) / 2 + 1. */
    public static double[] ranks(double[] values) {
        for (double value : values) {
            if (Double.isNaN(value)) {
                throw new IllegalArgumentException("cannot rank NaN");
            }
        }
        Integer[] order = IntStream.range(0, values.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[values.length];
        int start = 0;
        while (start < order.length) {
            int end = start;
            while (end + 1 < order.length && values[order[end + 1]] == values[order[start]]) {
                end++;
            }
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) {
                ranks[order[k]] = rank;
            }
            start = end + 1;
        }
        return ranks;
    }

    static double pearson(double[] x, double[] y) {
        double meanX = Arrays.stream(x).average().orElseThrow();
        double meanY = Arrays.stream(y).average().orElseThrow();
        double covariance = 0;
        double varianceX = 0;
        double varianceY = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - meanX;
            double dy = y[i] - meanY;
            covariance += dx * dy;
            varianceX += dx * dx;
            varianceY += dy * dy;
        }
        if (varianceX == 0 || varianceY == 0) {
            return Double.NaN;
        }
        return covariance / Math.sqrt(varianceX * varianceY);
    }
}
