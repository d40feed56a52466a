package dev.verdant.events;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Map;

/**
 * A recipe with every default resolved (see schemas/recipe.schema.json). Two recipes that differ
 * only in formatting or in spelling out a default are equal, and hash the same.
 */
public record Recipe(String apiVersion, String name, Task task, List<Variant> variants, Quality quality,
        Evaluation evaluation, Carbon carbon) {

    public static final String API_VERSION = "verdant.dev/v1";

    public Recipe {
        variants = List.copyOf(variants);
    }

    public enum Task implements WireEnum {
        STS, CLASSIFICATION;

        @JsonValue
        @Override
        public String wireName() {
            return WireEnum.of(this);
        }
    }

    /** One variant to make: a technique with parameters, started from {@code from}. */
    public record Variant(String name, Technique technique, String from, Map<String, Object> params) {
        public Variant {
            params = Map.copyOf(params);
        }
    }

    /** At most {@code maxLoss} points of the task metric may be lost for a variant to be recommended. */
    public record Quality(double maxLoss) {
    }

    public record Evaluation(String split, Integer maxPairs, int maxSequenceLength) {
    }

    /** Where the model will run: grid region, data-centre PUE, expected traffic. */
    public record Carbon(String region, double pue, double inferencesPerDay) {
    }
}
