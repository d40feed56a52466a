package dev.verdant.carbon;

/**
 * A live carbon-intensity feed (e.g. Electricity Maps). Optional: the packaged yearly tables of
 * {@link CarbonIntensities} are the default and need no network. A live figure is a different
 * quantity (the grid right now, not a yearly average); its {@link Intensity#source()} says so.
 */
public interface LiveIntensitySource {

    /** The latest intensity of a zone of the feed (e.g. Electricity Maps zones "FR", "DE", "US-CAL-CISO"). */
    LiveReading latest(String zone);

    sealed interface LiveReading {
    }

    record Live(Intensity intensity, java.time.Instant at) implements LiveReading {
    }

    /** Not configured (no token), not reachable, or an answer that could not be read. */
    record Unavailable(String zone, String why) implements LiveReading {
    }
}
