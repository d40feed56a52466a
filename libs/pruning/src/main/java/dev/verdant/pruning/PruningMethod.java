package dev.verdant.pruning;

import java.util.Arrays;
import java.util.List;

/** The pruning methods, by the names the recipe ({@code pruneParams.method}) and the CLI use. */
public enum PruningMethod {
    /** Zero the smallest-magnitude MatMul weights; stored compactly, computed densely (no speed-up). */
    UNSTRUCTURED("unstructured"),
    /** Remove intermediate neurons of the feed-forward blocks: W1 columns, b1 entries, W2 rows. */
    FFN("ffn"),
    /** Remove attention heads: Q/K/V columns and biases, output-projection rows, head-count constants. */
    HEADS("heads"),
    /** Replace W [m, n] by two MatMuls [m, k] x [k, n] from its SVD where that saves work. */
    LOWRANK("lowrank");

    private final String wireName;

    PruningMethod(String wireName) {
        this.wireName = wireName;
    }

    /** The name in recipes and on the command line. */
    public String wireName() {
        return wireName;
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(PruningMethod::wireName).toList();
    }

    /**
     * @throws IllegalArgumentException naming the accepted methods when {@code name} is none of them
     */
    public static PruningMethod parse(String name) {
        for (PruningMethod method : values()) {
            if (method.wireName.equals(name)) {
                return method;
            }
        }
        throw new IllegalArgumentException("pruning method '" + name + "' is unknown; use one of " + wireNames());
    }
}
