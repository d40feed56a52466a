package dev.verdant.carbon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A powercap tree in a temporary folder, laid out like /sys/class/powercap. */
final class FakePowercap {
    final Path root;

    FakePowercap(Path root) {
        this.root = root;
    }

    /** A domain folder (e.g. "intel-rapl:0" named "package-0") with its counter and range. */
    FakePowercap domain(String id, String name, long energyUj, long maxRangeUj) {
        Path dir = root.resolve(id);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("name"), name + "\n");
            Files.writeString(dir.resolve("max_energy_range_uj"), maxRangeUj + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return set(id, energyUj);
    }

    FakePowercap set(String id, long energyUj) {
        try {
            Files.writeString(root.resolve(id).resolve("energy_uj"), energyUj + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
