package dev.verdant.events;

import java.util.Map;

/**
 * A variant a run will make: the recipe step resolved. {@code input} is {@code original} or the
 * variantId of an earlier step, which is how techniques chain (distil, then quantize the student).
 */
public record PlannedStep(String variantId, Technique technique, Map<String, Object> parameters, String input) {
    public static final String ORIGINAL = "original";

    public PlannedStep {
        parameters = Map.copyOf(parameters);
    }

    public boolean startsFromOriginal() {
        return ORIGINAL.equals(input);
    }
}
