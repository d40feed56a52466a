package dev.verdant.carbon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RAPL reading against a fake powercap tree. */
class RaplReaderTest {
    private static final long RANGE = 262_143_328_850L; // a real package-0 max_energy_range_uj

    @TempDir
    Path dir;

    @Test
    void packageDomainsAreFoundAndSubDomainsDramAndPsysLeftOut() throws Exception {
        FakePowercap tree = new FakePowercap(dir)
                .domain("intel-rapl:0", "package-0", 1_000, RANGE)
                .domain("intel-rapl:0:0", "core", 500, RANGE)
                .domain("intel-rapl:0:1", "dram", 200, RANGE)
                .domain("intel-rapl:1", "package-1", 2_000, RANGE)
                .domain("intel-rapl:2", "psys", 9_000, RANGE);
        Files.createDirectories(dir.resolve("intel-rapl")); // the control-type folder, not a domain

        RaplReader.Availability availability = new RaplReader(tree.root).probe();

        assertThat(availability).isInstanceOf(RaplReader.Readable.class);
        var packages = ((RaplReader.Readable) availability).packages();
        assertThat(packages).extracting(RaplReader.Domain::id).containsExactly("intel-rapl:0", "intel-rapl:1");
        assertThat(packages).extracting(RaplReader.Domain::maxEnergyRangeUj).containsOnly(RANGE);
        assertThat(RaplReader.read(packages)).containsExactly(1_000, 2_000);
    }

    @Test
    void packagesAreSummedAndAWrappedCounterCountsFromItsRange() throws Exception {
        FakePowercap tree = new FakePowercap(dir)
                .domain("intel-rapl:0", "package-0", RANGE - 3_000_000, RANGE)  // 3 J before wrapping
                .domain("intel-rapl:1", "package-1", 10_000_000, RANGE);
        var packages = ((RaplReader.Readable) new RaplReader(tree.root).probe()).packages();
        long[] start = RaplReader.read(packages);

        tree.set("intel-rapl:0", 2_000_000).set("intel-rapl:1", 15_000_000);
        long[] end = RaplReader.read(packages);

        // package-0 wrapped: (RANGE - (RANGE - 3e6)) + 2e6 = 5e6 uJ; package-1: 15e6 - 10e6 = 5e6 uJ; sum 10 J
        assertThat(RaplReader.joulesBetween(packages, start, end)).isEqualTo(10.0);
    }

    @Test
    void deltaOfOneCounter() {
        assertThat(RaplReader.deltaMicrojoules(100, 350, 1_000)).isEqualTo(250);
        assertThat(RaplReader.deltaMicrojoules(900, 100, 1_000)).isEqualTo(200);   // (1000 - 900) + 100
        assertThat(RaplReader.deltaMicrojoules(1_000, 0, 1_000)).isEqualTo(0);     // exactly at the range
        assertThat(RaplReader.deltaMicrojoules(500, 500, 1_000)).isZero();
        assertThatThrownBy(() -> RaplReader.deltaMicrojoules(100, 2_000, 1_000)).hasMessageContaining("[0, 1000]");
    }

    @Test
    void noPowercapFolderIsUnreadableWithTheReason() {
        RaplReader.Availability availability = new RaplReader(dir.resolve("absent")).probe();
        assertThat(availability).isInstanceOf(RaplReader.Unreadable.class);
        assertThat(((RaplReader.Unreadable) availability).why()).contains("does not exist").contains("powercap");
    }

    @Test
    void noPackageDomainIsUnreadable() {
        new FakePowercap(dir).domain("intel-rapl:0", "psys", 1, RANGE);
        assertThat(new RaplReader(dir).probe()).isEqualTo(new RaplReader.Unreadable(
                "no package domain (name package-N) among [" + dir.resolve("intel-rapl:0") + "]"));
        assertThat(new RaplReader(dir.resolve("intel-rapl:0")).probe()).isInstanceOf(RaplReader.Unreadable.class);
    }

    @Test
    void aMissingRangeFileIsUnreadable() throws Exception {
        new FakePowercap(dir).domain("intel-rapl:0", "package-0", 1, RANGE);
        Files.delete(dir.resolve("intel-rapl:0/max_energy_range_uj"));
        assertThat(((RaplReader.Unreadable) new RaplReader(dir).probe()).why()).contains("max_energy_range_uj is missing");
    }

    @Test
    void aCounterOnlyRootMayReadIsUnreadableWithTheFix() throws Exception {
        // Linux >= 5.10 makes energy_uj readable by root only. Root reads through any mode, so this
        // runs only as an ordinary user.
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root can read a 0400 file");
        new FakePowercap(dir).domain("intel-rapl:0", "package-0", 1, RANGE);
        Files.setPosixFilePermissions(dir.resolve("intel-rapl:0/energy_uj"), PosixFilePermissions.fromString("---------"));
        assertThat(((RaplReader.Unreadable) new RaplReader(dir).probe()).why()).contains("permission denied");
    }

    @Test
    void thisMachineHasNoReadableRapl() {
        // Checked by hand: /sys/class/powercap does not exist on this VM. If a machine does expose it,
        // this test says so instead of failing: it documents the build machine, not the code.
        RaplReader.Availability here = RaplReader.system().probe();
        Assumptions.assumeTrue(here instanceof RaplReader.Unreadable, "RAPL is readable on this machine");
        assertThat(((RaplReader.Unreadable) here).why()).isNotBlank();
    }
}
