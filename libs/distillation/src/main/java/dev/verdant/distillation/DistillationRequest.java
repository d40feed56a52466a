package dev.verdant.distillation;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What to distil: the student's shape and how to train it. The recipe's {@code distillParams}
 * (schemas/recipe.schema.json) map one to one onto the first nine fields; the rest are
 * deployment settings a recipe does not carry.
 *
 * @param layers                student layers; 0 means half the teacher's (rounded up)
 * @param ffnSize               student FFN width; 0 keeps the teacher's. Narrower keeps the
 *                              neurons with the largest ||W1 column|| x ||W2 row||
 * @param steps                 optimiser steps
 * @param batchSize             sentences per step (also the size of the in-batch similarity
 *                              distributions)
 * @param learningRate          Adam's peak learning rate, reached after the warm-up
 * @param temperature           softmax temperature over cosine similarities
 * @param klWeight              weight of KL(teacher || student) over in-batch similarities
 * @param mseWeight             weight of the MSE between pooled embeddings
 * @param seed                  data order and any randomness; with the step index it fixes the run
 * @param maxSequenceLength     tokens per sentence at most (longer ones are truncated)
 * @param warmupSteps           linear warm-up from 0 to learningRate; -1 means 10% of steps
 * @param checkpointEvery       steps between checkpoints (0: none, the last one is always written)
 * @param trainTokenEmbedding   also train the word-embedding table (3x slower on 2 cores, see
 *                              docs/distillation.md); frozen by default
 * @param corpus                a UTF-8 file of sentences, one a line; empty: STS-B train sentences
 * @param maxSentences          use at most this many corpus sentences (0: all)
 * @param threads               PyTorch and ONNX Runtime intra-op threads
 */
public record DistillationRequest(int layers, int ffnSize, int steps, int batchSize, double learningRate,
                                  double temperature, double klWeight, double mseWeight, long seed,
                                  int maxSequenceLength, int warmupSteps, int checkpointEvery,
                                  boolean trainTokenEmbedding, Optional<Path> corpus, int maxSentences,
                                  int threads) {

    public static final int DEFAULT_STEPS = 2000;
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final double DEFAULT_LEARNING_RATE = 1e-4;
    public static final double DEFAULT_TEMPERATURE = 0.05;
    public static final double DEFAULT_KL_WEIGHT = 1.0;
    public static final double DEFAULT_MSE_WEIGHT = 1.0;
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 128;
    public static final int DEFAULT_CHECKPOINT_EVERY = 200;

    /** The recipe keys of {@code $defs.distillParams}. */
    public static final Set<String> RECIPE_KEYS = Set.of("layers", "ffnSize", "steps", "batchSize", "learningRate",
            "temperature", "klWeight", "mseWeight", "seed");

    public DistillationRequest {
        corpus = corpus == null ? Optional.empty() : corpus;
        requireRange("layers", layers, 0, 48);
        requireRange("ffnSize", ffnSize, 0, 65536);
        requireRange("steps", steps, 1, 1_000_000);
        requireRange("batchSize", batchSize, 1, 4096);
        requireOpenClosed("learningRate", learningRate, 0, 1);
        requireOpenClosed("temperature", temperature, 0, 100);
        requireClosed("klWeight", klWeight, 0, 1000);
        requireClosed("mseWeight", mseWeight, 0, 1000);
        if (klWeight == 0 && mseWeight == 0) {
            throw new IllegalArgumentException("klWeight and mseWeight are both 0: nothing to train on. Give at least one"
                    + " a positive weight (defaults: klWeight " + DEFAULT_KL_WEIGHT + ", mseWeight " + DEFAULT_MSE_WEIGHT + ").");
        }
        requireRange("maxSequenceLength", maxSequenceLength, 2, 512);
        if (warmupSteps < -1) {
            throw new IllegalArgumentException("warmupSteps must be -1 (10% of steps) or at least 0, got " + warmupSteps);
        }
        requireRange("checkpointEvery", checkpointEvery, 0, Integer.MAX_VALUE);
        requireRange("maxSentences", maxSentences, 0, Integer.MAX_VALUE);
        requireRange("threads", threads, 1, 1024);
    }

    /** Every default: half the layers, the teacher's FFN, 2,000 steps of 32 sentences. */
    public static DistillationRequest defaults() {
        return new DistillationRequest(0, 0, DEFAULT_STEPS, DEFAULT_BATCH_SIZE, DEFAULT_LEARNING_RATE,
                DEFAULT_TEMPERATURE, DEFAULT_KL_WEIGHT, DEFAULT_MSE_WEIGHT, DEFAULT_SEED, DEFAULT_MAX_SEQUENCE_LENGTH,
                -1, DEFAULT_CHECKPOINT_EVERY, false, Optional.empty(), 0, defaultThreads());
    }

    /** Two threads at most: the machines this runs on have 2 cores shared with other work. */
    public static int defaultThreads() {
        return Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Reads a recipe's {@code params} for a distilled variant ({@code $defs.distillParams}): every
     * key optional, no other key allowed, integers as whole numbers, the schema's ranges.
     *
     * @throws IllegalArgumentException naming the key, the value and what is allowed
     */
    public static DistillationRequest fromRecipeParams(Map<String, Object> params) {
        Map<String, Object> given = params == null ? Map.of() : params;
        for (String key : given.keySet()) {
            if (!RECIPE_KEYS.contains(key)) {
                throw new IllegalArgumentException("distill params: unknown key '" + key + "'; allowed: "
                        + List.of("layers", "ffnSize", "steps", "batchSize", "learningRate", "temperature",
                        "klWeight", "mseWeight", "seed"));
            }
        }
        DistillationRequest d = defaults();
        return new DistillationRequest(
                (int) integer(given, "layers", d.layers(), 1, 48),
                (int) integer(given, "ffnSize", d.ffnSize(), 1, 65536),
                (int) integer(given, "steps", d.steps(), 1, 1_000_000),
                (int) integer(given, "batchSize", d.batchSize(), 1, 4096),
                number(given, "learningRate", d.learningRate(), 0, true, 1),
                number(given, "temperature", d.temperature(), 0, true, 100),
                number(given, "klWeight", d.klWeight(), 0, false, 1000),
                number(given, "mseWeight", d.mseWeight(), 0, false, 1000),
                integer(given, "seed", d.seed(), Long.MIN_VALUE, Long.MAX_VALUE),
                d.maxSequenceLength(), d.warmupSteps(), d.checkpointEvery(), d.trainTokenEmbedding(), d.corpus(),
                d.maxSentences(), d.threads());
    }

    /** The recipe view of this request (what a variant-created event reports as its params). */
    public Map<String, Object> recipeParams() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (layers > 0) {
            out.put("layers", layers);
        }
        if (ffnSize > 0) {
            out.put("ffnSize", ffnSize);
        }
        out.put("steps", steps);
        out.put("batchSize", batchSize);
        out.put("learningRate", learningRate);
        out.put("temperature", temperature);
        out.put("klWeight", klWeight);
        out.put("mseWeight", mseWeight);
        out.put("seed", seed);
        return out;
    }

    public DistillationRequest withLayers(int value) {
        return new DistillationRequest(value, ffnSize, steps, batchSize, learningRate, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, warmupSteps, checkpointEvery, trainTokenEmbedding, corpus, maxSentences, threads);
    }

    public DistillationRequest withFfnSize(int value) {
        return new DistillationRequest(layers, value, steps, batchSize, learningRate, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, warmupSteps, checkpointEvery, trainTokenEmbedding, corpus, maxSentences, threads);
    }

    public DistillationRequest withSteps(int value) {
        return new DistillationRequest(layers, ffnSize, value, batchSize, learningRate, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, warmupSteps, checkpointEvery, trainTokenEmbedding, corpus, maxSentences, threads);
    }

    public DistillationRequest withBatchSize(int value) {
        return new DistillationRequest(layers, ffnSize, steps, value, learningRate, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, warmupSteps, checkpointEvery, trainTokenEmbedding, corpus, maxSentences, threads);
    }

    public DistillationRequest withLearningRate(double value) {
        return new DistillationRequest(layers, ffnSize, steps, batchSize, value, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, warmupSteps, checkpointEvery, trainTokenEmbedding, corpus, maxSentences, threads);
    }

    public DistillationRequest withSeed(long value) {
        return new DistillationRequest(layers, ffnSize, steps, batchSize, learningRate, temperature, klWeight, mseWeight,
                value, maxSequenceLength, warmupSteps, checkpointEvery, trainTokenEmbedding, corpus, maxSentences, threads);
    }

    public DistillationRequest withMaxSequenceLength(int value) {
        return new DistillationRequest(layers, ffnSize, steps, batchSize, learningRate, temperature, klWeight, mseWeight,
                seed, value, warmupSteps, checkpointEvery, trainTokenEmbedding, corpus, maxSentences, threads);
    }

    public DistillationRequest withWarmupSteps(int value) {
        return new DistillationRequest(layers, ffnSize, steps, batchSize, learningRate, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, value, checkpointEvery, trainTokenEmbedding, corpus, maxSentences, threads);
    }

    public DistillationRequest withCheckpointEvery(int value) {
        return new DistillationRequest(layers, ffnSize, steps, batchSize, learningRate, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, warmupSteps, value, trainTokenEmbedding, corpus, maxSentences, threads);
    }

    public DistillationRequest withTrainTokenEmbedding(boolean value) {
        return new DistillationRequest(layers, ffnSize, steps, batchSize, learningRate, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, warmupSteps, checkpointEvery, value, corpus, maxSentences, threads);
    }

    public DistillationRequest withCorpus(Path value) {
        return new DistillationRequest(layers, ffnSize, steps, batchSize, learningRate, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, warmupSteps, checkpointEvery, trainTokenEmbedding, Optional.ofNullable(value),
                maxSentences, threads);
    }

    public DistillationRequest withMaxSentences(int value) {
        return new DistillationRequest(layers, ffnSize, steps, batchSize, learningRate, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, warmupSteps, checkpointEvery, trainTokenEmbedding, corpus, value, threads);
    }

    public DistillationRequest withThreads(int value) {
        return new DistillationRequest(layers, ffnSize, steps, batchSize, learningRate, temperature, klWeight, mseWeight,
                seed, maxSequenceLength, warmupSteps, checkpointEvery, trainTokenEmbedding, corpus, maxSentences, value);
    }

    public DistillationRequest withWeights(double kl, double mse, double temp) {
        return new DistillationRequest(layers, ffnSize, steps, batchSize, learningRate, temp, kl, mse,
                seed, maxSequenceLength, warmupSteps, checkpointEvery, trainTokenEmbedding, corpus, maxSentences, threads);
    }

    /** Warm-up steps in effect: 10% of the steps unless set. */
    public int effectiveWarmupSteps() {
        return warmupSteps >= 0 ? Math.min(warmupSteps, steps) : Math.max(1, steps / 10);
    }

    private static long integer(Map<String, Object> params, String key, long fallback, long min, long max) {
        Object value = params.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number number)) {
            throw new IllegalArgumentException("distill params: '" + key + "' must be a whole number, got "
                    + describe(value));
        }
        double asDouble = number.doubleValue();
        boolean whole = value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof java.math.BigInteger
                || (!Double.isNaN(asDouble) && !Double.isInfinite(asDouble) && asDouble == Math.rint(asDouble)
                && Math.abs(asDouble) < 0x1p53);
        if (!whole) {
            throw new IllegalArgumentException("distill params: '" + key + "' must be a whole number, got " + value);
        }
        long result = value instanceof java.math.BigInteger big ? big.longValue() : (value instanceof Double
                || value instanceof Float || value instanceof java.math.BigDecimal) ? (long) asDouble : number.longValue();
        if (result < min || result > max) {
            throw new IllegalArgumentException("distill params: '" + key + "' must be between " + min + " and " + max
                    + ", got " + value);
        }
        return result;
    }

    private static double number(Map<String, Object> params, String key, double fallback, double min,
                                 boolean exclusiveMin, double max) {
        Object value = params.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number number)) {
            throw new IllegalArgumentException("distill params: '" + key + "' must be a number, got " + describe(value));
        }
        double result = number.doubleValue();
        boolean low = exclusiveMin ? result <= min : result < min;
        if (Double.isNaN(result) || low || result > max) {
            throw new IllegalArgumentException("distill params: '" + key + "' must be " + (exclusiveMin ? "above " : "at least ")
                    + min + " and at most " + max + ", got " + value);
        }
        return result;
    }

    private static String describe(Object value) {
        return value instanceof String ? "the text \"" + value + "\"" : value + " (" + value.getClass().getSimpleName() + ")";
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static void requireOpenClosed(String name, double value, double min, double max) {
        if (Double.isNaN(value) || value <= min || value > max) {
            throw new IllegalArgumentException(name + " must be above " + min + " and at most " + max + ", got " + value);
        }
    }

    private static void requireClosed(String name, double value, double min, double max) {
        if (Double.isNaN(value) || value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
