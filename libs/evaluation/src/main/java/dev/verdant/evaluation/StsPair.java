package dev.verdant.evaluation;

import java.util.Objects;

/**
 * One STS pair.
 *
 * @param score  gold similarity (0 to 5 in STS-B)
 * @param first  sentence1
 * @param second sentence2
 */
public record StsPair(double score, String first, String second) {
    public StsPair {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
    }
}
