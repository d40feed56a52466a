package dev.verdant.carbon;

/**
 * A grid carbon intensity with where it came from.
 *
 * @param region the region as Verdant writes it (FRA, WLD, gcp:europe-west1, owid:France, ...)
 * @param gPerKwh gCO2e per kWh
 * @param source the table (and, in brackets, the year or the table's own source), e.g.
 *        "codecarbon:global_energy_mix (2023)"; it goes into the ledger's intensitySource
 * @param year the year the figure describes, or null when the table does not say
 */
public record Intensity(String region, double gPerKwh, String source, Integer year) {
    public Intensity {
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("an intensity needs its region");
        }
        Quantities.requireNonNegative("carbon intensity of " + region + " (gCO2e/kWh)", gPerKwh);
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("an intensity needs its source");
        }
    }

    /** gCO2e/kWh / 1000: the unit of ML CO2 Impact's formula. */
    public double kgPerKwh() {
        return gPerKwh / 1000.0;
    }
}
