package dev.verdant.evaluation;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PercentilesTest {

    /** {1, 2, 3, 4}: p50 at h = 1.5 is 2.5; p95 at h = 2.85 is 3 + 0.85 (4 - 3) = 3.85. */
    @Test
    void interpolatesBetweenClosestRanks() {
        double[] samples = {4, 1, 3, 2}; // order does not matter

        assertThat(Percentiles.median(samples)).isEqualTo(2.5);
        assertThat(Percentiles.of(samples, 0.95)).isCloseTo(3.85, within(1e-12));
        assertThat(Percentiles.of(samples, 0)).isEqualTo(1);
        assertThat(Percentiles.of(samples, 1)).isEqualTo(4);
        assertThat(samples).containsExactly(4, 1, 3, 2); // not sorted in place
    }

    /** 1..100: p95 at h = 99 x 0.95 = 94.05, between x[94] = 95 and x[95] = 96: 95.05 (numpy.percentile agrees). */
    @Test
    void hundredSamples() {
        double[] samples = IntStream.rangeClosed(1, 100).asDoubleStream().toArray();

        assertThat(Percentiles.of(samples, 0.95)).isCloseTo(95.05, within(1e-9));
        assertThat(Percentiles.median(samples)).isEqualTo(50.5);
    }

    @Test
    void oneSampleIsEveryPercentile() {
        assertThat(Percentiles.of(new double[] {7}, 0.95)).isEqualTo(7);
        assertThat(Percentiles.median(new double[] {7})).isEqualTo(7);
    }

    @Test
    void rejectsNothingAndOutOfRange() {
        assertThatThrownBy(() -> Percentiles.median(new double[0])).hasMessageContaining("no samples");
        assertThatThrownBy(() -> Percentiles.of(new double[] {1}, 95)).hasMessageContaining("[0, 1]");
    }
}
