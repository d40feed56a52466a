package dev.verdant.carbon;

/** The result of resolving a region: an intensity, or a region nobody knows (never a silent fallback). */
public sealed interface IntensityLookup {

    record Found(Intensity intensity) implements IntensityLookup {
    }

    /** @param message what was wrong and how to write a region Verdant knows */
    record UnknownRegion(String region, String message) implements IntensityLookup {
    }
}
