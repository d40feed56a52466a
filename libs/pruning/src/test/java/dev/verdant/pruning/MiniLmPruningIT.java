package dev.verdant.pruning;

import dev.verdant.evaluation.EvaluationOutcome;
import dev.verdant.evaluation.EvaluationReport;
import dev.verdant.evaluation.EvaluationRequest;
import dev.verdant.evaluation.Evaluator;
import dev.verdant.evaluation.LatencySettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real all-MiniLM-L6-v2 (fp32, 90 MB, 6 layers, hidden 384, 12 heads of 32, FFN 1536) pruned by
 * each method, loaded and measured by the evaluation harness (ONNX Runtime through DJL) on the first
 * 300 STS-B test pairs against the original. The full frontier is PruningFrontierBenchmark
 * (docs/pruning.md).
 */
class MiniLmPruningIT {

    static final long PARAMETERS = 22_565_888L;
    static final int LAYERS = 6;
    static final int HIDDEN = 384;
    static final int PAIRS = 300;

    static Path dir;
    static Path fp32;
    static Path tokenizer;
    static EvaluationReport base;
    final Pruner pruner = new Pruner();

    @BeforeAll
    static void extract() throws IOException {
        dir = Path.of("target", "minilm-pruning");
        fp32 = MiniLmFiles.extract(MiniLmFiles.FP32, dir);
        tokenizer = MiniLmFiles.extract(MiniLmFiles.TOKENIZER, dir);
        base = evaluate(fp32, null, "fp32");
        assertThat(base.parameters()).isEqualTo(PARAMETERS);
    }

    @Test
    void ffnPruningRemovesExactlyTheNeuronsAskedForAndRuns() throws IOException {
        for (double amount : new double[] {0.25, 0.5}) {
            int removed = (int) Math.round(amount * 1536);
            PruningOutcome.Pruned pruned = prune(PruningRequest.of(PruningMethod.FFN, amount));
            assertThat(pruned.report().layers()).hasSize(LAYERS)
                    .allMatch(count -> count.before() == 1536 && count.kept() == 1536 - removed);
            long expected = PARAMETERS - (long) LAYERS * removed * (2 * HIDDEN + 1);
            assertThat(pruned.report().parametersAfter()).isEqualTo(expected);
            EvaluationReport report = evaluate(write(pruned, "ffn-" + amount), fp32, "ffn " + amount);
            assertThat(report.parameters()).isEqualTo(expected);
            assertThat(report.fidelity().meanCosine()).isBetween(0.3, 0.999);
        }
    }

    @Test
    void headPruningRemovesExactlyTheHeadsAskedForAndRuns() throws IOException {
        for (double amount : new double[] {0.25, 0.5}) {
            int removed = (int) Math.round(amount * 12);
            PruningOutcome.Pruned pruned = prune(PruningRequest.of(PruningMethod.HEADS, amount));
            assertThat(pruned.report().layers()).hasSize(LAYERS)
                    .allMatch(count -> count.before() == 12 && count.kept() == 12 - removed);
            long perHead = 4L * 32 * HIDDEN + 3 * 32;
            long expected = PARAMETERS - (long) LAYERS * removed * perHead;
            assertThat(pruned.report().parametersAfter()).isEqualTo(expected);
            EvaluationReport report = evaluate(write(pruned, "heads-" + amount), fp32, "heads " + amount);
            assertThat(report.parameters()).isEqualTo(expected);
            assertThat(report.fidelity().meanCosine()).isBetween(0.3, 0.999);
        }
    }

    @Test
    void unstructuredHalfMakesTheFileSmallerAndComputesTheSame() throws IOException {
        PruningOutcome.Pruned pruned = prune(PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5));
        assertThat(pruned.report().layers()).hasSize(36);
        Path file = write(pruned, "unstructured-0.5");
        // 10.6M MatMul weights: half of them at 5 bytes instead of all at 4 saves ~16 MB of 90.
        assertThat(Files.size(file)).isLessThan(Files.size(fp32) - 15_000_000L);
        // The dense form is the same computation (UnstructuredPruningTest proves they are equal) at the
        // original size; the Wanda test below evaluates the compact form itself.
        Path dense = dir.resolve("unstructured-0.5-dense.onnx");
        dev.verdant.onnx.OnnxGraphs.write(Pruner.densify(pruned.model()), dense);
        assertThat(Files.size(dense)).isGreaterThan(Files.size(fp32) - 1_000_000L);
        EvaluationReport report = evaluate(dense, fp32, "unstructured 0.5");
        // One-shot 50% magnitude pruning moves the embeddings a lot (mean cosine 0.74 on these pairs) yet keeps
        // the ranking of similarities: STS-B is measured on the full split by PruningFrontierBenchmark
        // (docs/pruning.md, -1.84 points per layer, -1.03 global); here a bound that a broken rebuild would miss.
        assertThat(report.fidelity().meanCosine()).isGreaterThan(0.6);
        assertThat(base.quality().spearman() - report.quality().spearman()).isLessThan(5.0);
    }

    /**
     * Wanda at 50%, calibrated the way the pruning service calibrates (the first 1,000 STS-B train
     * sentences, ActivationCalibrator), evaluated in its compact form as the evaluation service reads
     * it: within a point of fp32 here (full split: +0.27, docs/pruning.md), where magnitude moved the
     * embeddings much further (mean cosine 0.74 on these pairs).
     */
    @Test
    void wandaHalfKeepsQualityInTheCompactFile() throws Exception {
        long start = System.nanoTime();
        ActivationStatistics stats = PruningFrontierBenchmark.calibration(fp32, tokenizer);
        System.out.printf(Locale.ROOT, "calibration: %s in %.1f s%n", stats.describe(), (System.nanoTime() - start) / 1e9);
        PruningOutcome.Pruned pruned = prune(PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5).withCalibration(stats));
        assertThat(pruned.report().layers()).hasSize(36)
                .allMatch(count -> count.kept() == count.before() / 2);
        Path file = write(pruned, "unstructured-0.5-wanda");
        assertThat(Files.size(file)).isLessThan(Files.size(fp32) - 15_000_000L);
        EvaluationReport report = evaluate(file, fp32, "wanda 0.5");
        assertThat(base.quality().spearman() - report.quality().spearman()).isLessThan(1.0);
        assertThat(report.fidelity().meanCosine()).isGreaterThan(0.8);
    }

    @Test
    void lowRankFactorizesWhereItPaysAndRuns() throws IOException {
        PruningOutcome.Pruned pruned = prune(PruningRequest.of(PruningMethod.LOWRANK, 0.75));
        long factorized = pruned.report().layers().stream().filter(c -> c.kept() < c.before()).count();
        assertThat(factorized).isPositive();
        for (PruningOutcome.LayerCount count : pruned.report().layers()) {
            System.out.printf(Locale.ROOT, "lowrank 0.75: layer %d %s rank %d/%d%n", count.layer(), count.block(),
                    count.kept(), count.before());
        }
        EvaluationReport report = evaluate(write(pruned, "lowrank-0.75"), fp32, "lowrank 0.75");
        assertThat(report.parameters()).isEqualTo(pruned.report().parametersAfter()).isLessThan(PARAMETERS);
    }

    private PruningOutcome.Pruned prune(PruningRequest request) throws IOException {
        long start = System.nanoTime();
        PruningOutcome outcome = pruner.prune(fp32, request);
        System.out.printf(Locale.ROOT, "%s pruned in %.1f s%n", request.describe(), (System.nanoTime() - start) / 1e9);
        return StructuredPruningTest.pruned(outcome);
    }

    private static Path write(PruningOutcome.Pruned pruned, String name) throws IOException {
        Path file = dir.resolve(name + ".onnx");
        Pruner.write(pruned, file);
        return file;
    }

    private static EvaluationReport evaluate(Path model, Path baseline, String label) {
        EvaluationRequest request = EvaluationRequest.of(model, tokenizer).withMaxPairs(PAIRS)
                .withLatency(LatencySettings.quick());
        if (baseline != null) {
            request = request.withBaseline(baseline);
        }
        EvaluationOutcome outcome = new Evaluator().evaluate(request);
        assertThat(outcome).as("outcome %s", outcome).isInstanceOf(EvaluationOutcome.Evaluated.class);
        EvaluationReport report = ((EvaluationOutcome.Evaluated) outcome).report();
        System.out.printf(Locale.ROOT, "%-17s %,d parameters, %,d bytes, Spearman %.2f (fp32 %s), %s, batch-32 p50 %.1f ms%n",
                label, report.parameters(), report.sizeBytes(), report.quality().spearman(),
                base == null ? "-" : String.format(Locale.ROOT, "%.2f", base.quality().spearman()),
                report.fidelity() == null ? "baseline" : String.format(Locale.ROOT, "mean cosine %.4f",
                        report.fidelity().meanCosine()), report.latency().batch32().p50Ms());
        return report;
    }
}
