package dev.verdant.pruning;

import java.util.List;
import java.util.Objects;

/**
 * Mean absolute activation of each feed-forward neuron (the activation function's output, the input
 * of W2), measured on calibration texts: {@code meanAbs.get(b)[j] = mean over tokens |act(x W1 + b1)_j|}
 * for the b-th feed-forward block in graph order. With them a neuron's importance is
 * {@code meanAbs[j] x ||W2 row j||}: the expected size of its contribution to the block output.
 *
 * @param meanAbs per feed-forward block, one value per neuron
 * @param tokens  tokens the means were taken over
 */
public record ActivationStatistics(List<float[]> meanAbs, long tokens) {

    public ActivationStatistics {
        Objects.requireNonNull(meanAbs, "meanAbs");
        meanAbs = List.copyOf(meanAbs);
        if (tokens < 1) {
            throw new IllegalArgumentException("activation statistics need at least one token, got " + tokens);
        }
    }
}
