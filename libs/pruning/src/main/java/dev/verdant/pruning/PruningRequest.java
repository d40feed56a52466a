package dev.verdant.pruning;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What to prune and how much.
 *
 * @param method        the method
 * @param amount        unstructured, ffn, heads: the share removed, in (0, 1); lowrank: the share of
 *                      spectral energy kept, in (0, 1]
 * @param scope         per-layer (each layer, or each matrix, loses the same share) or global (one
 *                      ranking over the whole model)
 * @param recoverySteps recovery training steps asked for (not built yet: a value above 0 is reported
 *                      in the outcome's notes and nothing is trained)
 * @param calibration   activation statistics from calibration texts (ffn, heads, unstructured): when
 *                      present the criterion uses them ({@link #criterion()}): ffn mean|act| instead of
 *                      the W1 column norm, heads the output projection's input norms instead of W_V,
 *                      unstructured Wanda ({@code |W_ij| x ||X_i||}, per output) instead of |W_ij|
 * @param layers        only these encoder layers (0-based) are pruned; empty for all. The
 *                      sensitivity report prunes one layer at a time with it.
 */
public record PruningRequest(PruningMethod method, double amount, PruningScope scope, int recoverySteps,
        Optional<ActivationStatistics> calibration, SortedSet<Integer> layers) {

    public static final int MAX_RECOVERY_STEPS = 100_000;
    static final Set<String> RECIPE_KEYS = Set.of("method", "amount", "scope", "recoverySteps");

    public PruningRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(calibration, "calibration");
        Objects.requireNonNull(layers, "layers");
        layers = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(layers));
        if (!(amount > 0) || amount > 1 || Double.isNaN(amount)) {
            throw new IllegalArgumentException("amount must be in (0, 1], got " + amount
                    + " (the share removed for unstructured, ffn and heads; the share of energy kept for lowrank)");
        }
        if (amount == 1 && method != PruningMethod.LOWRANK) {
            throw new IllegalArgumentException("amount 1 would remove every " + unit(method)
                    + "; give the share to remove, below 1 (e.g. 0.25)");
        }
        if (recoverySteps < 0 || recoverySteps > MAX_RECOVERY_STEPS) {
            throw new IllegalArgumentException("recoverySteps must be between 0 and " + MAX_RECOVERY_STEPS
                    + ", got " + recoverySteps);
        }
        if (calibration.isPresent() && method == PruningMethod.LOWRANK) {
            throw new IllegalArgumentException("calibration statistics are used by ffn, heads and unstructured, not"
                    + " lowrank (its SVD is of the weights alone)");
        }
        for (Integer layer : layers) {
            if (layer == null || layer < 0) {
                throw new IllegalArgumentException("layer indices are 0-based and not negative, got " + layers);
            }
        }
    }

    /** Per-layer scope, no recovery, no calibration, every layer. */
    public static PruningRequest of(PruningMethod method, double amount) {
        return new PruningRequest(method, amount, PruningScope.PER_LAYER, 0, Optional.empty(), new TreeSet<>());
    }

    public PruningRequest withScope(PruningScope value) {
        return new PruningRequest(method, amount, value, recoverySteps, calibration, layers);
    }

    public PruningRequest withRecoverySteps(int value) {
        return new PruningRequest(method, amount, scope, value, calibration, layers);
    }

    public PruningRequest withCalibration(ActivationStatistics value) {
        return new PruningRequest(method, amount, scope, recoverySteps, Optional.of(value), layers);
    }

    public PruningRequest withLayers(Set<Integer> value) {
        return new PruningRequest(method, amount, scope, recoverySteps, calibration, new TreeSet<>(value));
    }

    /** True when {@code layer} is to be pruned. */
    boolean includes(int layer) {
        return layers.isEmpty() || layers.contains(layer);
    }

    /**
     * Reads a recipe variant's {@code params} for the prune technique (schemas/recipe.schema.json,
     * {@code $defs.pruneParams}): method (required), amount (required), scope (default per-layer),
     * recoverySteps (default 0); no other keys.
     *
     * @throws IllegalArgumentException naming the offending key, what it holds and what is accepted
     */
    public static PruningRequest fromRecipeParams(Map<String, Object> params) {
        if (params == null) {
            throw new IllegalArgumentException("prune params are missing: give at least method ("
                    + String.join("|", PruningMethod.wireNames()) + ") and amount");
        }
        Set<String> unknown = new LinkedHashSet<>(params.keySet());
        unknown.removeAll(RECIPE_KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("prune params have unknown keys " + unknown
                    + "; the accepted keys are " + List.of("method", "amount", "scope", "recoverySteps"));
        }
        Object method = params.get("method");
        if (method == null) {
            throw new IllegalArgumentException("prune params need 'method', one of " + PruningMethod.wireNames());
        }
        if (!(method instanceof String name)) {
            throw new IllegalArgumentException("prune param 'method' must be a string, one of "
                    + PruningMethod.wireNames() + ", got " + method);
        }
        Object amount = params.get("amount");
        if (amount == null) {
            throw new IllegalArgumentException("prune params need 'amount', a number in (0, 1]: the share removed"
                    + " (unstructured, ffn, heads) or the share of spectral energy kept (lowrank)");
        }
        if (!(amount instanceof Number number)) {
            throw new IllegalArgumentException("prune param 'amount' must be a number in (0, 1], got '" + amount + "'");
        }
        Object scopeValue = params.getOrDefault("scope", PruningScope.PER_LAYER.wireName());
        if (!(scopeValue instanceof String scopeName)) {
            throw new IllegalArgumentException("prune param 'scope' must be one of " + PruningScope.wireNames()
                    + ", got " + scopeValue);
        }
        Object steps = params.getOrDefault("recoverySteps", 0);
        if (!(steps instanceof Number stepsNumber) || stepsNumber.doubleValue() != Math.rint(stepsNumber.doubleValue())) {
            throw new IllegalArgumentException("prune param 'recoverySteps' must be a whole number between 0 and "
                    + MAX_RECOVERY_STEPS + ", got " + steps);
        }
        if (stepsNumber.doubleValue() < 0 || stepsNumber.doubleValue() > MAX_RECOVERY_STEPS) {
            throw new IllegalArgumentException("prune param 'recoverySteps' must be between 0 and "
                    + MAX_RECOVERY_STEPS + ", got " + steps);
        }
        return new PruningRequest(PruningMethod.parse(name), number.doubleValue(), PruningScope.parse(scopeName),
                stepsNumber.intValue(), Optional.empty(), new TreeSet<>());
    }

    /**
     * What ranks the units, written to verdant.criterion: unstructured {@code magnitude} (|W_ij|) or
     * {@code wanda} (|W_ij| x ||X_i||, calibrated); ffn and heads {@code weight-norms} or
     * {@code activations} (calibrated); lowrank {@code svd}.
     */
    public String criterion() {
        switch (method) {
            case UNSTRUCTURED:
                return calibration.isPresent() ? "wanda" : "magnitude";
            case LOWRANK:
                return "svd";
            default:
                return calibration.isPresent() ? "activations" : "weight-norms";
        }
    }

    /** For messages: "ffn 0.25 per-layer, criterion activations (STS-B train, 1000 sentences; 12,345 tokens)". */
    public String describe() {
        return method.wireName() + " " + amount + " " + scope.wireName()
                + (layers.isEmpty() ? "" : " layers " + layers)
                + ", criterion " + criterion()
                + calibration.map(stats -> " (" + stats.describe() + ")").orElse("");
    }

    private static String unit(PruningMethod method) {
        switch (method) {
            case FFN:
                return "feed-forward neuron";
            case HEADS:
                return "attention head";
            default:
                return "weight";
        }
    }
}
