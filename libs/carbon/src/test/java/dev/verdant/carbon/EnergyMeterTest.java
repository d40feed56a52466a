package dev.verdant.carbon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.verdant.events.EnergySource;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnergyMeterTest {
    private static final long GIB = 1024L * 1024 * 1024;
    private static final long RANGE = 1_000_000_000L; // 1000 J, small so that tests can wrap it

    @TempDir
    Path dir;

    /** Clocks a test moves by hand. */
    static final class FakeClocks implements EnergyMeter.Clocks {
        long wallNanos;
        long processCpuNanos;
        final Map<Thread, Long> threadCpuNanos = new IdentityHashMap<>();
        Double machineBusySeconds;
        long residentBytes = 2 * GIB;

        @Override
        public long wallNanos() {
            return wallNanos;
        }

        @Override
        public long processCpuNanos() {
            return processCpuNanos;
        }

        @Override
        public long threadCpuNanos(Thread thread) {
            return threadCpuNanos.getOrDefault(thread, -1L);
        }

        @Override
        public OptionalDouble machineBusySeconds() {
            return machineBusySeconds == null ? OptionalDouble.empty() : OptionalDouble.of(machineBusySeconds);
        }

        @Override
        public OptionalLong residentBytes() {
            return OptionalLong.of(residentBytes);
        }
    }

    /** A GPU counter a test sets by hand. */
    static final class FakeGpu implements GpuEnergyCounter {
        Double joules = 0.0;

        @Override
        public OptionalDouble totalJoules() {
            return joules == null ? OptionalDouble.empty() : OptionalDouble.of(joules);
        }

        @Override
        public String describe() {
            return "fake GPU";
        }
    }

    private static final CpuPower EPYC_7543_64 = CpuPower.resolve("AMD EPYC 7543 32-Core Processor", 64,
            CpuPowerTable.packaged());

    @Test
    void onThisMachineTheTagIsAnEstimateBecauseRaplIsNotReadable() {
        EnergyMeter meter = EnergyMeter.forThisHost();
        EnergyMeter.Run run = meter.start();
        long spin = 0;
        long until = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < until) {
            spin += 1 + Long.numberOfTrailingZeros(spin + 1);
        }
        JobEnergy energy = run.stop();

        assertThat(spin).isPositive();
        assertThat(energy.wallSeconds()).isGreaterThanOrEqualTo(0.2);
        assertThat(energy.cpuSeconds()).isPositive();
        if (meter.measuresCpu()) {
            assertThat(energy.source()).isEqualTo(EnergySource.MEASURED_RAPL);
        } else {
            // here: /sys/class/powercap is absent, so the CPU part comes from the TDP model
            assertThat(energy.source()).isIn(EnergySource.ESTIMATED_TDP, EnergySource.ESTIMATED_DEFAULT)
                    .isEqualTo(meter.cpuPower().source());
            assertThat(energy.cpuJoules()).isCloseTo(meter.cpuPower().joules(energy.cpuSeconds()), within(1e-9));
            assertThat(energy.basis()).contains("RAPL not used");
            assertThat(meter.describe()).contains("CPU estimated");
        }
        assertThat(energy.ramGib()).isPositive();
        assertThat(energy.ramJoules()).isCloseTo(0.375 * energy.ramGib() * energy.wallSeconds(), within(1e-9));
        assertThat(energy.usage().energyJoules()).isEqualTo(energy.totalJoules());
        assertThat(energy.usage().energySource()).isEqualTo(energy.source());
    }

    @Test
    void thisMachinesCpuModelIsUnknownToTheTableSoTheDefaultApplies() {
        HostInfo host = HostInfo.detect();
        org.junit.jupiter.api.Assumptions.assumeTrue("AMD EPYC".equals(host.cpuModel()),
                "this checks the build VM, whose /proc/cpuinfo says 'AMD EPYC'");
        EnergyMeter meter = EnergyMeter.forThisHost();
        assertThat(meter.cpuPower().source()).isEqualTo(EnergySource.ESTIMATED_DEFAULT);
        assertThat(meter.cpuPower().wattsPerBusyCpu()).isEqualTo(4.0);
        assertThat(host.toEventHost().logicalCpus()).isEqualTo(host.logicalCpus());
    }

    @Test
    void estimateWithFakeClocks() {
        FakeClocks clocks = new FakeClocks();
        EnergyMeter meter = new EnergyMeter(EPYC_7543_64, new RaplReader.Unreadable("test"), Optional.empty(), clocks);
        EnergyMeter.Run run = meter.start();
        clocks.wallNanos += 10_000_000_000L;     // 10 s
        clocks.processCpuNanos += 16_000_000_000L; // 16 CPU s (1.6 CPUs busy)
        JobEnergy energy = run.stop();

        // CPU: 225 W / 64 x 16 s = 56.25 J; RAM: 0.375 x 2 GiB x 10 s = 7.5 J
        assertThat(energy.cpuSeconds()).isEqualTo(16.0);
        assertThat(energy.wallSeconds()).isEqualTo(10.0);
        assertThat(energy.cpuJoules()).isEqualTo(56.25);
        assertThat(energy.ramJoules()).isEqualTo(7.5);
        assertThat(energy.totalJoules()).isEqualTo(63.75);
        assertThat(energy.source()).isEqualTo(EnergySource.ESTIMATED_TDP);
        assertThat(energy.basis()).contains("3.516 W per busy logical CPU x 16 CPU s").contains("RAPL not used: test");
    }

    @Test
    void raplMeasuresThePackageAndChargesTheJobItsShareOfBusyTime() {
        FakePowercap tree = new FakePowercap(dir.resolve("powercap"))
                .domain("intel-rapl:0", "package-0", 100_000_000L, RANGE)
                .domain("intel-rapl:1", "package-1", 900_000_000L, RANGE);
        FakeClocks clocks = new FakeClocks();
        clocks.machineBusySeconds = 5_000.0;
        EnergyMeter meter = new EnergyMeter(EPYC_7543_64, new RaplReader(tree.root).probe(), Optional.empty(), clocks);
        assertThat(meter.measuresCpu()).isTrue();

        EnergyMeter.Run run = meter.start();
        tree.set("intel-rapl:0", 400_000_000L)   // +300 J
                .set("intel-rapl:1", 100_000_000L); // wrapped: (1000 - 900) + 100 = +200 J
        clocks.wallNanos += 10_000_000_000L;
        clocks.processCpuNanos += 4_000_000_000L;   // the job: 4 CPU s
        clocks.machineBusySeconds += 16.0;           // the machine: 16 CPU s busy
        JobEnergy energy = run.stop();

        // 500 J of packages x 4/16 = 125 J
        assertThat(energy.cpuJoules()).isCloseTo(125.0, within(1e-9));
        assertThat(energy.source()).isEqualTo(EnergySource.MEASURED_RAPL);
        assertThat(energy.basis()).contains("RAPL packages [package-0, package-1] 500 J x job share 0.25");
    }

    @Test
    void checkpointsKeepCountWhenACounterWrapsTwiceInOneJob() {
        FakePowercap tree = new FakePowercap(dir.resolve("powercap")).domain("intel-rapl:0", "package-0", 0, RANGE);
        FakeClocks clocks = new FakeClocks(); // no /proc/stat: the job gets the whole package
        EnergyMeter meter = new EnergyMeter(EPYC_7543_64, new RaplReader(tree.root).probe(), Optional.empty(), clocks);
        EnergyMeter.Run run = meter.start();
        tree.set("intel-rapl:0", 800_000_000L);
        run.checkpoint();                               // +800 J
        tree.set("intel-rapl:0", 600_000_000L);
        run.checkpoint();                               // wrapped: +200 + 600 = +800 J
        tree.set("intel-rapl:0", 100_000_000L);         // wrapped: +400 + 100 = +500 J
        JobEnergy energy = run.stop();
        assertThat(energy.cpuJoules()).isCloseTo(2_100.0, within(1e-9));
    }

    @Test
    void threadScopeCountsOnlyTheJobsThreadsAndItsShareOfMemory() {
        FakeClocks clocks = new FakeClocks();
        Thread job = new Thread(() -> { });
        Thread worker = new Thread(() -> { });
        clocks.threadCpuNanos.put(job, 1_000_000_000L);
        EnergyMeter meter = new EnergyMeter(EPYC_7543_64, new RaplReader.Unreadable("test"), Optional.empty(), clocks);
        EnergyMeter.Run run = meter.start(CpuScope.threads(job));
        clocks.threadCpuNanos.put(worker, 0L);
        run.track(worker);
        clocks.threadCpuNanos.put(job, 3_000_000_000L);     // +2 CPU s
        clocks.threadCpuNanos.put(worker, 2_000_000_000L);  // +2 CPU s
        clocks.processCpuNanos += 16_000_000_000L;          // the whole process: 16 CPU s (other jobs too)
        clocks.wallNanos += 10_000_000_000L;
        JobEnergy energy = run.stop();

        assertThat(energy.cpuSeconds()).isEqualTo(4.0);
        // CPU 225/64 x 4 = 14.0625 J; RAM 2 GiB x 4/16 = 0.5 GiB x 0.375 W x 10 s = 1.875 J
        assertThat(energy.cpuJoules()).isEqualTo(14.0625);
        assertThat(energy.ramGib()).isEqualTo(0.5);
        assertThat(energy.ramJoules()).isEqualTo(1.875);
    }

    @Test
    void aMeasuredGpuNeverTurnsAnEstimatedCpuIntoAMeasurement() {
        FakeClocks clocks = new FakeClocks();
        FakeGpu gpu = new FakeGpu();
        gpu.joules = 1_000.0;
        EnergyMeter meter = new EnergyMeter(EPYC_7543_64, new RaplReader.Unreadable("test"), Optional.of(gpu), clocks);
        EnergyMeter.Run run = meter.start();
        gpu.joules = 4_000.0;
        clocks.wallNanos += 10_000_000_000L;
        JobEnergy energy = run.stop();
        assertThat(energy.gpuJoules()).isEqualTo(3_000.0);
        assertThat(energy.source()).isEqualTo(EnergySource.ESTIMATED_TDP);
        assertThat(energy.basis()).contains("GPU: NVML 3000 J");
    }

    @Test
    void measuredCpuAndALargerMeasuredGpuAreTaggedNvml() {
        FakePowercap tree = new FakePowercap(dir.resolve("powercap")).domain("intel-rapl:0", "package-0", 0, RANGE);
        FakeClocks clocks = new FakeClocks();
        FakeGpu gpu = new FakeGpu();
        EnergyMeter meter = new EnergyMeter(EPYC_7543_64, new RaplReader(tree.root).probe(), Optional.of(gpu), clocks);
        EnergyMeter.Run run = meter.start();
        tree.set("intel-rapl:0", 50_000_000L);  // 50 J
        gpu.joules = 300.0;                      // 300 J
        JobEnergy energy = run.stop();
        assertThat(energy.source()).isEqualTo(EnergySource.MEASURED_NVML);
        assertThat(energy.totalJoules()).isCloseTo(350.0, within(1e-9));
    }

    @Test
    void aGpuThatStopsAnsweringIsLeftOutAndSaidSo() {
        FakeClocks clocks = new FakeClocks();
        FakeGpu gpu = new FakeGpu();
        EnergyMeter meter = new EnergyMeter(EPYC_7543_64, new RaplReader.Unreadable("test"), Optional.of(gpu), clocks);
        EnergyMeter.Run run = meter.start();
        gpu.joules = null;
        JobEnergy energy = run.stop();
        assertThat(energy.gpuJoules()).isZero();
        assertThat(energy.basis()).contains("GPU: not counted, GPU energy not readable during the job (fake GPU)");
    }

    @Test
    void tagRule() {
        assertThat(EnergyMeter.sourceOf(EnergySource.ESTIMATED_DEFAULT, true, 1, 1_000)).isEqualTo(EnergySource.ESTIMATED_DEFAULT);
        assertThat(EnergyMeter.sourceOf(EnergySource.MEASURED_RAPL, true, 10, 5)).isEqualTo(EnergySource.MEASURED_RAPL);
        assertThat(EnergyMeter.sourceOf(EnergySource.MEASURED_RAPL, true, 5, 10)).isEqualTo(EnergySource.MEASURED_NVML);
        assertThat(EnergyMeter.sourceOf(EnergySource.MEASURED_RAPL, false, 5, 10)).isEqualTo(EnergySource.MEASURED_RAPL);
    }

    @Test
    void aRunStopsOnceAndProcessScopeTracksNoThreads() {
        EnergyMeter meter = new EnergyMeter(EPYC_7543_64, new RaplReader.Unreadable("test"), Optional.empty(),
                new FakeClocks());
        EnergyMeter.Run run = meter.start();
        assertThatThrownBy(() -> run.track(Thread.currentThread())).isInstanceOf(IllegalStateException.class);
        run.stop();
        assertThatThrownBy(run::stop).hasMessageContaining("stopped already");
    }

    @Test
    void nvidiaSmiOutputIsParsed() {
        var readings = NvidiaSmi.parse("""
                0, NVIDIA H200, 123456789, 75.32
                1, Tesla K80, [N/A], [N/A]
                """);
        assertThat(readings).hasSize(2);
        assertThat(readings.get(0).energyMillijoules()).hasValue(123456789.0);
        assertThat(readings.get(0).name()).isEqualTo("NVIDIA H200");
        assertThat(readings.get(1).energyMillijoules()).isEmpty();
        assertThat(NvidiaSmi.parse("No devices were found\n")).isEmpty();
    }
}
