package dev.verdant.carbon;

import java.util.OptionalDouble;

/** A cumulative GPU energy counter (NVML's total energy through nvidia-smi); read at a job's start and stop. */
interface GpuEnergyCounter {

    /** Total energy of the GPUs counted, in joules since some fixed point; empty when it cannot be read now. */
    OptionalDouble totalJoules();

    /** For people: which GPUs, read how. */
    String describe();
}
