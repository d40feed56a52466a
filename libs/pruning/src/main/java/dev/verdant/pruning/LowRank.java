package dev.verdant.pruning;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Truncated SVD of a weight: W [m, n] = U S V^T; keeping the k largest singular values gives
 * W_k = (U_k S_k) V_k^T, so {@code x W} becomes {@code (x A) B} with A = U_k S_k [m, k] and
 * B = V_k^T [k, n]. By Eckart-Young, ||W - W_k||_F = sqrt(sum_{i > k} s_i^2), the smallest possible
 * at rank k. The energy kept is sum_{i <= k} s_i^2 / sum_i s_i^2 (= 1 - relative error^2); k is
 * the smallest rank keeping at least the share asked for. Multiply-adds per row of x: m n before,
 * (m + n) k after, so factorizing pays only when k < m n / (m + n).
 */
final class LowRank {

    /**
     * @param rank          k
     * @param singularValues all of them, descending
     * @param energyKept    share of sum s^2 kept
     * @param a             U_k S_k [m, k], row-major
     * @param b             V_k^T [k, n], row-major
     */
    record Factorization(int rank, double[] singularValues, double energyKept, float[] a, float[] b) {

        /** sqrt(sum_{i > k} s_i^2): the Frobenius error of the truncation. */
        double discardedNorm() {
            double sum = 0;
            for (int i = rank; i < singularValues.length; i++) {
                sum += singularValues[i] * singularValues[i];
            }
            return Math.sqrt(sum);
        }
    }

    private LowRank() {
    }

    /** m n / (m + n): at or above this rank two MatMuls cost at least as much as one. */
    static double breakEvenRank(int m, int n) {
        return (double) m * n / (m + n);
    }

    /** Smallest k with sum_{i < k} s_i^2 >= energy x sum s^2 (s descending). */
    static int rankFor(double[] descending, double energy) {
        double total = 0;
        for (double s : descending) {
            total += s * s;
        }
        if (total == 0) {
            return 1;
        }
        double sum = 0;
        for (int k = 0; k < descending.length; k++) {
            sum += descending[k] * descending[k];
            // A hair of tolerance so that energy 1.0 is reached despite rounding in the sum.
            if (sum >= energy * total * (1 - 1e-12)) {
                return k + 1;
            }
        }
        return descending.length;
    }

    /** Singular values only, descending. */
    static double[] singularValues(Matrix w) {
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(w.rows(), w.cols(), false, false, true);
        if (!svd.decompose(toDouble(w))) {
            throw new IllegalStateException("SVD did not converge for " + w.name());
        }
        double[] values = svd.getSingularValues().clone();
        int count = svd.numberOfSingularValues();
        double[] out = new double[count];
        System.arraycopy(values, 0, out, 0, count);
        java.util.Arrays.sort(out);
        for (int i = 0; i < count / 2; i++) {
            double t = out[i];
            out[i] = out[count - 1 - i];
            out[count - 1 - i] = t;
        }
        return out;
    }

    /** The rank-k truncation for the energy asked (k from {@link #rankFor}). */
    static Factorization factorize(Matrix w, double energy) {
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(w.rows(), w.cols(), true, true, true);
        if (!svd.decompose(toDouble(w))) {
            throw new IllegalStateException("SVD did not converge for " + w.name());
        }
        DMatrixRMaj u = svd.getU(null, false);
        DMatrixRMaj s = svd.getW(null);
        DMatrixRMaj v = svd.getV(null, false);
        // EJML leaves the singular values unsorted.
        SingularOps_DDRM.descendingOrder(u, false, s, v, false);
        int count = Math.min(s.numRows, s.numCols);
        double[] values = new double[count];
        double total = 0;
        for (int i = 0; i < count; i++) {
            values[i] = s.get(i, i);
            total += values[i] * values[i];
        }
        int k = rankFor(values, energy);
        double kept = 0;
        for (int i = 0; i < k; i++) {
            kept += values[i] * values[i];
        }
        int m = w.rows();
        int n = w.cols();
        float[] a = new float[m * k];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                a[i * k + j] = (float) (u.get(i, j) * values[j]);
            }
        }
        float[] b = new float[k * n];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
                b[i * n + j] = (float) v.get(j, i);
            }
        }
        return new Factorization(k, values, total == 0 ? 1 : kept / total, a, b);
    }

    private static DMatrixRMaj toDouble(Matrix w) {
        DMatrixRMaj matrix = new DMatrixRMaj(w.rows(), w.cols());
        float[] values = w.values();
        for (int i = 0; i < values.length; i++) {
            matrix.data[i] = values[i];
        }
        return matrix;
    }
}
