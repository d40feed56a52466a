package dev.verdant.evaluation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolingTest {

    /**
     * Two sentences of up to 3 tokens, 2 dimensions. Sentence 0 has 2 real tokens: (1, 2) and
     * (3, 4) average to (2, 3); its padding token (100, 100) must not count. Sentence 1 has one
     * real token (5, -6): that is its mean.
     */
    @Test
    void averagesOnlyTheTokensTheMaskKeeps() {
        float[] hidden = {
                1, 2, 3, 4, 100, 100,
                5, -6, 100, 100, 100, 100};
        long[] mask = {1, 1, 0, 1, 0, 0};

        float[][] pooled = Pooling.mean(hidden, mask, 2, 3, 2);

        assertThat(pooled[0]).containsExactly(2f, 3f);
        assertThat(pooled[1]).containsExactly(5f, -6f);
    }

    /** Padding to a longer batch does not change a sentence's vector. */
    @Test
    void paddingLengthDoesNotMatter() {
        float[] short1 = {1, 2, 3, 4};
        float[] long1 = {1, 2, 3, 4, 9, 9, 9, 9};

        assertThat(Pooling.mean(long1, new long[] {1, 1, 0, 0}, 1, 4, 2)[0])
                .containsExactly(Pooling.mean(short1, new long[] {1, 1}, 1, 2, 2)[0]);
    }

    /** An all-zero mask gives the zero vector (sentence-transformers clamps the divisor at 1e-9), not NaN. */
    @Test
    void emptyMaskGivesZeros() {
        assertThat(Pooling.mean(new float[] {7, 8}, new long[] {0}, 1, 1, 2)[0]).containsExactly(0f, 0f);
    }

    @Test
    void rejectsShapesThatDoNotAgree() {
        assertThatThrownBy(() -> Pooling.mean(new float[5], new long[2], 1, 2, 2)).hasMessageContaining("[1, 2, 2]");
        assertThatThrownBy(() -> Pooling.mean(new float[4], new long[3], 1, 2, 2)).hasMessageContaining("mask");
    }
}
