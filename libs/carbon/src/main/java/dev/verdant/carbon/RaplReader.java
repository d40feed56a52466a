package dev.verdant.carbon;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Intel RAPL energy counters through Linux's powercap interface (also used for AMD Zen CPUs by the
 * kernel's intel-rapl driver): {@code /sys/class/powercap/intel-rapl:N/energy_uj}, a cumulative
 * micro-joule counter per domain, and {@code max_energy_range_uj}, where that counter wraps to 0.
 *
 * <p>Domains used: the top-level ones ({@code intel-rapl:N}, not the {@code intel-rapl:N:M}
 * sub-domains, which are parts of a package and would be counted twice) whose {@code name} starts
 * with "package" (package-0, package-1, ...: one per socket), summed. DRAM and psys are left out,
 * as CodeCarbon does by default (rapl_include_dram=False, rapl_prefer_psys=False).
 *
 * <p>Energy between two readings of one counter, wrap-around included:
 * <pre>  delta = end - start                       if end >= start
 *  delta = (max_energy_range_uj - start) + end   otherwise (the counter wrapped once)</pre>
 * A counter can wrap more than once between two readings when they are more than
 * max_energy_range_uj / power apart (about 20 minutes at 200 W for a 262 kJ range): long jobs take
 * intermediate readings ({@link EnergyMeter.Run#checkpoint()}).
 */
public final class RaplReader {
    public static final Path SYSTEM_ROOT = Path.of("/sys/class/powercap");
    private static final Pattern TOP_LEVEL_DOMAIN = Pattern.compile("intel-rapl:\\d+");

    private final Path root;

    public RaplReader(Path root) {
        this.root = root;
    }

    public static RaplReader system() {
        return new RaplReader(SYSTEM_ROOT);
    }

    public Path root() {
        return root;
    }

    /** One package counter. */
    public record Domain(String id, String name, Path energyFile, long maxEnergyRangeUj) {
    }

    /** Whether the counters can be read here, and if not, why. */
    public sealed interface Availability {
    }

    public record Readable(List<Domain> packages) implements Availability {
        public Readable {
            packages = List.copyOf(packages);
            if (packages.isEmpty()) {
                throw new IllegalArgumentException("a readable RAPL interface has at least one package domain");
            }
        }
    }

    public record Unreadable(String why) implements Availability {
    }

    /** Finds the package domains and checks that their counters can be read now. */
    public Availability probe() {
        if (!Files.isDirectory(root)) {
            return new Unreadable(root + " does not exist: this kernel exposes no powercap/RAPL interface"
                    + " (usual in virtual machines and containers)");
        }
        List<Path> candidates;
        try (Stream<Path> entries = Files.list(root)) {
            candidates = entries.filter(p -> TOP_LEVEL_DOMAIN.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException | SecurityException e) {
            return new Unreadable("cannot list " + root + ": " + e.getMessage());
        }
        if (candidates.isEmpty()) {
            return new Unreadable("no intel-rapl:N domain under " + root);
        }
        List<Domain> packages = new ArrayList<>();
        for (Path dir : candidates) {
            String name;
            try {
                name = Files.readString(dir.resolve("name")).strip();
            } catch (IOException | SecurityException e) {
                continue;
            }
            if (!name.startsWith("package")) {
                continue;
            }
            Path energy = dir.resolve("energy_uj");
            try {
                readMicrojoules(energy);
                long max = readMicrojoules(dir.resolve("max_energy_range_uj"));
                if (max <= 0) {
                    return new Unreadable(dir.resolve("max_energy_range_uj") + " is not positive: " + max);
                }
                packages.add(new Domain(dir.getFileName().toString(), name, energy, max));
            } catch (AccessDeniedException e) {
                return new Unreadable("permission denied reading " + e.getFile() + " (since Linux 5.10 only root may"
                        + " read RAPL counters: sudo chmod a+r " + root + "/intel-rapl:*/energy_uj)");
            } catch (NoSuchFileException e) {
                return new Unreadable(e.getFile() + " is missing");
            } catch (IOException | NumberFormatException | SecurityException e) {
                return new Unreadable("cannot read " + dir + ": " + e);
            }
        }
        return packages.isEmpty() ? new Unreadable("no package domain (name package-N) among " + candidates)
                : new Readable(packages);
    }

    /** Reads every counter, in the order of the domains. */
    public static long[] read(List<Domain> domains) throws IOException {
        long[] values = new long[domains.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = readMicrojoules(domains.get(i).energyFile());
        }
        return values;
    }

    /** Energy between two readings of every domain, wrap-around handled, summed over domains, in joules. */
    public static double joulesBetween(List<Domain> domains, long[] start, long[] end) {
        long microjoules = 0;
        for (int i = 0; i < domains.size(); i++) {
            microjoules += deltaMicrojoules(start[i], end[i], domains.get(i).maxEnergyRangeUj());
        }
        return microjoules / 1e6;
    }

    /** One counter: end - start, or (max - start) + end when it wrapped. */
    public static long deltaMicrojoules(long start, long end, long maxEnergyRangeUj) {
        if (start < 0 || end < 0 || start > maxEnergyRangeUj || end > maxEnergyRangeUj) {
            throw new IllegalArgumentException("RAPL readings must lie in [0, " + maxEnergyRangeUj + "] uJ, got "
                    + start + " and " + end);
        }
        return end >= start ? end - start : (maxEnergyRangeUj - start) + end;
    }

    private static long readMicrojoules(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }
}
