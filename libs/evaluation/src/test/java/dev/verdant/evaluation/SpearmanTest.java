package dev.verdant.evaluation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SpearmanTest {

    @Test
    void monotonicIsOneAndReversedIsMinusOne() {
        double[] x = {1, 2, 3, 4, 5};

        assertThat(Spearman.correlation(x, new double[] {10, 20, 25, 100, 1000})).isEqualTo(1.0);
        assertThat(Spearman.correlation(x, new double[] {5, 4, 3, 2, 1})).isEqualTo(-1.0);
    }

    /** No ties: rho = 1 - 6 sum d^2 / (n (n^2 - 1)); d = (-1, 1, -1, 1, 0), sum d^2 = 4: 1 - 24/120 = 0.8. */
    @Test
    void withoutTiesMatchesTheTextbookFormula() {
        assertThat(Spearman.correlation(new double[] {1, 2, 3, 4, 5}, new double[] {2, 1, 4, 3, 5}))
                .isCloseTo(0.8, within(1e-12));
    }

    /**
     * y = (5, 6, 7, 8, 7) ranks to (1, 2, 3.5, 5, 3.5). Against x ranks (1..5), deviations from the
     * mean 3: dx = (-2, -1, 0, 1, 2), dy = (-2, -1, 0.5, 2, 0.5); sum dx dy = 8, sum dx^2 = 10,
     * sum dy^2 = 9.5: rho = 8 / sqrt(95) = 0.8207826816681233 (scipy.stats.spearmanr agrees).
     * The no-ties shortcut would give 1 - 6 (0 + 0 + 0.25 + 1 + 2.25) / 120 = 0.825: wrong with ties.
     */
    @Test
    void tiesGetAverageRanks() {
        assertThat(Spearman.ranks(new double[] {10, 20, 20, 30})).containsExactly(1, 2.5, 2.5, 4);
        assertThat(Spearman.ranks(new double[] {3, 3, 3})).containsExactly(2, 2, 2);
        assertThat(Spearman.ranks(new double[] {0.5, -1, 0.5, 7, -1})).containsExactly(3.5, 1.5, 3.5, 5, 1.5);

        assertThat(Spearman.correlation(new double[] {1, 2, 3, 4, 5}, new double[] {5, 6, 7, 8, 7}))
                .isCloseTo(8 / Math.sqrt(95), within(1e-15))
                .isCloseTo(0.8207826816681233, within(1e-15));
    }

    /** Ties on both sides: x ranks (1.5, 1.5, 3, 4), y ranks (1, 2.5, 2.5, 4); rho = 3.75 / 4.5 = 0.8333. */
    @Test
    void tiesOnBothSides() {
        // rx - 2.5 = (-1, -1, 0.5, 1.5), ry - 2.5 = (-1.5, 0, 0, 1.5)
        // sum dx dy = 1.5 + 0 + 0 + 2.25 = 3.75; sum dx^2 = 1 + 1 + 0.25 + 2.25 = 4.5; sum dy^2 = 2.25 + 2.25 = 4.5
        assertThat(Spearman.correlation(new double[] {1, 1, 2, 3}, new double[] {1, 2, 2, 3}))
                .isCloseTo(3.75 / 4.5, within(1e-15));
    }

    @Test
    void undefinedWithoutSpread() {
        assertThat(Spearman.correlation(new double[] {1, 2, 3}, new double[] {4, 4, 4})).isNaN();
    }

    @Test
    void rejectsWhatHasNoRankCorrelation() {
        assertThatThrownBy(() -> Spearman.correlation(new double[] {1, 2}, new double[] {1}))
                .hasMessageContaining("paired");
        assertThatThrownBy(() -> Spearman.correlation(new double[] {1}, new double[] {1}))
                .hasMessageContaining("at least 2");
        assertThatThrownBy(() -> Spearman.correlation(new double[] {1, Double.NaN}, new double[] {1, 2}))
                .hasMessageContaining("NaN");
    }
}
