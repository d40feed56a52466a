package dev.verdant.pruning;

import java.util.Arrays;
import java.util.List;

/**
 * Unstructured magnitude pruning: zero the weights of smallest |w|. Per layer, each matrix loses
 * round(amount x size) of its own weights; globally, one threshold over all matrices removes
 * round(amount x total). Ties at the threshold are broken by position (earlier zeroed first) so the
 * count is exact.
 */
final class MagnitudePruning {

    private MagnitudePruning() {
    }

    /** Zeroes, in place, the round(amount x size) smallest-magnitude values of each array; returns zeros made per array. */
    static long[] prune(List<float[]> matrices, double amount, boolean global) {
        long[] zeroed = new long[matrices.size()];
        if (!global) {
            for (int m = 0; m < matrices.size(); m++) {
                float[] values = matrices.get(m);
                int target = (int) Math.round(amount * values.length);
                zeroed[m] = zeroBelow(List.of(values), threshold(List.of(values), target), target)[0];
            }
            return zeroed;
        }
        long total = matrices.stream().mapToLong(v -> v.length).sum();
        long target = Math.round(amount * total);
        return zeroBelow(matrices, threshold(matrices, target), target);
    }

    /** The target-th smallest |w| (1-based) over all arrays; 0 when target is 0. */
    private static float threshold(List<float[]> matrices, long target) {
        if (target <= 0) {
            return -1;
        }
        long total = matrices.stream().mapToLong(v -> v.length).sum();
        float[] magnitudes = new float[(int) total];
        int k = 0;
        for (float[] values : matrices) {
            for (float v : values) {
                magnitudes[k++] = Math.abs(v);
            }
        }
        Arrays.sort(magnitudes);
        return magnitudes[(int) Math.min(target, total) - 1];
    }

    /** Zeroes every |w| below t, then ties equal to t in array order until {@code target} are zero. */
    private static long[] zeroBelow(List<float[]> matrices, float t, long target) {
        long[] zeroed = new long[matrices.size()];
        if (t < 0) {
            return zeroed;
        }
        long done = 0;
        for (int m = 0; m < matrices.size(); m++) {
            float[] values = matrices.get(m);
            for (int i = 0; i < values.length; i++) {
                if (Math.abs(values[i]) < t) {
                    values[i] = 0;
                    zeroed[m]++;
                    done++;
                }
            }
        }
        for (int m = 0; m < matrices.size() && done < target; m++) {
            float[] values = matrices.get(m);
            for (int i = 0; i < values.length && done < target; i++) {
                if (Math.abs(values[i]) == t) { // for t = 0 these are weights that were 0 already
                    values[i] = 0;
                    zeroed[m]++;
                    done++;
                }
            }
        }
        return zeroed;
    }
}
