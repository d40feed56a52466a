package dev.verdant.quantization;

/**
 * What calibration saw of one activation tensor: min and max (first pass), then, for percentile and entropy,
 * a signed histogram over [min, max] and a histogram of |x| over [0, max|x|] (second pass, the range fixed).
 */
public final class ActivationStatistics {

    public static final int BINS = 2048;

    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private long[] signedCounts;
    private long[] absCounts;
    private long seen;
    private float[] channelAbsMax;

    /** First pass: the range. */
    public void observeRange(float[] values) {
        for (float v : values) {
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        seen += values.length;
    }

    /**
     * First pass, per channel: max|x| of each index of the last dimension ({@code channels} of them; values laid out
     * row-major). Smoothing ({@link Smoothing}) reads it.
     */
    public void observeChannels(float[] values, int channels) {
        if (channels <= 0 || values.length % channels != 0) {
            return;
        }
        if (channelAbsMax == null) {
            channelAbsMax = new float[channels];
        } else if (channelAbsMax.length != channels) {
            throw new IllegalStateException("the last dimension changed from " + channelAbsMax.length + " to " + channels);
        }
        for (int i = 0; i < values.length; i += channels) {
            for (int c = 0; c < channels; c++) {
                float a = Math.abs(values[i + c]);
                if (a > channelAbsMax[c]) {
                    channelAbsMax[c] = a;
                }
            }
        }
    }

    /** max|x| per index of the last dimension, or an empty array when channels were not observed. */
    public float[] channelAbsMax() {
        return channelAbsMax == null ? new float[0] : channelAbsMax.clone();
    }

    /** Second pass: the histograms over the range fixed by the first pass. */
    public void observeHistogram(float[] values) {
        if (seen == 0) {
            throw new IllegalStateException("observeRange first: the histograms need the range");
        }
        if (signedCounts == null) {
            signedCounts = new long[BINS];
            absCounts = new long[BINS];
        }
        double span = (double) max - min;
        double absMax = absMax();
        for (float v : values) {
            int s = span == 0 ? 0 : (int) ((v - min) / span * BINS);
            signedCounts[Math.max(0, Math.min(BINS - 1, s))]++;
            int a = absMax == 0 ? 0 : (int) (Math.abs(v) / absMax * BINS);
            absCounts[Math.max(0, Math.min(BINS - 1, a))]++;
        }
    }

    public float min() {
        return seen == 0 ? 0 : min;
    }

    public float max() {
        return seen == 0 ? 0 : max;
    }

    public float absMax() {
        return Math.max(Math.abs(min()), Math.abs(max()));
    }

    public long seen() {
        return seen;
    }

    public long[] signedCounts() {
        return signedCounts == null ? new long[BINS] : signedCounts.clone();
    }

    public long[] absCounts() {
        return absCounts == null ? new long[BINS] : absCounts.clone();
    }
}
