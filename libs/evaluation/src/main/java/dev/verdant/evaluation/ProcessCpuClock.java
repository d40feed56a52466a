package dev.verdant.evaluation;

import java.lang.management.ManagementFactory;

/**
 * CPU time of the whole process. ThreadMXBean would see only Java threads, but ONNX Runtime runs
 * its intra-op pool on native threads the JVM does not know; the process clock counts them all
 * (and the JVM's own JIT and GC threads, which is what the machine really spends).
 */
final class ProcessCpuClock {

    private ProcessCpuClock() {
    }

    /** Process CPU nanoseconds (user + system, all threads); -1 where the JVM cannot tell. */
    static long nanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
