package dev.verdant.pruning;

import java.util.Arrays;
import java.util.List;

/** Where the amount applies: to each layer (matrix) alike, or as one threshold over the whole model. */
public enum PruningScope {
    PER_LAYER("per-layer"),
    GLOBAL("global");

    private final String wireName;

    PruningScope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(PruningScope::wireName).toList();
    }

    /** @throws IllegalArgumentException naming the accepted scopes */
    public static PruningScope parse(String name) {
        for (PruningScope scope : values()) {
            if (scope.wireName.equals(name)) {
                return scope;
            }
        }
        throw new IllegalArgumentException("pruning scope '" + name + "' is unknown; use one of " + wireNames());
    }
}
