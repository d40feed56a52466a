package dev.verdant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void oddCountTakesTheMiddleValueInAnyOrder() {
        Spread s = Spread.of(5, 1, 3);
        assertThat(s).isEqualTo(new Spread(3, 1, 3, 5));
    }

    @Test
    void evenCountTakesTheMeanOfTheTwoMiddleValues() {
        assertThat(Spread.of(List.of(4.0, 1.0, 10.0, 2.0))).isEqualTo(new Spread(4, 1, 3, 10));
    }

    @Test
    void oneValueIsItsOwnSpreadAndPrintsAlone() {
        Spread s = Spread.of(41.64);
        assertThat(s).isEqualTo(new Spread(1, 41.64, 41.64, 41.64));
        assertThat(s.format("%.1f")).isEqualTo("41.6");
        assertThat(s.formatRatio()).isEqualTo("41.64x");
    }

    @Test
    void formatsMedianThenRange() {
        assertThat(Spread.of(60.4, 57.45, 77.12).format("%.2f")).isEqualTo("60.40 (57.45–77.12)");
    }

    @Test
    void ratiosArePairedPerRepetitionNotRatiosOfMedians() {
        // round 1: both slowed by load (x2); paired ratios stay 0.5, the ratio of medians would not
        double[] model = {10, 40, 12};
        double[] fp32 = {20, 80, 24};
        Spread r = Spread.ratios(model, fp32);
        assertThat(r).isEqualTo(new Spread(3, 0.5, 0.5, 0.5));
        assertThat(r.formatRatio()).isEqualTo("0.50x (0.50–0.50)");
        assertThat(Spread.ratios(new double[] {3, 1}, new double[] {1, 2}).formatRatio()).isEqualTo("1.75x (0.50–3.00)");
    }

    @Test
    void rejectsWhatIsNotASpread() {
        assertThatThrownBy(() -> Spread.of()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> Spread.of(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> Spread.ratios(new double[] {1, 2}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 vs 1");
    }
}
