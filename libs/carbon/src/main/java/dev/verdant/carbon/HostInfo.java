package dev.verdant.carbon;

import dev.verdant.events.JobUsage;
import java.lang.management.ManagementFactory;

/**
 * The machine a job runs on, as a JobUsage reports it.
 *
 * @param cpuModel the "model name" of /proc/cpuinfo, or null where there is none
 * @param logicalCpus logical CPUs of the machine (/proc/cpuinfo "processor" entries, else the JVM's
 *        available processors)
 * @param memoryBytes physical memory, or null when unknown
 */
public record HostInfo(String cpuModel, int logicalCpus, Long memoryBytes) {
    public HostInfo {
        if (logicalCpus < 1) {
            throw new IllegalArgumentException("logical CPUs must be at least 1, got " + logicalCpus);
        }
    }

    /** This machine. */
    public static HostInfo detect() {
        LinuxProc proc = LinuxProc.system();
        int cpus = (int) proc.logicalCpus().orElse(Runtime.getRuntime().availableProcessors());
        Long memory = null;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            memory = total > 0 ? total : null;
        }
        return new HostInfo(proc.cpuModel(), cpus, memory);
    }

    /** For {@link JobUsage#host()}; a missing model name is written "unknown". */
    public JobUsage.Host toEventHost() {
        return new JobUsage.Host(cpuModel == null ? "unknown" : cpuModel, logicalCpus, memoryBytes);
    }
}
