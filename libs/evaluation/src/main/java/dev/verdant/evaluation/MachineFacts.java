package dev.verdant.evaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The machine the numbers were taken on. CPU flags matter because ONNX Runtime picks its kernels
 * by them: AVX-512 and VNNI (avx512_vnni, avx_vnni) make int8 MatMulInteger much faster, AMX more
 * so; a variant can win on one machine and lose on another.
 *
 * @param cpuModel            "model name" of the first processor in /proc/cpuinfo, or os.arch where unreadable
 * @param cpuFlags            the flags of interest that this CPU has, sorted
 * @param availableProcessors processors the JVM may use
 * @param jvm                 e.g. "OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1"
 * @param os                  e.g. "Linux 6.1.0 amd64"
 */
record MachineFacts(String cpuModel, List<String> cpuFlags, int availableProcessors, String jvm, String os) {

    static final Set<String> FLAGS_OF_INTEREST = Set.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f",
            "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_int8",
            "amx_bf16");

    MachineFacts {
        cpuFlags = List.copyOf(cpuFlags);
    }

    static MachineFacts current() {
        List<String> cpuinfo = readLines(Path.of("/proc/cpuinfo"));
        String model = field(cpuinfo, "model name").orElse(System.getProperty("os.arch"));
        Set<String> flags = new TreeSet<>();
        field(cpuinfo, "flags").ifPresent(line -> Arrays.stream(line.split("\\s+"))
                .filter(FLAGS_OF_INTEREST::contains).forEach(flags::add));
        return new MachineFacts(model, List.copyOf(flags), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    }

    private static Optional<String> field(List<String> lines, String name) {
        return lines.stream()
                .filter(line -> line.toLowerCase(Locale.ROOT).startsWith(name))
                .filter(line -> line.indexOf(':') > 0)
                .map(line -> line.substring(line.indexOf(':') + 1).strip())
                .findFirst();
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException unreadable) {
            return List.of(); // not Linux, or /proc hidden: the report says os.arch instead
        }
    }
}
