package dev.verdant.distillation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The distillation loss over one batch of B sentence embeddings:
 * <pre>
 *   loss = klWeight x KL + mseWeight x MSE
 *   KL   = (1/B) sum_i sum_{j != i} p_ij (log p_ij - log q_ij)
 *          p_i = softmax_j(cos(t_i, t_j) / T), q_i = softmax_j(cos(s_i, s_j) / T), j over the other B - 1 sentences
 *   MSE  = (1 / (B H)) sum_i ||s_i - t_i||^2
 * </pre>
 * t are the teacher's pooled embeddings, s the student's. The diagonal (a sentence's similarity to
 * itself, always 1/T) is left out of both distributions: it carries no information and would
 * dominate them at small temperatures. With B = 1 there is no distribution and KL is 0.
 */
final class DistillationLoss {

    /** Added to the diagonal before the softmax: exp underflows to exactly 0 there. */
    static final float EXCLUDED = -1e9f;
    static final float NORM_FLOOR = 1e-12f;

    private DistillationLoss() {
    }

    /** @return [loss, kl, mse] as scalars (loss keeps the autograd graph of {@code student}) */
    static NDArray[] compute(NDArray student, NDArray teacher, double temperature, double klWeight, double mseWeight) {
        NDArray mse = student.sub(teacher).square().mean();
        long batch = student.getShape().get(0);
        NDArray kl;
        if (batch < 2 || klWeight == 0) {
            kl = mse.zerosLike();
        } else {
            NDArray diagonal = student.getManager().eye((int) batch).mul(EXCLUDED);
            NDArray logQ = similarities(student, temperature).add(diagonal).logSoftmax(1);
            NDArray logP = similarities(teacher, temperature).add(diagonal).logSoftmax(1);
            NDArray p = logP.exp();
            kl = p.mul(logP.sub(logQ)).sum().div(batch);
        }
        NDArray loss = kl.mul((float) klWeight).add(mse.mul((float) mseWeight));
        return new NDArray[] {loss, kl, mse};
    }

    /** cos(x_i, x_j) / T for every pair, [B, B]. */
    static NDArray similarities(NDArray x, double temperature) {
        NDArray norms = x.norm(new int[] {1}, true).maximum(NORM_FLOOR);
        NDArray unit = x.div(norms);
        return unit.matMul(unit.transpose()).div((float) temperature);
    }

    static double scalar(NDArray value) {
        return value.toType(DataType.FLOAT64, false).getDouble();
    }
}
