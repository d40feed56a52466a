package dev.verdant.evaluation;

import java.util.List;
import java.util.Objects;

/**
 * STS pairs in file order, with what identifies them.
 *
 * @param name   "stsb-test" for a built-in split, else the file name
 * @param sha256 lower-case hex SHA-256 of the whole file's bytes (also when only the first pairs are used)
 * @param pairs  at least one pair
 */
public record StsDataset(String name, String sha256, List<StsPair> pairs) {

    public StsDataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        pairs = List.copyOf(pairs);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("a data set needs at least one pair");
        }
    }

    /** The first {@code count} pairs (all when count is 0 or at least the size). */
    public StsDataset firstPairs(int count) {
        if (count <= 0 || count >= pairs.size()) {
            return this;
        }
        return new StsDataset(name, sha256, pairs.subList(0, count));
    }

    public List<String> firstSentences() {
        return pairs.stream().map(StsPair::first).toList();
    }

    public List<String> secondSentences() {
        return pairs.stream().map(StsPair::second).toList();
    }

    /**
     * The first {@code count} sentences read pair by pair (first, then second sentence of each):
     * the texts calibrations run through a model.
     */
    public List<String> sentences(int count) {
        return pairs.stream().flatMap(p -> java.util.stream.Stream.of(p.first(), p.second())).limit(Math.max(0, count))
                .toList();
    }

    public double[] scores() {
        return pairs.stream().mapToDouble(StsPair::score).toArray();
    }
}
