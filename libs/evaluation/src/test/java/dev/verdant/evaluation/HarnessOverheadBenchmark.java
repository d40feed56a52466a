package dev.verdant.evaluation;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does the evaluation harness distort what it measures? all-MiniLM-L6-v2 fp32 through
 * {@link HarnessOverhead} (bare ONNX Runtime, DJL + pooling, the whole harness), printed as the
 * table of docs/evaluation.md. {@code verdant bench} runs the same measurement (docs/benchmarks.md).
 *
 * <p>Not a test (timings on a shared machine vary): run it with
 * {@code ./mvnw -q -B -pl libs/evaluation test-compile exec:exec@harness-overhead}; arguments
 * through {@code -Dbenchmark.args="--threads 2 --reps 9 --batches 20"}.
 */
public final class HarnessOverheadBenchmark {

    private HarnessOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Integer> options = options(args);
        int threads = options.getOrDefault("threads", 2);
        int reps = options.getOrDefault("reps", 9);
        int batches = options.getOrDefault("batches", 20);
        Path dir = Path.of("target", "minilm-evaluation");
        Path model = MiniLmFiles.extract(MiniLmFiles.FP32, dir);
        Path tokenizerFile = MiniLmFiles.extract(MiniLmFiles.FP32_TOKENIZER, dir);
        List<String> sentences = ((StsReader.Loaded) StsReader.builtIn(StsSplit.TEST)).dataset().firstSentences();
        print(HarnessOverhead.measure(model, tokenizerFile, sentences, threads, reps, batches));
    }

    private static void print(HarnessOverhead.Result r) {
        double[][] wall = r.wallMs();
        double[][] cpu = r.cpuMs();
        System.out.printf(Locale.ROOT, "all-MiniLM-L6-v2 fp32, batch %d, %d batches of STS-B test sentences (padded"
                + " length %.1f tokens on average), %d intra-op threads, %d repetitions, ONNX Runtime %s, %s%n",
                HarnessOverhead.BATCH, r.batches(), r.meanLength(), r.threads(), r.repetitions(),
                ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion(), MachineFacts.current().cpuModel());
        System.out.println("Each figure: one repetition's mean ms per batch of 32; min / median / max over repetitions.");
        System.out.printf(Locale.ROOT, "| %-36s | %8s | %8s | %8s | %8s | %12s | %8s |%n", "variant", "wall min",
                "median", "max", "vs bare", "cpu median", "vs bare");
        System.out.println("|" + "-".repeat(38) + ("|" + "-".repeat(10)).repeat(4) + "|" + "-".repeat(14) + "|"
                + "-".repeat(10) + "|");
        double bareWall = Percentiles.median(wall[0]);
        double bareCpu = Percentiles.median(cpu[0]);
        for (int v = 0; v < r.variants().size(); v++) {
            System.out.printf(Locale.ROOT, "| %-36s | %8.2f | %8.2f | %8.2f | %+7.1f%% | %12.2f | %+7.1f%% |%n",
                    r.variants().get(v), Arrays.stream(wall[v]).min().orElseThrow(), Percentiles.median(wall[v]),
                    Arrays.stream(wall[v]).max().orElseThrow(), (Percentiles.median(wall[v]) / bareWall - 1) * 100,
                    Percentiles.median(cpu[v]), (Percentiles.median(cpu[v]) / bareCpu - 1) * 100);
        }
        double[] paired = r.pairedOverhead();
        double overhead = r.overheadOfMedians();
        System.out.printf(Locale.ROOT, "harness overhead (wall): %+.1f%% of medians; per repetition %+.1f%% median,"
                + " %+.1f%% min, %+.1f%% max: %s%n", overhead * 100, Percentiles.median(paired) * 100,
                Arrays.stream(paired).min().orElseThrow() * 100, Arrays.stream(paired).max().orElseThrow() * 100,
                overhead <= 0.05 ? "within the 5% budget" : "ABOVE the 5% budget");
        System.out.printf(Locale.ROOT, "harness parts alone, ms per batch of 32 (median of %d): tokenizer %.3f,"
                + " mean pooling %.3f%n", r.repetitions(), r.tokenizeMs(), r.poolingMs());
    }

    private static Map<String, Integer> options(String[] args) {
        Map<String, Integer> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --threads N, --reps N or --batches N, got " + args[i]);
            }
            options.put(args[i].substring(2), Integer.parseInt(args[i + 1]));
        }
        return options;
    }
}
