package dev.verdant.carbon;

/**
 * An estimate from CPU seconds (what {@code verdant carbon estimate} prints), with CodeCarbon's
 * model:
 * <pre>
 *   E_cpu [J] = TDP / logicalCpus x cpuSeconds
 *   E_ram [J] = 0.375 W/GiB x ramGib x wallSeconds
 *   E_it  [kWh] = (E_cpu + E_ram) / 3.6e6
 *   E     [kWh] = E_it x PUE
 *   emissions [gCO2e] = E x intensity [gCO2e/kWh]
 * </pre>
 *
 * @param cpuSeconds CPU time
 * @param wallSeconds elapsed time (the RAM term's duration)
 * @param cpuPower the power model and its tag
 * @param ramGib memory counted for the RAM term
 * @param cpuJoules E_cpu
 * @param ramJoules E_ram
 * @param itJoules E_cpu + E_ram
 * @param itKwh itJoules / 3.6e6
 * @param pue power usage effectiveness
 * @param energyKwh at the plug: itKwh x PUE
 * @param intensity the grid's intensity and its source
 * @param emissionsG energyKwh x intensity
 */
public record CarbonEstimate(double cpuSeconds, double wallSeconds, CpuPower cpuPower, double ramGib,
        double cpuJoules, double ramJoules, double itJoules, double itKwh, Pue pue, double energyKwh,
        Intensity intensity, double emissionsG) {

    public static CarbonEstimate of(double cpuSeconds, double wallSeconds, CpuPower cpuPower, double ramGib,
            Intensity intensity, Pue pue) {
        Quantities.requireNonNegative("CPU seconds", cpuSeconds);
        Quantities.requireNonNegative("wall seconds", wallSeconds);
        double cpuJoules = cpuPower.joules(cpuSeconds);
        double ramJoules = CodeCarbonModel.ramWatts(ramGib) * wallSeconds;
        double itJoules = cpuJoules + ramJoules;
        double itKwh = CodeCarbonModel.kwh(itJoules);
        double energyKwh = LedgerEntries.energyKwhAtPlug(itJoules, pue);
        return new CarbonEstimate(cpuSeconds, wallSeconds, cpuPower, ramGib, cpuJoules, ramJoules, itJoules, itKwh, pue,
                energyKwh, intensity, LedgerEntries.emissionsG(energyKwh, intensity.gPerKwh()));
    }

    /** Energy at the plug in joules: itJoules x PUE. */
    public double energyJoules() {
        return pue.atPlug(itJoules);
    }
}
