package dev.verdant.carbon;

import dev.verdant.events.EnergySource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Measures the energy of a job: {@code start()} before, {@code stop()} after, giving CPU seconds,
 * wall seconds, joules and the {@link EnergySource} tag ({@link JobEnergy}).
 *
 * <p>CPU energy, in order of preference:
 * <ol>
 *   <li><b>measured-rapl</b> when RAPL package counters are readable ({@link RaplReader}): the package
 *       energy between start and stop x the job's share of the machine's busy CPU time,
 *       {@code share = job CPU s / machine busy CPU s (/proc/stat)}, at most 1 (so two jobs running
 *       side by side do not both claim the whole package; 1 when /proc/stat cannot be read);</li>
 *   <li>else <b>estimated-tdp</b> / <b>estimated-default</b>: the TDP model of {@link CpuPower},
 *       {@code E_cpu = TDP / logicalCpus x job CPU s}.</li>
 * </ol>
 * RAM energy is always the model {@code E_ram = 0.375 W/GiB x GiB x wall s}, with GiB the process's
 * resident memory (the larger of the start and stop readings), shared by CPU time when the scope is a
 * set of threads ({@code x job CPU s / process CPU s}). GPU energy: NVML through nvidia-smi when it is
 * on the PATH and reports energy ({@link NvidiaSmi}); else none.
 *
 * <p>The tag of the total: an estimate is never shown as a measurement. If the CPU part is
 * estimated, the tag is the CPU's estimated-*; if it is measured, the tag is measured-nvml when a
 * measured GPU used more energy than the CPU, else measured-rapl. RAM is modelled in every case (as
 * in CodeCarbon, whose RAPL mode also models RAM).
 *
 * <p>Which CPU time counts: see {@link CpuScope} (process by default).
 */
public final class EnergyMeter {

    /** Time and memory readings; the system's in production, fixed ones in tests. */
    interface Clocks {
        long wallNanos();

        /** CPU time of the whole process in ns, or a negative value when unsupported. */
        long processCpuNanos();

        /** CPU time of a live thread in ns, or a negative value when unavailable (thread ended, unsupported). */
        long threadCpuNanos(Thread thread);

        OptionalDouble machineBusySeconds();

        OptionalLong residentBytes();
    }

    static final Clocks SYSTEM_CLOCKS = new SystemClocks();

    private final CpuPower cpuPower;
    private final RaplReader.Availability rapl;
    private final Optional<GpuEnergyCounter> gpu;
    private final Clocks clocks;

    EnergyMeter(CpuPower cpuPower, RaplReader.Availability rapl, Optional<GpuEnergyCounter> gpu, Clocks clocks) {
        this.cpuPower = cpuPower;
        this.rapl = rapl;
        this.gpu = gpu;
        this.clocks = clocks;
    }

    /** This machine: its CPU model's TDP, RAPL if readable, nvidia-smi if present. Probes once; reuse it. */
    public static EnergyMeter forThisHost() {
        HostInfo host = HostInfo.detect();
        return new EnergyMeter(CpuPower.resolve(host.cpuModel(), host.logicalCpus(), CpuPowerTable.packaged()),
                RaplReader.system().probe(), NvidiaSmi.locate().map(smi -> (GpuEnergyCounter) smi), SYSTEM_CLOCKS);
    }

    /** A meter that only estimates, with the given CPU power model (no RAPL, no GPU). */
    public static EnergyMeter estimating(CpuPower cpuPower) {
        return new EnergyMeter(cpuPower, new RaplReader.Unreadable("not used: an estimating meter"), Optional.empty(),
                SYSTEM_CLOCKS);
    }

    public CpuPower cpuPower() {
        return cpuPower;
    }

    public RaplReader.Availability rapl() {
        return rapl;
    }

    /** True when CPU energy is measured (RAPL readable), false when it is estimated. */
    public boolean measuresCpu() {
        return rapl instanceof RaplReader.Readable;
    }

    /** One line for people: how this meter gets each figure. */
    public String describe() {
        String cpu = rapl instanceof RaplReader.Readable readable
                ? "CPU measured by RAPL (" + readable.packages().stream().map(RaplReader.Domain::name).toList() + ")"
                : "CPU estimated (" + cpuPower.source().wireName() + "): " + cpuPower.basis() + "; RAPL not used: "
                        + ((RaplReader.Unreadable) rapl).why();
        String gpuText = gpu.map(g -> "GPU: " + g.describe()).orElse("GPU: none (no nvidia-smi on the PATH)");
        return cpu + "; RAM modelled at " + Quantities.plain(CodeCarbonModel.RAM_WATTS_PER_GIB) + " W/GiB; " + gpuText;
    }

    /** Starts measuring a job, counting the whole process's CPU time. */
    public Run start() {
        return start(CpuScope.process());
    }

    public Run start(CpuScope scope) {
        return new Run(scope);
    }

    /**
     * The tag of a job's total energy (see the class comment): an estimated CPU part makes the
     * whole an estimate; with a measured CPU, the larger measured part names it.
     */
    static EnergySource sourceOf(EnergySource cpuSource, boolean gpuMeasured, double cpuJoules, double gpuJoules) {
        if (!cpuSource.measured()) {
            return cpuSource;
        }
        return gpuMeasured && gpuJoules > cpuJoules ? EnergySource.MEASURED_NVML : cpuSource;
    }

    /** One job being measured. Not reusable: {@link #stop()} once. */
    public final class Run {
        private final CpuScope scope;
        private final long wallStart;
        private final long processCpuStart;
        private final Map<Thread, Long> threadCpuStart = new IdentityHashMap<>();
        private final OptionalDouble machineBusyStart;
        private long residentMax;

        private final List<RaplReader.Domain> raplDomains;
        private long[] raplLast;
        private double raplJoules;
        private String raplProblem;

        private OptionalDouble gpuLast = OptionalDouble.empty();
        private double gpuJoules;
        private String gpuProblem;

        private JobEnergy result;

        private Run(CpuScope scope) {
            this.scope = scope;
            if (rapl instanceof RaplReader.Readable readable) {
                raplDomains = readable.packages();
                try {
                    raplLast = RaplReader.read(raplDomains);
                } catch (IOException | RuntimeException e) {
                    raplProblem = "RAPL counters could not be read at start: " + e.getMessage();
                }
            } else {
                raplDomains = List.of();
            }
            if (gpu.isPresent()) {
                gpuLast = gpu.get().totalJoules();
                if (gpuLast.isEmpty()) {
                    gpuProblem = "GPU energy not readable at start (" + gpu.get().describe() + ")";
                }
            }
            if (scope instanceof CpuScope.Threads threads) {
                threads.threads().forEach(this::trackUnsynchronized);
            }
            residentMax = clocks.residentBytes().orElse(0);
            machineBusyStart = clocks.machineBusySeconds();
            processCpuStart = clocks.processCpuNanos();
            wallStart = clocks.wallNanos();
        }

        /** Adds a Java thread to a {@link CpuScope.Threads} measurement (e.g. a worker the job started). */
        public synchronized void track(Thread thread) {
            if (!(scope instanceof CpuScope.Threads)) {
                throw new IllegalStateException("this measurement counts the whole process; threads are counted already");
            }
            requireRunning();
            trackUnsynchronized(thread);
        }

        private void trackUnsynchronized(Thread thread) {
            long now = clocks.threadCpuNanos(thread);
            threadCpuStart.putIfAbsent(thread, Math.max(now, 0));
        }

        /**
         * Takes intermediate readings of the RAPL and GPU counters, so a counter that wraps more than
         * once during a long job is still counted right. Call it every few minutes in long jobs.
         */
        public synchronized void checkpoint() {
            requireRunning();
            readCounters();
        }

        /** Ends the measurement. */
        public synchronized JobEnergy stop() {
            requireRunning();
            readCounters();
            long wallEnd = clocks.wallNanos();
            long processCpuEnd = clocks.processCpuNanos();
            OptionalDouble machineBusyEnd = clocks.machineBusySeconds();

            double wallSeconds = Math.max(0, (wallEnd - wallStart) / 1e9);
            double processCpuSeconds = processCpuStart >= 0 && processCpuEnd >= 0
                    ? Math.max(0, (processCpuEnd - processCpuStart) / 1e9) : 0;
            double jobCpuSeconds = scope instanceof CpuScope.Threads ? threadsCpuSeconds() : processCpuSeconds;

            StringBuilder basis = new StringBuilder();
            double cpuJoules;
            EnergySource cpuSource;
            boolean raplUsed = raplDomains.size() > 0 && raplProblem == null;
            if (raplUsed) {
                double share = 1.0;
                if (machineBusyStart.isPresent() && machineBusyEnd.isPresent()) {
                    double machineBusy = machineBusyEnd.getAsDouble() - machineBusyStart.getAsDouble();
                    if (machineBusy > 0) {
                        share = Math.min(1.0, jobCpuSeconds / machineBusy);
                    }
                }
                cpuJoules = raplJoules * share;
                cpuSource = EnergySource.MEASURED_RAPL;
                basis.append("CPU: RAPL packages ").append(raplDomains.stream().map(RaplReader.Domain::name).toList())
                        .append(' ').append(round(raplJoules)).append(" J x job share ").append(round(share))
                        .append(" of the machine's busy CPU time");
            } else {
                cpuJoules = cpuPower.joules(jobCpuSeconds);
                cpuSource = cpuPower.source();
                basis.append("CPU: ").append(round(cpuPower.wattsPerBusyCpu())).append(" W per busy logical CPU x ")
                        .append(round(jobCpuSeconds)).append(" CPU s; ").append(cpuPower.basis());
                if (raplProblem != null) {
                    basis.append("; ").append(raplProblem);
                } else if (rapl instanceof RaplReader.Unreadable unreadable) {
                    basis.append("; RAPL not used: ").append(unreadable.why());
                }
            }

            double ramShare = scope instanceof CpuScope.Threads && processCpuSeconds > 0
                    ? Math.min(1.0, jobCpuSeconds / processCpuSeconds) : 1.0;
            double ramGib = CodeCarbonModel.gib(residentMax) * ramShare;
            double ramJoules = CodeCarbonModel.ramWatts(ramGib) * wallSeconds;
            basis.append(". RAM: ").append(round(CodeCarbonModel.RAM_WATTS_PER_GIB)).append(" W/GiB x ")
                    .append(round(ramGib)).append(" GiB resident x ").append(round(wallSeconds)).append(" s");

            boolean gpuMeasured = gpu.isPresent() && gpuProblem == null;
            double gpuTotal = gpuMeasured ? gpuJoules : 0;
            if (gpuMeasured) {
                basis.append(". GPU: NVML ").append(round(gpuTotal)).append(" J");
            } else if (gpuProblem != null) {
                basis.append(". GPU: not counted, ").append(gpuProblem);
            }

            result = new JobEnergy(jobCpuSeconds, wallSeconds, cpuJoules, ramJoules, gpuTotal, ramGib,
                    sourceOf(cpuSource, gpuMeasured, cpuJoules, gpuTotal), basis.toString());
            return result;
        }

        private double threadsCpuSeconds() {
            long nanos = 0;
            for (Map.Entry<Thread, Long> e : threadCpuStart.entrySet()) {
                long now = clocks.threadCpuNanos(e.getKey());
                if (now >= 0) {
                    nanos += Math.max(0, now - e.getValue());
                }
            }
            return nanos / 1e9;
        }

        private void readCounters() {
            clocks.residentBytes().ifPresent(bytes -> residentMax = Math.max(residentMax, bytes));
            if (raplLast != null && raplProblem == null) {
                try {
                    long[] now = RaplReader.read(raplDomains);
                    raplJoules += RaplReader.joulesBetween(raplDomains, raplLast, now);
                    raplLast = now;
                } catch (IOException | RuntimeException e) {
                    raplProblem = "RAPL counters could not be read during the job: " + e.getMessage();
                }
            }
            if (gpu.isPresent() && gpuProblem == null) {
                OptionalDouble now = gpu.get().totalJoules();
                if (now.isEmpty()) {
                    gpuProblem = "GPU energy not readable during the job (" + gpu.get().describe() + ")";
                } else {
                    gpuJoules += Math.max(0, now.getAsDouble() - gpuLast.getAsDouble());
                    gpuLast = now;
                }
            }
        }

        private void requireRunning() {
            if (result != null) {
                throw new IllegalStateException("this measurement is stopped already");
            }
        }
    }

    private static String round(double value) {
        return Quantities.plain(Math.round(value * 1000.0) / 1000.0);
    }

    private static final class SystemClocks implements Clocks {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        private final LinuxProc proc = LinuxProc.system();

        SystemClocks() {
            if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
                threads.setThreadCpuTimeEnabled(true);
            }
        }

        @Override
        public long wallNanos() {
            return System.nanoTime();
        }

        @Override
        public long processCpuNanos() {
            return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        }

        @Override
        public long threadCpuNanos(Thread thread) {
            return threads.isThreadCpuTimeSupported() ? threads.getThreadCpuTime(thread.getId()) : -1;
        }

        @Override
        public OptionalDouble machineBusySeconds() {
            return proc.machineBusySeconds();
        }

        @Override
        public OptionalLong residentBytes() {
            OptionalLong rss = proc.residentBytes();
            if (rss.isPresent()) {
                return rss;
            }
            Runtime runtime = Runtime.getRuntime();
            return OptionalLong.of(runtime.totalMemory());
        }
    }
}
