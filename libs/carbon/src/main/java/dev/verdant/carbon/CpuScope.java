package dev.verdant.carbon;

import java.util.List;

/**
 * Whose CPU time a measurement counts.
 * <ul>
 *   <li>{@link Process}: the JVM's process CPU time (OperatingSystemMXBean.getProcessCpuTime): every
 *       thread, native ones included (ONNX Runtime's and PyTorch's intra-op pools are native threads
 *       the JVM does not list), plus GC and JIT. Right when the JVM runs one job at a time (a service
 *       instance that processes one record after the other); the default.</li>
 *   <li>{@link Threads}: the CPU time of the job's own Java threads (ThreadMXBean.getThreadCpuTime).
 *       Right when one JVM runs several jobs at once: each counts only its threads. It misses native
 *       worker threads and GC, so it undercounts inference that runs on a native pool.</li>
 * </ul>
 */
public sealed interface CpuScope {

    record Process() implements CpuScope {
    }

    /** The Java threads whose CPU time is counted; more can be added while the job runs. */
    record Threads(List<Thread> threads) implements CpuScope {
        public Threads {
            threads = List.copyOf(threads);
        }
    }

    static CpuScope process() {
        return new Process();
    }

    /** The calling thread (more with {@link EnergyMeter.Run#track(Thread)}). */
    static CpuScope currentThread() {
        return new Threads(List.of(Thread.currentThread()));
    }

    static CpuScope threads(Thread... threads) {
        return new Threads(List.of(threads));
    }
}
