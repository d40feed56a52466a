package dev.verdant.events;

/** What a job consumed: CPU time, wall time and energy, with how the energy was obtained. */
public record Usage(double cpuSeconds, double wallSeconds, double energyJoules, EnergySource energySource) {
    public Usage {
        if (cpuSeconds < 0 || wallSeconds < 0 || energyJoules < 0) {
            throw new IllegalArgumentException("usage figures cannot be negative: cpu " + cpuSeconds
                    + " s, wall " + wallSeconds + " s, energy " + energyJoules + " J");
        }
    }
}
