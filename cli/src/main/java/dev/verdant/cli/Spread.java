package dev.verdant.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A figure measured several times: how many repetitions, and their min, median and max. The median
 * of an even count is the mean of the two middle values. Benchmarks on a shared machine quote the
 * median and show the range, so that one disturbed repetition is visible rather than averaged in.
 */
record Spread(int n, double min, double median, double max) {

    Spread {
        if (n < 1) {
            throw new IllegalArgumentException("a spread needs at least one value");
        }
    }

    static Spread of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("a spread needs at least one value");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        for (double v : sorted) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("a spread of values that include NaN: " + Arrays.toString(values));
            }
        }
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Spread(n, sorted[0], median, sorted[n - 1]);
    }

    static Spread of(List<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * Paired ratios: {@code numerators[i] / denominators[i]} for every i, as a spread. Taken within a
     * repetition, a ratio cancels load that hit both figures alike, which absolute times on a shared
     * machine cannot.
     */
    static Spread ratios(double[] numerators, double[] denominators) {
        if (numerators.length != denominators.length) {
            throw new IllegalArgumentException("paired ratios need as many numerators as denominators: "
                    + numerators.length + " vs " + denominators.length);
        }
        double[] ratios = new double[numerators.length];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = numerators[i] / denominators[i];
        }
        return of(ratios);
    }

    /** "median (min–max)" with the given format for each number, or the value alone when there is one. */
    String format(String numberFormat) {
        String median = String.format(Locale.ROOT, numberFormat, this.median);
        if (n == 1) {
            return median;
        }
        return median + " (" + String.format(Locale.ROOT, numberFormat, min) + "–"
                + String.format(Locale.ROOT, numberFormat, max) + ")";
    }

    /** {@link #format} of the ratio with an "x": "0.61x (0.55–0.70)". */
    String formatRatio() {
        String median = String.format(Locale.ROOT, "%.2fx", this.median);
        return n == 1 ? median : median + String.format(Locale.ROOT, " (%.2f–%.2f)", min, max);
    }
}
