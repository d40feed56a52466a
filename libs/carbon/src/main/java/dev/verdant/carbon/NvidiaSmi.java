package dev.verdant.carbon;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * GPU energy through nvidia-smi (NVML underneath), best effort and only where nvidia-smi is on the
 * PATH. Reads {@code total_energy_consumption}: "total energy consumption for the GPU in millijoules
 * (mJ) since the driver was last reloaded" (Volta and later; "[N/A]" on older GPUs, which then
 * count as not measurable: no GPU estimate is made). All GPUs of the machine are counted: the job is
 * assumed to have them to itself, as CodeCarbon assumes for the GPUs it tracks.
 */
final class NvidiaSmi implements GpuEnergyCounter {
    static final List<String> QUERY = List.of("--query-gpu=index,name,total_energy_consumption,power.draw",
            "--format=csv,noheader,nounits");
    private static final long TIMEOUT_SECONDS = 10;

    private final Path executable;
    private volatile String lastProblem = "";

    NvidiaSmi(Path executable) {
        this.executable = executable;
    }

    /** nvidia-smi from the PATH, if there is one. */
    static Optional<NvidiaSmi> locate() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, "nvidia-smi");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(new NvidiaSmi(candidate));
            }
        }
        return Optional.empty();
    }

    /** One GPU's line of the query. */
    record Reading(int index, String name, OptionalDouble energyMillijoules, OptionalDouble powerWatts) {
    }

    @Override
    public OptionalDouble totalJoules() {
        List<Reading> readings = sample();
        if (readings.isEmpty() || readings.stream().anyMatch(r -> r.energyMillijoules().isEmpty())) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(readings.stream().mapToDouble(r -> r.energyMillijoules().getAsDouble()).sum() / 1000.0);
    }

    @Override
    public String describe() {
        return "nvidia-smi at " + executable + (lastProblem.isEmpty() ? "" : " (" + lastProblem + ")");
    }

    List<Reading> sample() {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(QUERY);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out;
            try (InputStream in = process.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                lastProblem = "nvidia-smi did not finish in " + TIMEOUT_SECONDS + " s";
                return List.of();
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                lastProblem = "nvidia-smi exited with " + process.exitValue() + ": " + text.strip();
                return List.of();
            }
            return parse(text);
        } catch (IOException e) {
            lastProblem = "cannot run nvidia-smi: " + e.getMessage();
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Parses "0, NVIDIA H200, 123456789, 75.32" lines; "[N/A]" / "[Not Supported]" fields become empty. */
    static List<Reading> parse(String output) {
        List<Reading> readings = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length < 4) {
                continue;
            }
            try {
                readings.add(new Reading(Integer.parseInt(f[0].strip()), f[1].strip(), number(f[2]), number(f[3])));
            } catch (NumberFormatException e) {
                // not a data line (a warning nvidia-smi printed): skip
            }
        }
        return readings;
    }

    private static OptionalDouble number(String field) {
        try {
            return OptionalDouble.of(Double.parseDouble(field.strip()));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }
}
