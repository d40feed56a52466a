package dev.verdant.carbon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/** Reads what the energy meter needs from Linux's /proc; every reader answers empty elsewhere. */
final class LinuxProc {
    /**
     * /proc/stat counts in USER_HZ ticks, 100 per second on every mainstream Linux architecture
     * (sysconf(_SC_CLK_TCK); the kernel ABI fixes it for x86 and arm64).
     */
    static final double TICKS_PER_SECOND = 100.0;

    private final Path proc;

    LinuxProc(Path proc) {
        this.proc = proc;
    }

    static LinuxProc system() {
        return new LinuxProc(Path.of("/proc"));
    }

    /** The first "model name" of /proc/cpuinfo (x86; what CodeCarbon's cpuinfo reads as brand_raw). */
    String cpuModel() {
        for (String line : lines("cpuinfo")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals("model name")) {
                String model = line.substring(colon + 1).strip();
                return model.isEmpty() ? null : model;
            }
        }
        return null;
    }

    /** Logical CPUs of the machine (the "processor" entries of /proc/cpuinfo), like psutil.cpu_count(). */
    OptionalLong logicalCpus() {
        long count = lines("cpuinfo").stream().filter(l -> l.startsWith("processor")).count();
        return count > 0 ? OptionalLong.of(count) : OptionalLong.empty();
    }

    /** Resident set size of this process (VmRSS of /proc/self/status). */
    OptionalLong residentBytes() {
        for (String line : lines("self/status")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).strip().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024L);
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /**
     * CPU time the whole machine spent busy since boot, in seconds: the first line of /proc/stat,
     * user + nice + system + irq + softirq + steal (idle and iowait left out; guest time is already
     * inside user).
     */
    OptionalDouble machineBusySeconds() {
        List<String> lines = lines("stat");
        if (lines.isEmpty() || !lines.get(0).startsWith("cpu ")) {
            return OptionalDouble.empty();
        }
        String[] f = lines.get(0).substring(4).strip().split("\\s+");
        if (f.length < 8) {
            return OptionalDouble.empty();
        }
        try {
            long busy = Long.parseLong(f[0]) + Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[5])
                    + Long.parseLong(f[6]) + Long.parseLong(f[7]);
            return OptionalDouble.of(busy / TICKS_PER_SECOND);
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    private List<String> lines(String file) {
        try {
            return Files.readAllLines(proc.resolve(file));
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }
}
