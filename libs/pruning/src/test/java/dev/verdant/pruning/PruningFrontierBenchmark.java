package dev.verdant.pruning;

import dev.verdant.evaluation.EvaluationOutcome;
import dev.verdant.evaluation.EvaluationReport;
import dev.verdant.evaluation.EvaluationRequest;
import dev.verdant.evaluation.Evaluator;
import dev.verdant.evaluation.LatencySettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The quality / size / speed frontier of one-shot pruning on all-MiniLM-L6-v2, measured with the
 * evaluation harness (libs/evaluation): STS-B test Spearman, mean cosine of the sentence embeddings
 * to the fp32 original, batch-32 latency, file size and parameters; then, with --sensitivity, the
 * quality lost when each layer alone is pruned (ffn and heads at 0.5), the basis for per-layer
 * amounts under a quality budget.
 *
 * <p>Not a test (timings on a shared machine vary; ~15 minutes on 2 cores):
 * {@code flock /tmp/verdant-heavy.lock ./mvnw -q -B -pl libs/pruning test-compile exec:exec@frontier}
 * with options through {@code -Dbenchmark.args="--pairs 300 --sensitivity"}; {@code --calibrated-only}
 * measures fp32 and the calibrated rows alone (ffn and heads by activations, unstructured by Wanda),
 * calibrated on the first 1,000 STS-B train sentences as the pruning service does. Prints markdown tables
 * (also written to target/pruning-frontier/frontier.md).
 */
public final class PruningFrontierBenchmark {

    record Spec(String label, PruningRequest request) {
    }

    private PruningFrontierBenchmark() {
    }

    static List<Spec> frontier() {
        List<Spec> specs = new ArrayList<>();
        for (double amount : new double[] {0.125, 0.25, 0.5}) {
            specs.add(new Spec("ffn " + amount, PruningRequest.of(PruningMethod.FFN, amount)));
        }
        for (double amount : new double[] {0.25, 0.5, 0.75}) {
            specs.add(new Spec("heads " + amount, PruningRequest.of(PruningMethod.HEADS, amount)));
        }
        for (double amount : new double[] {0.6, 0.75, 0.9}) {
            specs.add(new Spec("lowrank " + amount, PruningRequest.of(PruningMethod.LOWRANK, amount)));
        }
        specs.add(new Spec("unstructured 0.5", PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5)));
        specs.add(new Spec("unstructured 0.5 global",
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5).withScope(PruningScope.GLOBAL)));
        return specs;
    }

    /** The calibrated variants: ffn and heads ranked by activations, unstructured by Wanda. */
    static List<Spec> calibrated(ActivationStatistics calibration) {
        List<Spec> specs = new ArrayList<>();
        for (double amount : new double[] {0.125, 0.25, 0.5}) {
            specs.add(new Spec("ffn " + amount + " calibrated",
                    PruningRequest.of(PruningMethod.FFN, amount).withCalibration(calibration)));
        }
        for (double amount : new double[] {0.25, 0.5}) {
            specs.add(new Spec("heads " + amount + " calibrated",
                    PruningRequest.of(PruningMethod.HEADS, amount).withCalibration(calibration)));
        }
        specs.add(new Spec("unstructured 0.5 wanda",
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5).withCalibration(calibration)));
        specs.add(new Spec("unstructured 0.5 wanda global",
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5).withScope(PruningScope.GLOBAL).withCalibration(calibration)));
        return specs;
    }

    /** What the pruning service calibrates on by default: the first 1,000 STS-B train sentences. */
    static ActivationStatistics calibration(Path model, Path tokenizer) throws Exception {
        return ActivationCalibrator.measure(dev.verdant.onnx.OnnxGraphs.read(model), tokenizer,
                ActivationCalibrator.stsbTrainSentences(ActivationCalibrator.DEFAULT_SENTENCES),
                "STS-B train, first " + ActivationCalibrator.DEFAULT_SENTENCES + " sentences");
    }

    public static void main(String[] args) throws Exception {
        int pairs = 0;
        boolean sensitivity = false;
        boolean frontier = true;
        boolean calibratedOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--sensitivity" -> sensitivity = true;
                case "--latency-only" -> {
                    latency(Path.of("target", "pruning-frontier"));
                    return;
                }
                case "--sensitivity-only" -> {
                    sensitivity = true;
                    frontier = false;
                }
                case "--calibrated-only" -> calibratedOnly = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --pairs N (0 = all), --sensitivity, --sensitivity-only, --latency-only, --calibrated-only");
            }
        }
        Path dir = Path.of("target", "pruning-frontier");
        Path fp32 = MiniLmFiles.extract(MiniLmFiles.FP32, dir);
        Path tokenizer = MiniLmFiles.extract(MiniLmFiles.TOKENIZER, dir);
        StringBuilder out = new StringBuilder();
        Pruner pruner = new Pruner();

        if (frontier) {
            EvaluationReport base = evaluate(fp32, tokenizer, null, pairs, LatencySettings.standard());
            line(out, String.format(Locale.ROOT, "STS-B test, %d pairs; baseline fp32 all-MiniLM-L6-v2; batch-32 latency"
                    + " %d timed runs, %d threads, %s", base.quality().pairs(), base.settings().batch32Runs(),
                    base.settings().threads(), base.settings().cpuModel()));
            line(out, "");
            line(out, "| variant | parameters | file (bytes) | Spearman | Δ points | mean cosine | batch-32 p50 | speed-up | prune time |");
            line(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            line(out, String.format(Locale.ROOT, "| fp32 | %,d | %,d | %.2f | — | — | %.1f ms | 1.00x | — |",
                    base.parameters(), base.sizeBytes(), base.quality().spearman(), base.latency().batch32().p50Ms()));
            long calibrationStart = System.nanoTime();
            ActivationStatistics calibration = calibration(fp32, tokenizer);
            line(out, String.format(Locale.ROOT, "(calibration: %s, %.1f s)", calibration.describe(),
                    (System.nanoTime() - calibrationStart) / 1e9));
            List<Spec> specs = new ArrayList<>(calibratedOnly ? List.of() : frontier());
            specs.addAll(calibrated(calibration));
            for (Spec spec : specs) {
                long start = System.nanoTime();
                PruningOutcome outcome = pruner.prune(fp32, spec.request());
                double seconds = (System.nanoTime() - start) / 1e9;
                if (outcome instanceof PruningOutcome.Failed failed) {
                    line(out, String.format(Locale.ROOT, "| %s | not made: %s: %s | | | | | | | |", spec.label(),
                            failed.reason(), failed.message().length() > 160 ? failed.message().substring(0, 160) + "..." : failed.message()));
                    continue;
                }
                PruningOutcome.Pruned pruned = (PruningOutcome.Pruned) outcome;
                Path file = dir.resolve(spec.label().replace(' ', '-') + ".onnx");
                Pruner.write(pruned, file);
                long fileBytes = Files.size(file);
                long parameters = pruned.report().parametersAfter();
                if (spec.request().method() == PruningMethod.UNSTRUCTURED) {
                    // The harness's inspector needs initializer weights: measure the dense form (same computation).
                    Files.delete(file);
                    dev.verdant.onnx.OnnxGraphs.write(Pruner.densify(pruned.model()), file);
                }
                EvaluationReport report = evaluate(file, tokenizer, fp32, pairs, LatencySettings.standard());
                line(out, String.format(Locale.ROOT, "| %s | %,d | %,d | %.2f | %+.2f | %.4f | %.1f ms | %.2fx | %.1f s |",
                        spec.label(), parameters, fileBytes, report.quality().spearman(),
                        report.quality().spearman() - base.quality().spearman(), report.fidelity().meanCosine(),
                        report.latency().batch32().p50Ms(), base.latency().batch32().p50Ms() / report.latency().batch32().p50Ms(),
                        seconds));
                summarize(out, spec, pruned.report());
                Files.deleteIfExists(file);
            }
        }
        if (frontier) {
            EvaluationReport again = evaluate(fp32, tokenizer, null, pairs, LatencySettings.standard());
            line(out, String.format(Locale.ROOT, "| fp32 (again, at the end: drift check) | | | %.2f | | | %.1f ms | | |",
                    again.quality().spearman(), again.latency().batch32().p50Ms()));
        }
        if (sensitivity) {
            sensitivity(out, pruner, fp32, tokenizer, dir, pairs == 0 ? 300 : pairs);
        }
        Files.writeString(dir.resolve("frontier.md"), out);
    }

    /**
     * Each layer alone pruned (ffn 0.5, heads 0.5), scored by Spearman on the first pairs, with
     * SensitivityAnalysis; then the layers within a 1-point budget pruned together and measured on
     * the full split.
     */
    private static void sensitivity(StringBuilder out, Pruner pruner, Path fp32, Path tokenizer, Path dir, int pairs)
            throws Exception {
        LatencySettings minimal = new LatencySettings(0, 1, 1);
        java.util.Map<String, Double> cosines = new java.util.HashMap<>();
        List<SensitivityAnalysis.Report> reports = new ArrayList<>();
        byte[] source = Files.readAllBytes(fp32);
        for (PruningMethod method : new PruningMethod[] {PruningMethod.FFN, PruningMethod.HEADS}) {
            int[] counter = {0};
            reports.add(SensitivityAnalysis.analyse(source, method, 0.5, model -> {
                Path file = dir.resolve("sensitivity.onnx");
                dev.verdant.onnx.OnnxGraphs.write(model, file);
                EvaluationReport report = evaluate(file, tokenizer, fp32, pairs, minimal);
                cosines.put(method.wireName() + counter[0]++, report.fidelity().meanCosine());
                Files.deleteIfExists(file);
                return report.quality().spearman();
            }));
        }
        line(out, "");
        line(out, String.format(Locale.ROOT, "Per-layer sensitivity: one layer pruned at a time, STS-B test first %d pairs"
                + " (fp32 Spearman %.2f on them)", pairs, reports.get(0).baseline()));
        line(out, "");
        line(out, "| layer | ffn 0.5: Δ Spearman | ffn 0.5: mean cosine | heads 0.5: Δ Spearman | heads 0.5: mean cosine |");
        line(out, "|---:|---:|---:|---:|---:|");
        for (int layer = 0; layer < reports.get(0).layers().size(); layer++) {
            line(out, String.format(Locale.ROOT, "| %d | %+.2f | %.4f | %+.2f | %.4f |", layer,
                    -reports.get(0).layers().get(layer).loss(), cosines.get("ffn" + (layer + 1)),
                    -reports.get(1).layers().get(layer).loss(), cosines.get("heads" + (layer + 1))));
        }
        line(out, "");
        line(out, "Layers chosen within a 1-point budget (sum of the single-layer losses), pruned together, full split:");
        line(out, "");
        EvaluationReport base = evaluate(fp32, tokenizer, null, 0, LatencySettings.standard());
        line(out, "| variant | layers | parameters | Spearman | Δ points | mean cosine | batch-32 p50 | speed-up |");
        line(out, "|---|---|---:|---:|---:|---:|---:|---:|");
        line(out, String.format(Locale.ROOT, "| fp32 | | %,d | %.2f | — | — | %.1f ms | 1.00x |", base.parameters(),
                base.quality().spearman(), base.latency().batch32().p50Ms()));
        for (SensitivityAnalysis.Report report : reports) {
            java.util.SortedSet<Integer> layers = SensitivityAnalysis.layersWithinBudget(report, 1.0);
            if (layers.isEmpty()) {
                line(out, "| " + report.method().wireName() + " 0.5 | none within budget | | | | | | |");
                continue;
            }
            PruningOutcome.Pruned pruned = (PruningOutcome.Pruned) pruner.prune(source,
                    PruningRequest.of(report.method(), 0.5).withLayers(layers));
            Path file = dir.resolve("budget.onnx");
            Pruner.write(pruned, file);
            EvaluationReport measured = evaluate(file, tokenizer, fp32, 0, LatencySettings.standard());
            line(out, String.format(Locale.ROOT, "| %s 0.5 | %s | %,d | %.2f | %+.2f | %.4f | %.1f ms | %.2fx |",
                    report.method().wireName(), layers, measured.parameters(), measured.quality().spearman(),
                    measured.quality().spearman() - base.quality().spearman(), measured.fidelity().meanCosine(),
                    measured.latency().batch32().p50Ms(), base.latency().batch32().p50Ms() / measured.latency().batch32().p50Ms()));
            Files.deleteIfExists(file);
        }
    }

    /**
     * Batch-32 latency of fp32 and the structured variants that meet the quality bar, interleaved: 5
     * rounds, each measuring every model once (the order rotating), medians of the rounds' p50s, so
     * that a change in machine load hits every model alike.
     */
    private static void latency(Path dir) throws Exception {
        Path fp32 = MiniLmFiles.extract(MiniLmFiles.FP32, dir);
        Path tokenizer = MiniLmFiles.extract(MiniLmFiles.TOKENIZER, dir);
        Pruner pruner = new Pruner();
        // The harness (DJL) must start ONNX Runtime first: it creates the environment with its own options.
        evaluate(fp32, tokenizer, null, 20, LatencySettings.quick());
        ActivationStatistics calibration = calibration(fp32, tokenizer);
        List<String> labels = List.of("fp32", "ffn 0.25 calibrated", "ffn 0.5 calibrated", "heads 0.25 calibrated",
                "heads 0.5 calibrated", "lowrank 0.9", "unstructured 0.5 wanda");
        List<Path> files = new ArrayList<>(List.of(fp32));
        PruningRequest[] requests = {PruningRequest.of(PruningMethod.FFN, 0.25).withCalibration(calibration),
                PruningRequest.of(PruningMethod.FFN, 0.5).withCalibration(calibration),
                PruningRequest.of(PruningMethod.HEADS, 0.25).withCalibration(calibration),
                PruningRequest.of(PruningMethod.HEADS, 0.5).withCalibration(calibration),
                PruningRequest.of(PruningMethod.LOWRANK, 0.9),
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5).withCalibration(calibration)};
        for (int i = 0; i < requests.length; i++) {
            Path file = dir.resolve("latency-" + i + ".onnx");
            Pruner.write((PruningOutcome.Pruned) pruner.prune(fp32, requests[i]), file);
            files.add(file);
        }
        int rounds = 5;
        double[][] p50 = new double[files.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < files.size(); k++) {
                int m = (k + round) % files.size();
                p50[m][round] = evaluate(files.get(m), tokenizer, null, 20, LatencySettings.standard())
                        .latency().batch32().p50Ms();
            }
        }
        System.out.println("Batch-32 latency, interleaved: " + rounds + " rounds x (5 warm-up, 30 timed runs), median of the"
                + " rounds' p50s [each round's p50s]");
        System.out.println("| model | batch-32 p50 (median of rounds) | speed-up | rounds |");
        System.out.println("|---|---:|---:|---|");
        double base = median(p50[0]);
        for (int m = 0; m < files.size(); m++) {
            double value = median(p50[m]);
            System.out.println(String.format(Locale.ROOT, "| %s | %.1f ms | %.2fx | %s |", labels.get(m), value, base / value,
                    java.util.Arrays.stream(p50[m]).mapToObj(v -> String.format(Locale.ROOT, "%.1f", v)).toList()));
        }
        for (int i = 1; i < files.size(); i++) {
            Files.deleteIfExists(files.get(i));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static void summarize(StringBuilder out, Spec spec, PruningOutcome.Report report) {
        long dense = report.layers().stream().filter(c -> c.kept() == c.before()).count();
        if (spec.request().method() == PruningMethod.LOWRANK) {
            System.err.printf(Locale.ROOT, "  %s: %d of %d matrices factorized; ranks %s%n", spec.label(),
                    report.layers().size() - dense, report.layers().size(),
                    report.layers().stream().map(c -> c.block().replace("onnx::MatMul_", "#") + ":" + c.kept() + "/" + c.before()).toList());
        }
    }

    private static EvaluationReport evaluate(Path model, Path tokenizer, Path baseline, int pairs, LatencySettings latency) {
        EvaluationRequest request = EvaluationRequest.of(model, tokenizer).withMaxPairs(pairs).withLatency(latency);
        if (baseline != null) {
            request = request.withBaseline(baseline);
        }
        EvaluationOutcome outcome = new Evaluator().evaluate(request);
        if (outcome instanceof EvaluationOutcome.Evaluated evaluated) {
            return evaluated.report();
        }
        throw new IllegalStateException("evaluation of " + model + " failed: " + outcome);
    }

    private static void line(StringBuilder out, String text) {
        System.out.println(text);
        System.out.flush();
        out.append(text).append('\n');
    }
}
