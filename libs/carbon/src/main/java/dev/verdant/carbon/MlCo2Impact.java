package dev.verdant.carbon;

/**
 * The Machine Learning CO2 Impact calculator's formula (Lacoste, Luccioni, Schmidt, Dandres, 2019,
 * "Quantifying the Carbon Emissions of Machine Learning", mlco2.github.io/impact): carbon emitted =
 * power of the hardware x hours used x carbon intensity of the grid.
 */
public final class MlCo2Impact {
    private MlCo2Impact() {
    }

    /** kWh = W x h / 1000. */
    public static double kwh(double watts, double hours) {
        Quantities.requireNonNegative("power (W)", watts);
        Quantities.requireNonNegative("time (h)", hours);
        return watts * hours / 1000.0;
    }

    /** kgCO2e = kWh x intensity (kgCO2e/kWh). */
    public static double kgCo2e(double kwh, double intensityKgPerKwh) {
        Quantities.requireNonNegative("energy (kWh)", kwh);
        Quantities.requireNonNegative("carbon intensity (kg/kWh)", intensityKgPerKwh);
        return kwh * intensityKgPerKwh;
    }
}
