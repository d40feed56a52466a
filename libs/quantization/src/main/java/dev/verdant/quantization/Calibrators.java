package dev.verdant.quantization;

/**
 * Activation-range calibrators for static-int8, over what {@link ActivationStatistics} saw of one tensor.
 *
 * <ul>
 *   <li>MinMax: [min, max] of everything seen.</li>
 *   <li>Percentile: [the (100 - p) % value, the p % value] of the signed histogram (p = 99.99 by default), read at
 *       bin edges (the upper edge of the bin where the cumulative count reaches the quantile).</li>
 *   <li>Entropy (TensorRT's KL calibration): over the histogram of |x| (2048 bins over [0, max|x|]), for every
 *       candidate threshold of i bins (i = 128 .. 2048): P = the first i bins with everything beyond folded into
 *       bin i - 1; Q = the first i bins merged into 128 levels, each level's count spread evenly over the bins where
 *       P is not empty; the threshold is the i with the least KL(P || Q), at the upper edge of bin i - 1
 *       ({@code i x width}). The range is then [max(min, -T), min(max, T)].</li>
 * </ul>
 * The range always contains 0 (so 0 is exact, as ONNX needs for padding); see {@link #uint8}.
 */
public final class Calibrators {

    public static final double DEFAULT_PERCENTILE = 99.99;
    public static final int QUANTIZED_BINS = 128;

    private Calibrators() {
    }

    /** An activation range. */
    public record Range(float min, float max) {
    }

    /** uint8 asymmetric parameters of a range: x ~ scale (q - zeroPoint), q in [0, 255]. */
    public record Uint8(float scale, int zeroPoint) {
    }

    /**
     * scale = (hi - lo) / 255 with lo = min(0, min), hi = max(0, max) (1 when the range is empty);
     * zeroPoint = clamp(round(-lo / scale), 0, 255).
     */
    public static Uint8 uint8(Range range) {
        float lo = Math.min(0f, range.min());
        float hi = Math.max(0f, range.max());
        if (hi == lo) {
            return new Uint8(1f, 0);
        }
        float scale = (hi - lo) / 255f;
        int zeroPoint = (int) Math.max(0, Math.min(255, Math.rint(-lo / scale)));
        return new Uint8(scale, zeroPoint);
    }

    public static Range minMax(ActivationStatistics statistics) {
        return new Range(statistics.min(), statistics.max());
    }

    /** The percentile range (e.g. 99.99 gives [0.01 %, 99.99 %]) from the signed histogram. */
    public static Range percentile(ActivationStatistics statistics, double percentile) {
        if (percentile <= 50 || percentile > 100) {
            throw new IllegalArgumentException("percentile " + percentile + " must be in (50, 100]");
        }
        long[] counts = statistics.signedCounts();
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return new Range(0, 0);
        }
        double width = ((double) statistics.max() - statistics.min()) / counts.length;
        double upperTarget = total * percentile / 100.0;
        double lowerTarget = total * (100.0 - percentile) / 100.0;
        long cumulative = 0;
        int lowerBin = 0;
        int upperBin = counts.length - 1;
        boolean lowerFound = false;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i];
            if (!lowerFound && cumulative > lowerTarget) {
                lowerBin = i;
                lowerFound = true;
            }
            if (cumulative >= upperTarget) {
                upperBin = i;
                break;
            }
        }
        float lo = (float) (statistics.min() + lowerBin * width);
        float hi = (float) (statistics.min() + (upperBin + 1) * width);
        return new Range(Math.max(statistics.min(), lo), Math.min(statistics.max(), hi));
    }

    public static Range entropy(ActivationStatistics statistics) {
        float threshold = entropyThreshold(statistics.absCounts(), statistics.absMax());
        return new Range(Math.max(statistics.min(), -threshold), Math.min(statistics.max(), threshold));
    }

    /** TensorRT's KL threshold over a histogram of |x| whose bins evenly cover [0, absMax]. */
    public static float entropyThreshold(long[] histogram, float absMax) {
        int bins = histogram.length;
        if (bins <= QUANTIZED_BINS) {
            return absMax;
        }
        double width = (double) absMax / bins;
        double best = Double.POSITIVE_INFINITY;
        int bestBins = bins;
        for (int i = QUANTIZED_BINS; i <= bins; i++) {
            double[] p = new double[i];
            for (int j = 0; j < i; j++) {
                p[j] = histogram[j];
            }
            double outliers = 0;
            for (int j = i; j < bins; j++) {
                outliers += histogram[j];
            }
            p[i - 1] += outliers;
            double[] q = new double[i];
            int merged = i / QUANTIZED_BINS;
            for (int level = 0; level < QUANTIZED_BINS; level++) {
                int start = level * merged;
                int end = level == QUANTIZED_BINS - 1 ? i : start + merged;
                double sum = 0;
                int nonEmpty = 0;
                for (int j = start; j < end; j++) {
                    sum += histogram[j];
                    if (p[j] != 0) {
                        nonEmpty++;
                    }
                }
                if (nonEmpty > 0) {
                    for (int j = start; j < end; j++) {
                        q[j] = p[j] != 0 ? sum / nonEmpty : 0;
                    }
                }
            }
            double divergence = klDivergence(p, q);
            if (divergence < best) {
                best = divergence;
                bestBins = i;
            }
        }
        return (float) (bestBins * width);
    }

    /** KL(P || Q) of two unnormalised histograms; a bin with P > 0 and Q = 0 counts as a large penalty. */
    static double klDivergence(double[] p, double[] q) {
        double sumP = 0;
        double sumQ = 0;
        for (int j = 0; j < p.length; j++) {
            sumP += p[j];
            sumQ += q[j];
        }
        if (sumP == 0) {
            return 0;
        }
        double divergence = 0;
        for (int j = 0; j < p.length; j++) {
            if (p[j] == 0) {
                continue;
            }
            double pj = p[j] / sumP;
            if (q[j] == 0 || sumQ == 0) {
                divergence += pj * 1e3; // P mass that Q cannot represent
                continue;
            }
            double qj = q[j] / sumQ;
            divergence += pj * Math.log(pj / qj);
        }
        return divergence;
    }

    /** The range the method gives. */
    public static Range range(CalibrationMethod method, ActivationStatistics statistics) {
        switch (method) {
            case PERCENTILE:
                return percentile(statistics, DEFAULT_PERCENTILE);
            case ENTROPY:
                return entropy(statistics);
            default:
                return minMax(statistics);
        }
    }
}
