package dev.verdant.evaluation;

/**
 * Fidelity of a model's embeddings e to a baseline's b on the same sentences:
 * <pre>
 *   meanCosine = (1/n) sum_i cos(e_i, b_i)
 *   minCosine  = min_i cos(e_i, b_i)
 *   mse        = (1/(n d)) sum_i sum_k (e_ik - b_ik)^2
 * </pre>
 * Cosine says whether the direction survived (what similarity search uses); MSE also catches
 * a change of scale.
 */
final class EmbeddingAgreement {

    private EmbeddingAgreement() {
    }

    static EvaluationReport.Fidelity between(float[][] model, float[][] baseline, String baselineName) {
        if (model.length != baseline.length || model.length == 0) {
            throw new IllegalArgumentException("need the same non-zero number of embeddings, got " + model.length
                    + " and " + baseline.length);
        }
        double cosineSum = 0;
        double minCosine = Double.POSITIVE_INFINITY;
        double squares = 0;
        long cells = 0;
        for (int i = 0; i < model.length; i++) {
            double cosine = Vectors.cosine(model[i], baseline[i]);
            cosineSum += cosine;
            minCosine = Math.min(minCosine, cosine);
            squares += Vectors.squaredDistance(model[i], baseline[i]);
            cells += model[i].length;
        }
        return new EvaluationReport.Fidelity(cosineSum / model.length, minCosine, squares / cells, baselineName,
                model.length);
    }
}
