package dev.verdant.evaluation.service.core;

import dev.verdant.evaluation.LatencySettings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The service's own settings, applied on top of each run's recipe.
 *
 * @param bucket       the Verdant bucket
 * @param maxPairsCap  at most this many STS pairs per evaluation whatever the recipe says; 0 for no cap
 * @param latency      latency sampling (quick for tests, standard otherwise)
 * @param threads      ONNX Runtime intra-op threads
 * @param workDir      where models are downloaded (one folder per job, deleted afterwards)
 */
public record EvaluationSettings(String bucket, int maxPairsCap, LatencySettings latency, int threads, Path workDir) {
    public EvaluationSettings {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(workDir, "workDir");
        if (maxPairsCap < 0) {
            throw new IllegalArgumentException("max pairs cap cannot be negative: " + maxPairsCap);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
    }

    /** The pairs to use: the recipe's (null or 0: all), capped by the service's cap (0: none). */
    public int effectiveMaxPairs(Integer recipeMaxPairs) {
        int recipe = recipeMaxPairs == null ? 0 : recipeMaxPairs;
        if (maxPairsCap == 0) {
            return recipe;
        }
        return recipe == 0 ? maxPairsCap : Math.min(recipe, maxPairsCap);
    }
}
