package dev.verdant.carbon;

import dev.verdant.events.EnergySource;

/**
 * The CPU power model of a host: a thermal design power shared by its logical CPUs.
 *
 * <p>Energy of a job (CodeCarbon's {@code cpu_load} mode with {@code tracking_mode="process"},
 * codecarbon/external/hardware.py: power = TDP x (process CPU time / wall time) / cpu_count,
 * integrated over the wall time):
 * <pre>  E_cpu [J] = TDP [W] / logicalCpus x cpuSeconds [s]</pre>
 * i.e. each busy logical CPU draws its 1/n share of the TDP. Why this and not CodeCarbon's
 * constant mode (TDP x 50% for the whole wall time, whatever the load): Verdant's services may run
 * several jobs on one host, and a job must be charged for the CPU it kept busy, not for the machine.
 *
 * <p>Where the TDP comes from ({@link #resolve}):
 * <ul>
 *   <li>the model name matches a row of cpu_power.csv: that TDP, tag {@code estimated-tdp};</li>
 *   <li>a model name that matches no row: {@value #DEFAULT_WATTS_PER_LOGICAL_CPU} W per logical CPU
 *       (CodeCarbon's {@code DEFAULT_POWER_PER_CORE} in codecarbon/core/cpu.py, "default W value per
 *       core for a CPU if no model is found in the ref csv", applied per thread), tag
 *       {@code estimated-default};</li>
 *   <li>no model name at all: {@value #UNKNOWN_CPU_TDP_WATTS} W for the package (CodeCarbon's
 *       {@code POWER_CONSTANT} in codecarbon/external/hardware.py), tag {@code estimated-default}.</li>
 * </ul>
 * Caveat shared with CodeCarbon: in a virtual machine {@code logicalCpus} is the VM's vCPU count,
 * so a matched TDP of a large server CPU is divided by few CPUs and overstates the power; pass the
 * package's logical CPU count where it is known.
 *
 * @param cpuModel the model name looked up (null when none was available)
 * @param tdpWatts the power shared by the logical CPUs
 * @param logicalCpus how many logical CPUs share it
 * @param source estimated-tdp or estimated-default
 * @param basis where the figure comes from, for people (e.g. "cpu_power.csv: AMD EPYC 7543 225 W")
 */
public record CpuPower(String cpuModel, double tdpWatts, int logicalCpus, EnergySource source, String basis) {
    public static final double DEFAULT_WATTS_PER_LOGICAL_CPU = 4.0;
    public static final double UNKNOWN_CPU_TDP_WATTS = 85.0;

    public CpuPower {
        if (!(tdpWatts > 0) || Double.isInfinite(tdpWatts)) {
            throw new IllegalArgumentException("CPU power must be a positive number of watts, got " + tdpWatts);
        }
        if (logicalCpus < 1) {
            throw new IllegalArgumentException("logical CPUs must be at least 1, got " + logicalCpus);
        }
        if (source == null || source.measured()) {
            throw new IllegalArgumentException("a CPU power model is an estimate (estimated-tdp or estimated-default),"
                    + " got " + source);
        }
    }

    /** The power model for a CPU model name on a host with {@code logicalCpus} logical CPUs. */
    public static CpuPower resolve(String cpuModel, int logicalCpus, CpuPowerTable table) {
        if (cpuModel == null || cpuModel.isBlank()) {
            return new CpuPower(null, UNKNOWN_CPU_TDP_WATTS, logicalCpus, EnergySource.ESTIMATED_DEFAULT,
                    "CPU model unknown: CodeCarbon's default package power " + Quantities.plain(UNKNOWN_CPU_TDP_WATTS)
                            + " W (POWER_CONSTANT)");
        }
        TdpMatch match = table.match(cpuModel);
        if (match instanceof TdpMatch.Matched m) {
            return new CpuPower(cpuModel, m.tdpWatts(), logicalCpus, EnergySource.ESTIMATED_TDP,
                    "cpu_power.csv: " + m.tableName() + " TDP " + Quantities.plain(m.tdpWatts()) + " W ("
                            + m.rule().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " match)");
        }
        TdpMatch.Unmatched u = (TdpMatch.Unmatched) match;
        return new CpuPower(cpuModel, DEFAULT_WATTS_PER_LOGICAL_CPU * logicalCpus, logicalCpus,
                EnergySource.ESTIMATED_DEFAULT, "'" + cpuModel + "' not in cpu_power.csv (" + u.reason()
                        + "): CodeCarbon's default " + Quantities.plain(DEFAULT_WATTS_PER_LOGICAL_CPU)
                        + " W per logical CPU (DEFAULT_POWER_PER_CORE) x " + logicalCpus);
    }

    /** Power drawn by one fully busy logical CPU: TDP / logicalCpus. */
    public double wattsPerBusyCpu() {
        return tdpWatts / logicalCpus;
    }

    /** E_cpu [J] = TDP / logicalCpus x cpuSeconds. */
    public double joules(double cpuSeconds) {
        Quantities.requireNonNegative("CPU seconds", cpuSeconds);
        return wattsPerBusyCpu() * cpuSeconds;
    }
}
