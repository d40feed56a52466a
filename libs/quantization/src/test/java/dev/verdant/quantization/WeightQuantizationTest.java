package dev.verdant.quantization;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class WeightQuantizationTest {

    /** W [2, 3], row-major: column maxima 1.27, 2.54 and 0 (an all-zero column). */
    private static final float[] W = {
            1.27f, -2.54f, 0f,
            -0.6f, 1.0f, 0f};

    @Test
    void perColumnScalesAndValuesAreExactForAHandMadeMatrix() {
        float[] scales = WeightQuantization.columnScales(W, 2, 3, 127, false);
        assertThat(scales).containsExactly(1.27f / 127, 2.54f / 127, 1f);

        byte[] q = WeightQuantization.quantizeColumns(W, 2, 3, scales, 127);
        // -0.6 / 0.01 = -60; 1.0 / 0.02 = 50.
        assertThat(q).containsExactly(127, -127, 0, -60, 50, 0);
    }

    @Test
    void reducedRangeUses64Steps() {
        float[] scales = WeightQuantization.columnScales(W, 2, 3, 64, false);
        assertThat(scales[0]).isEqualTo(1.27f / 64);
        byte[] q = WeightQuantization.quantizeColumns(W, 2, 3, scales, 64);
        assertThat(q[0]).isEqualTo((byte) 64);
        assertThat(q[1]).isEqualTo((byte) -64);
    }

    @Test
    void aColumnWithAHundredTimesLargerMaximumGetsItsOwnScale() {
        int rows = 16;
        int cols = 4;
        float[] w = random(rows * cols, 1);
        for (int i = 0; i < rows; i++) {
            w[i * cols + 2] *= 100;
        }
        float[] perColumn = WeightQuantization.columnScales(w, rows, cols, 127, false);
        float[] perTensor = WeightQuantization.columnScales(w, rows, cols, 127, true);

        assertThat(perColumn[2]).isGreaterThan(20 * perColumn[0]).isGreaterThan(20 * perColumn[1]).isGreaterThan(20 * perColumn[3]);
        assertThat(perTensor).containsOnly(perColumn[2]);
        // The axis is the output column: every value of column 2 fits its scale, the others keep fine steps.
        byte[] q = WeightQuantization.quantizeColumns(w, rows, cols, perColumn, 127);
        int maxOther = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (j != 2) {
                    maxOther = Math.max(maxOther, Math.abs(q[i * cols + j]));
                }
            }
        }
        assertThat(maxOther).isEqualTo(127);
    }

    @Test
    void roundTripErrorIsAtMostHalfAStep() {
        int rows = 64;
        int cols = 48;
        float[] w = random(rows * cols, 7);
        for (boolean perTensor : new boolean[] {false, true}) {
            float[] scales = WeightQuantization.columnScales(w, rows, cols, 127, perTensor);
            float[] back = WeightQuantization.dequantizeColumns(
                    WeightQuantization.quantizeColumns(w, rows, cols, scales, 127), rows, cols, scales);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    assertThat((double) Math.abs(w[i * cols + j] - back[i * cols + j]))
                            .isLessThanOrEqualTo(scales[j] / 2 * (1 + 1e-5));
                }
            }
        }
    }

    @Test
    void embeddingTablesAreUint8AroundZeroPoint128() {
        float[] table = {0.5f, 1.0f, -0.25f, 0f};
        float scale = WeightQuantization.embeddingScale(table);
        assertThat(scale).isEqualTo(2f / 255);
        byte[] q = WeightQuantization.quantizeEmbedding(table, scale);
        assertThat(q[3] & 0xFF).isEqualTo(128);
        assertThat(q[1] & 0xFF).isEqualTo(255); // 127.5 + 128 rounds to 255 or 256, clamped to 255
        float[] back = WeightQuantization.dequantizeEmbedding(q, scale);
        for (int i = 0; i < table.length; i++) {
            assertThat((double) Math.abs(table[i] - back[i])).isLessThanOrEqualTo(scale / 2 * (1 + 1e-5));
        }
    }

    private static float[] random(int n, long seed) {
        Random random = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) random.nextGaussian() * 0.05f;
        }
        return w;
    }

    @Test
    void mseScalesNeverLoseToMaxScalesAndClipALoneOutlier() {
        int rows = 256;
        int cols = 8;
        Random random = new Random(7);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian() * 0.05f;
        }
        // Column 2: 0.5 two hundred times and one 1.0. With the max scale 1/127, 0.5 is 63.5 steps: every 0.5 errs
        // by half a step. A clip just under 1.0 costs the 1.0 a little and puts 0.5 near a step.
        for (int i = 0; i < rows; i++) {
            w[i * cols + 2] = i < 200 ? 0.5f : 0f;
        }
        w[210 * cols + 2] = 1.0f;
        float[] max = WeightQuantization.columnScales(w, rows, cols, 127, false);
        float[] mse = WeightQuantization.mseScales(w, rows, cols, 127, false);
        for (int j = 0; j < cols; j++) {
            assertThat(mse[j]).isLessThanOrEqualTo(max[j] * 1.000001f).isGreaterThanOrEqualTo(max[j] * 0.6f * 0.999999f);
            assertThat(columnError(w, rows, cols, mse, j)).isLessThanOrEqualTo(columnError(w, rows, cols, max, j));
        }
        assertThat(mse[2]).isLessThan(max[2]); // the 1.0 is clipped...
        // ...and the column's squared rounding error drops by more than half.
        assertThat(columnError(w, rows, cols, mse, 2)).isLessThan(columnError(w, rows, cols, max, 2) / 2);
    }

    @Test
    void mseScalesPerTensorAreOneScale() {
        float[] w = random(64 * 4, 3);
        float[] scales = WeightQuantization.mseScales(w, 64, 4, 127, true);
        assertThat(scales).containsOnly(scales[0]);
        float[] max = WeightQuantization.columnScales(w, 64, 4, 127, true);
        double mseError = 0;
        double maxError = 0;
        for (int j = 0; j < 4; j++) {
            mseError += columnError(w, 64, 4, scales, j);
            maxError += columnError(w, 64, 4, max, j);
        }
        assertThat(mseError).isLessThanOrEqualTo(maxError);
    }

    @Test
    void mseScalesOfAZeroColumnStayExact() {
        float[] scales = WeightQuantization.mseScales(W, 2, 3, 127, false);
        byte[] q = WeightQuantization.quantizeColumns(W, 2, 3, scales, 127);
        assertThat(q[2]).isZero();
        assertThat(q[5]).isZero();
        assertThat(scales[2]).isPositive();
    }

    /** sum_i (W_ij - q_ij s_j)^2 after quantizing with {@code scales}. */
    private static double columnError(float[] w, int rows, int cols, float[] scales, int j) {
        byte[] q = WeightQuantization.quantizeColumns(w, rows, cols, scales, 127);
        float[] back = WeightQuantization.dequantizeColumns(q, rows, cols, scales);
        double error = 0;
        for (int i = 0; i < rows; i++) {
            double d = w[i * cols + j] - back[i * cols + j];
            error += d * d;
        }
        return error;
    }
}
