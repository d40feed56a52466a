package dev.verdant.carbon;

import java.time.Duration;

/**
 * Software Carbon Intensity (Green Software Foundation SCI specification 1.0, published as
 * ISO/IEC 21031:2024):
 * <pre>
 *   SCI = (E x I + M) per R
 *   M   = TE x (TR / EL) x (RR / ToR)
 * </pre>
 * E: energy of the software for the R functional units (kWh); I: location-based grid intensity
 * (gCO2e/kWh); M: the embodied emissions share; TE: total embodied emissions of the hardware; TR:
 * time the hardware is reserved for the work; EL: its expected lifespan; RR / ToR: resources
 * reserved / total resources (here logical CPUs). Verdant's functional unit: 1,000 inferences.
 */
public final class SoftwareCarbonIntensity {
    /** Verdant's functional unit R: 1,000 inferences. */
    public static final long FUNCTIONAL_UNIT_INFERENCES = 1_000;

    private SoftwareCarbonIntensity() {
    }

    /**
     * Embodied emissions of the hardware and how it is shared.
     *
     * @param totalEmbodiedKg TE, kgCO2e for manufacturing and disposal
     * @param expectedLifespan EL
     * @param totalLogicalCpus ToR
     */
    public record Hardware(double totalEmbodiedKg, Duration expectedLifespan, int totalLogicalCpus) {
        /**
         * Cloud Carbon Footprint's commodity rack server (repository cloud-carbon-footprint/
         * cloud-carbon-coefficients, ccfcoef/constants.py): BASE_MANUFACTURING_EMISSIONS = 1000
         * kgCO2e "for a mono socket, low DRAM, no local storage commodity rack server" (after the
         * Teads / Dell PowerEdge R740 life-cycle assessment), RACK_SERVER_LIFESPAN = 4 years.
         */
        public static final double COMMODITY_SERVER_EMBODIED_KG = 1000.0;
        public static final Duration COMMODITY_SERVER_LIFESPAN = Duration.ofDays(4 * 365);

        public Hardware {
            Quantities.requireNonNegative("total embodied emissions (kgCO2e)", totalEmbodiedKg);
            if (expectedLifespan == null || expectedLifespan.isNegative() || expectedLifespan.isZero()) {
                throw new IllegalArgumentException("expected lifespan must be positive, got " + expectedLifespan);
            }
            if (totalLogicalCpus < 1) {
                throw new IllegalArgumentException("total logical CPUs must be at least 1, got " + totalLogicalCpus);
            }
        }

        /**
         * The commodity rack server with {@code totalLogicalCpus} logical CPUs. There is no sourced
         * default for that count: give the server's (a dedicated host: its own count, which charges the
         * whole server to the work and so is an upper bound).
         */
        public static Hardware commodityRackServer(int totalLogicalCpus) {
            return new Hardware(COMMODITY_SERVER_EMBODIED_KG, COMMODITY_SERVER_LIFESPAN, totalLogicalCpus);
        }
    }

    /** M [gCO2e] = TE x (TR / EL) x (RR / ToR), TE in kg converted to g. */
    public static double embodiedG(Hardware hardware, Duration timeReserved, double logicalCpusReserved) {
        if (timeReserved == null || timeReserved.isNegative()) {
            throw new IllegalArgumentException("time reserved must be >= 0, got " + timeReserved);
        }
        Quantities.requireNonNegative("logical CPUs reserved", logicalCpusReserved);
        if (logicalCpusReserved > hardware.totalLogicalCpus()) {
            throw new IllegalArgumentException("cannot reserve " + logicalCpusReserved + " logical CPUs of a server with "
                    + hardware.totalLogicalCpus());
        }
        double timeShare = seconds(timeReserved) / seconds(hardware.expectedLifespan());
        double resourceShare = logicalCpusReserved / hardware.totalLogicalCpus();
        return hardware.totalEmbodiedKg() * 1000.0 * timeShare * resourceShare;
    }

    /**
     * SCI per functional unit: (E x I + M) / (units / unitSize).
     *
     * @param energyKwh E for all {@code units}
     * @param intensityGPerKwh I
     * @param embodiedG M for all {@code units}
     * @param units how many inferences E and M cover
     * @param unitSize the functional unit (e.g. 1,000 inferences)
     * @return gCO2e per functional unit
     */
    public static double perFunctionalUnit(double energyKwh, double intensityGPerKwh, double embodiedG, double units,
            double unitSize) {
        Quantities.requireNonNegative("E (kWh)", energyKwh);
        Quantities.requireNonNegative("I (gCO2e/kWh)", intensityGPerKwh);
        Quantities.requireNonNegative("M (gCO2e)", embodiedG);
        Quantities.requirePositive("inferences covered", units);
        Quantities.requirePositive("functional unit", unitSize);
        return (energyKwh * intensityGPerKwh + embodiedG) / (units / unitSize);
    }

    /** SCI in gCO2e per 1,000 inferences. */
    public static double per1000Inferences(double energyKwh, double intensityGPerKwh, double embodiedG,
            double inferences) {
        return perFunctionalUnit(energyKwh, intensityGPerKwh, embodiedG, inferences, FUNCTIONAL_UNIT_INFERENCES);
    }

    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }
}
