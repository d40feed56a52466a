package dev.verdant.carbon;

import dev.verdant.events.EnergySource;
import dev.verdant.events.Usage;

/**
 * What one job consumed, as the energy meter saw it: the components and the tag that travels with
 * the total.
 *
 * @param cpuSeconds CPU time of the job's scope
 * @param wallSeconds elapsed time
 * @param cpuJoules CPU energy (RAPL package share, or the TDP model)
 * @param ramJoules RAM energy (always the 0.375 W/GiB model)
 * @param gpuJoules GPU energy (NVML), 0 without a measurable GPU
 * @param ramGib memory the RAM energy was computed for
 * @param source how the energy was obtained
 * @param basis for people: the power model and why (e.g. why RAPL was not used)
 */
public record JobEnergy(double cpuSeconds, double wallSeconds, double cpuJoules, double ramJoules, double gpuJoules,
        double ramGib, EnergySource source, String basis) {

    public JobEnergy {
        Quantities.requireNonNegative("CPU seconds", cpuSeconds);
        Quantities.requireNonNegative("wall seconds", wallSeconds);
        Quantities.requireNonNegative("CPU energy (J)", cpuJoules);
        Quantities.requireNonNegative("RAM energy (J)", ramJoules);
        Quantities.requireNonNegative("GPU energy (J)", gpuJoules);
        Quantities.requireNonNegative("RAM (GiB)", ramGib);
        if (source == null) {
            throw new IllegalArgumentException("an energy figure always carries its source");
        }
    }

    public double totalJoules() {
        return cpuJoules + ramJoules + gpuJoules;
    }

    /** The JobUsage form: cpu s, wall s, total J and the tag. */
    public Usage usage() {
        return new Usage(cpuSeconds, wallSeconds, totalJoules(), source);
    }
}
