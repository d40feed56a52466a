package dev.verdant.quantization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CalibratorsTest {

    private static ActivationStatistics seen(float[] values, boolean histograms) {
        ActivationStatistics statistics = new ActivationStatistics();
        statistics.observeRange(values);
        if (histograms) {
            statistics.observeHistogram(values);
        }
        return statistics;
    }

    @Test
    void minMaxAndItsUint8Parameters() {
        ActivationStatistics statistics = new ActivationStatistics();
        statistics.observeRange(new float[] {-1f, 3f});
        statistics.observeRange(new float[] {2f, 0.5f});
        Calibrators.Range range = Calibrators.minMax(statistics);
        assertThat(range).isEqualTo(new Calibrators.Range(-1f, 3f));
        // scale = 4 / 255, zero point = round(1 / (4 / 255)) = round(63.75) = 64.
        Calibrators.Uint8 q = Calibrators.uint8(range);
        assertThat(q.scale()).isCloseTo(4f / 255f, within(1e-9f));
        assertThat(q.zeroPoint()).isEqualTo(64);
        // A range that excludes 0 is widened to include it: [2, 5] -> [0, 5], zero point 0.
        assertThat(Calibrators.uint8(new Calibrators.Range(2f, 5f))).isEqualTo(new Calibrators.Uint8(5f / 255f, 0));
        // All negative: [-5, -1] -> [-5, 0], zero point 255.
        assertThat(Calibrators.uint8(new Calibrators.Range(-5f, -1f)).zeroPoint()).isEqualTo(255);
        assertThat(Calibrators.uint8(new Calibrators.Range(0f, 0f))).isEqualTo(new Calibrators.Uint8(1f, 0));
    }

    @Test
    void percentileClipsTheRareTails() {
        // 0, 1, ..., 2047 once each (one value per bin over [0, 2047], bins 0.99951 wide) plus 1 value at -2047.
        float[] values = new float[2049];
        for (int i = 0; i < 2048; i++) {
            values[i] = i;
        }
        values[2048] = -2047;
        ActivationStatistics statistics = seen(values, true);
        // Over [-2047, 2047] with 2048 bins (width 4094 / 2048): total 2049; 99 % of it = 2028.51 values: the cumulative count
        // reaches that near 2027: the upper edge of that bin is the percentile.
        Calibrators.Range range = Calibrators.percentile(statistics, 99.0);
        long[] counts = statistics.signedCounts();
        long cumulative = 0;
        int upperBin = -1;
        for (int b = 0; b < counts.length; b++) {
            cumulative += counts[b];
            if (cumulative >= 2049 * 0.99) {
                upperBin = b;
                break;
            }
        }
        float width = 4094f / 2048f;
        assertThat(range.max()).isCloseTo(-2047f + (upperBin + 1) * width, within(1e-2f));
        assertThat(range.max()).isBetween(2026f, 2029f); // the top 1 % (20 of 2049 values: 2028 .. 2047) clipped
        // The lower 1 % (20.49 values) is the lone -2047 and the 20 lowest bins of 0..: the bin where the count passes 20.49.
        assertThat(range.min()).isBetween(17f, 20f); // -2047 and 0 .. 19 make 21 > 20.49: the bin holding 19
        // At 100 % the range is min .. max.
        assertThat(Calibrators.percentile(statistics, 100.0)).isEqualTo(new Calibrators.Range(-2047f, 2047f));
    }

    @Test
    void entropyKeepsAFlatDistributionWhole() {
        // |x| spread evenly: every candidate threshold below the max folds mass into its last bin, which Q cannot
        // represent, so the full range wins.
        float[] values = new float[2048 * 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 2048 + 0.5f) / 2048f * (i % 2 == 0 ? 1 : -1);
        }
        ActivationStatistics statistics = seen(values, true);
        float threshold = Calibrators.entropyThreshold(statistics.absCounts(), statistics.absMax());
        assertThat(threshold).isCloseTo(statistics.absMax(), within(statistics.absMax() * 0.02f));
    }

    @Test
    void entropyCutsAFarOutlier() {
        // 10,000 values in [0, 1) and one at 100: the threshold clips the outlier (far below 100) but keeps the bulk.
        float[] values = new float[10_001];
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < 10_000; i++) {
            values[i] = (float) Math.abs(random.nextGaussian()) * 0.3f;
        }
        values[10_000] = 100f;
        ActivationStatistics statistics = seen(values, true);
        Calibrators.Range range = Calibrators.entropy(statistics);
        assertThat(range.max()).isLessThan(10f).isGreaterThan(0.5f);
        assertThat(range.min()).isEqualTo(statistics.min());
        // MinMax would spend the 255 levels up to 100.
        assertThat(Calibrators.minMax(statistics).max()).isEqualTo(100f);
    }

    @Test
    void klDivergenceOfHandComputedHistograms() {
        assertThat(Calibrators.klDivergence(new double[] {1, 1}, new double[] {1, 1})).isZero();
        // P = (3/4, 1/4), Q = (1/2, 1/2): 3/4 ln(3/2) + 1/4 ln(1/2).
        assertThat(Calibrators.klDivergence(new double[] {3, 1}, new double[] {1, 1}))
                .isCloseTo(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5), within(1e-12));
    }
}
