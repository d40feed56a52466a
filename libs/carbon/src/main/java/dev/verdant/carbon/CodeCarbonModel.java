package dev.verdant.carbon;

/**
 * CodeCarbon's accounting (codecarbon/emissions_tracker.py and core/emissions.py):
 * <pre>
 *   energy [kWh]  = (P_cpu + P_ram + P_gpu) [W] x duration [s] / 3.6e6
 *   emissions [kg] = energy [kWh] x PUE x intensity [gCO2e/kWh] / 1000
 * </pre>
 * CodeCarbon multiplies each component's energy by the PUE as it measures (so its cpu_energy,
 * ram_energy and energy_consumed columns include the PUE); the product is the same.
 *
 * <p>RAM power: {@value #RAM_WATTS_PER_GIB} W per GiB, CodeCarbon's rule before v3 ("3 watts of
 * power for every 8GB of DDR3 or DDR4 memory", after Crucial's "How much power does memory use?";
 * codecarbon/external/ram.py keeps it in its docstring; CodeCarbon's GB is 1024^3 bytes). CodeCarbon
 * 3 replaced it with a per-DIMM estimate (5 W per x86 DIMM, DIMM count guessed from the size); the
 * linear rule is kept here because a job's share of memory is a size, not a number of DIMMs.
 */
public final class CodeCarbonModel {
    public static final double RAM_WATTS_PER_GIB = 3.0 / 8.0;
    private static final double BYTES_PER_GIB = 1024.0 * 1024.0 * 1024.0;

    private CodeCarbonModel() {
    }

    /** P_ram [W] = 0.375 x GiB. */
    public static double ramWatts(double gib) {
        Quantities.requireNonNegative("RAM (GiB)", gib);
        return RAM_WATTS_PER_GIB * gib;
    }

    public static double gib(long bytes) {
        Quantities.requireNonNegative("RAM (bytes)", bytes);
        return bytes / BYTES_PER_GIB;
    }

    /** energy [kWh] = (P_cpu + P_ram + P_gpu) x seconds / 3.6e6. */
    public static double energyKwh(double cpuWatts, double ramWatts, double gpuWatts, double seconds) {
        Quantities.requireNonNegative("CPU power (W)", cpuWatts);
        Quantities.requireNonNegative("RAM power (W)", ramWatts);
        Quantities.requireNonNegative("GPU power (W)", gpuWatts);
        Quantities.requireNonNegative("duration (s)", seconds);
        return (cpuWatts + ramWatts + gpuWatts) * seconds / Quantities.JOULES_PER_KWH;
    }

    /** emissions [kgCO2e] = energy [kWh] x PUE x intensity [gCO2e/kWh] / 1000. */
    public static double emissionsKg(double energyKwh, Pue pue, double intensityGPerKwh) {
        Quantities.requireNonNegative("energy (kWh)", energyKwh);
        Quantities.requireNonNegative("carbon intensity (gCO2e/kWh)", intensityGPerKwh);
        return pue.atPlug(energyKwh) * intensityGPerKwh / 1000.0;
    }

    /** kWh = J / 3.6e6. */
    public static double kwh(double joules) {
        Quantities.requireNonNegative("energy (J)", joules);
        return joules / Quantities.JOULES_PER_KWH;
    }
}
