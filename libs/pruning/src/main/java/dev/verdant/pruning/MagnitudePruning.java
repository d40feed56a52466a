package dev.verdant.pruning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Unstructured pruning: zero the weights of lowest score. Magnitude scores each weight by |w|;
 * Wanda (Sun et al. 2023, "A Simple and Effective Pruning Approach for Large Language Models") by
 * {@code |W_ij| x ||X_i||_2}, the weight times the norm of the input feature it multiplies over
 * calibration tokens (ONNX's x W layout: row i is input feature i, column j output j), so a small
 * weight on a loud feature outranks a larger one on a quiet feature.
 *
 * <p>Groups: magnitude per layer removes round(amount x size) of each matrix; Wanda per layer
 * removes round(amount x rows) of each output's (column's) weights, as Wanda does; global (either
 * score) removes round(amount x total) under one threshold over every matrix. Ties at the threshold
 * are broken by position (earlier zeroed first) so the counts are exact.
 */
final class MagnitudePruning {

    private MagnitudePruning() {
    }

    /** Zeroes, in place, the round(amount x size) smallest-magnitude values of each array (or of all); returns zeros made per array. */
    static long[] prune(List<float[]> matrices, double amount, boolean global) {
        List<float[]> scores = new ArrayList<>();
        for (float[] values : matrices) {
            float[] magnitude = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                magnitude[i] = Math.abs(values[i]);
            }
            scores.add(magnitude);
        }
        return pruneByScore(matrices, scores, amount, global);
    }

    /** Wanda's scores of one [rows, cols] matrix: |W_ij| x inputNorm[i]. */
    static float[] wandaScores(float[] values, int rows, int cols, float[] inputNorm) {
        if (inputNorm.length != rows) {
            throw new IllegalArgumentException("input norms of " + inputNorm.length + " features for a weight of " + rows + " rows");
        }
        float[] scores = new float[values.length];
        for (int i = 0; i < rows; i++) {
            float norm = Math.abs(inputNorm[i]);
            for (int j = 0; j < cols; j++) {
                scores[i * cols + j] = Math.abs(values[i * cols + j]) * norm;
            }
        }
        return scores;
    }

    /**
     * Wanda per output: in each column j of the row-major [rows, cols] matrix, zeroes the
     * round(amount x rows) weights of lowest score (ties: lower row first). Returns the zeros made.
     */
    static long prunePerOutput(float[] values, float[] scores, int rows, int cols, double amount) {
        int remove = (int) Math.round(amount * rows);
        if (remove <= 0) {
            return 0;
        }
        long[] keys = new long[rows];
        long zeroed = 0;
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                // a non-negative float's bits order like the float; the row breaks ties
                keys[i] = ((long) Float.floatToIntBits(Math.abs(scores[i * cols + j])) << 32) | i;
            }
            Arrays.sort(keys);
            for (int k = 0; k < remove; k++) {
                int i = (int) (keys[k] & 0xFFFFFFFFL);
                values[i * cols + j] = 0;
                zeroed++;
            }
        }
        return zeroed;
    }

    /** Zeroes, in place, the lowest-scored round(amount x size) values of each array, or of all at once when global. */
    static long[] pruneByScore(List<float[]> matrices, List<float[]> scores, double amount, boolean global) {
        long[] zeroed = new long[matrices.size()];
        if (!global) {
            for (int m = 0; m < matrices.size(); m++) {
                int target = (int) Math.round(amount * matrices.get(m).length);
                List<float[]> one = List.of(scores.get(m));
                zeroed[m] = zeroBelow(List.of(matrices.get(m)), one, threshold(one, target), target)[0];
            }
            return zeroed;
        }
        long total = matrices.stream().mapToLong(v -> v.length).sum();
        long target = Math.round(amount * total);
        return zeroBelow(matrices, scores, threshold(scores, target), target);
    }

    /** The target-th smallest score (1-based) over all arrays; -1 when target is 0. */
    private static float threshold(List<float[]> scores, long target) {
        if (target <= 0) {
            return -1;
        }
        long total = scores.stream().mapToLong(v -> v.length).sum();
        float[] sorted = new float[(int) total];
        int k = 0;
        for (float[] values : scores) {
            System.arraycopy(values, 0, sorted, k, values.length);
            k += values.length;
        }
        Arrays.sort(sorted);
        return sorted[(int) Math.min(target, total) - 1];
    }

    /** Zeroes every value whose score is below t, then ties equal to t in array order until {@code target} are zero. */
    private static long[] zeroBelow(List<float[]> matrices, List<float[]> scores, float t, long target) {
        long[] zeroed = new long[matrices.size()];
        if (t < 0) {
            return zeroed;
        }
        long done = 0;
        for (int m = 0; m < matrices.size(); m++) {
            float[] values = matrices.get(m);
            float[] score = scores.get(m);
            for (int i = 0; i < values.length; i++) {
                if (score[i] < t) {
                    values[i] = 0;
                    zeroed[m]++;
                    done++;
                }
            }
        }
        for (int m = 0; m < matrices.size() && done < target; m++) {
            float[] values = matrices.get(m);
            float[] score = scores.get(m);
            for (int i = 0; i < values.length && done < target; i++) {
                if (score[i] == t) { // for t = 0 these may be weights that were 0 already
                    values[i] = 0;
                    zeroed[m]++;
                    done++;
                }
            }
        }
        return zeroed;
    }
}
