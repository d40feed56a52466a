package dev.verdant.pruning;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What calibration texts do inside a model: for each probed tensor (by name; the activation input
 * of every weight MatMul, which includes each feed-forward block's activation output) and each of
 * its features (the last axis), over the real tokens only (padding excluded):
 * <pre>
 *   meanAbs[j] = mean over tokens |x_j|
 *   rms[j]     = sqrt(mean over tokens x_j^2) = ||X_j||_2 / sqrt(tokens)
 * </pre>
 * The criteria that use them: ffn ranks neuron j by {@code meanAbs[j] x ||W2 row j||} (the expected
 * size of its contribution); heads ranks head h by {@code sqrt(sum_{j in h} rms[j]^2 ||W_O row j||^2)};
 * unstructured scores weight W_ij (row i = input feature i, ONNX's x W layout) by
 * {@code |W_ij| x rms[i]} (Wanda, Sun et al. 2023; the 1/sqrt(tokens) factor is the same for every
 * weight, so the ranking is Wanda's).
 *
 * @param meanAbs per tensor, mean |x| per feature
 * @param rms     per tensor, root mean square per feature
 * @param tokens  tokens the statistics were taken over
 * @param source  where the texts came from, for notes and metadata (e.g. "STS-B train, 1000 sentences")
 */
public record ActivationStatistics(Map<String, float[]> meanAbs, Map<String, float[]> rms, long tokens, String source) {

    public ActivationStatistics {
        Objects.requireNonNull(meanAbs, "meanAbs");
        Objects.requireNonNull(rms, "rms");
        Objects.requireNonNull(source, "source");
        meanAbs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meanAbs));
        rms = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rms));
        if (tokens < 1) {
            throw new IllegalArgumentException("activation statistics need at least one token, got " + tokens);
        }
    }

    /** For notes and metadata: "STS-B train, 1000 sentences; 12,345 tokens". */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%s; %,d tokens", source, tokens);
    }
}
