package dev.verdant.carbon;

/**
 * Power usage effectiveness of the data centre: energy at the plug / energy of the IT equipment.
 * Default 1.0, CodeCarbon's default ({@code pue: float = 1} in its EmissionsData; no facility
 * overhead counted), so an unconfigured Verdant reports the same figures CodeCarbon would. Set the
 * provider's figure where known (e.g. Google publishes a fleet PUE near 1.1; AWS says its data
 * centres are under 1.2).
 */
public record Pue(double value) {
    public static final Pue DEFAULT = new Pue(1.0);

    public Pue {
        if (!Double.isFinite(value) || value < 1.0) {
            throw new IllegalArgumentException("PUE is energy at the plug / IT energy, so at least 1.0; got " + value);
        }
    }

    public static Pue of(double value) {
        return new Pue(value);
    }

    /** Energy at the plug: IT energy x PUE. */
    public double atPlug(double itEnergy) {
        return itEnergy * value;
    }
}
