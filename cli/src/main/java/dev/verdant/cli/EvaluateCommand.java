package dev.verdant.cli;

import dev.verdant.evaluation.EvaluationOutcome;
import dev.verdant.evaluation.EvaluationReport;
import dev.verdant.evaluation.EvaluationRequest;
import dev.verdant.evaluation.Evaluator;
import dev.verdant.evaluation.StsSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Measures one ONNX model offline, as the evaluation service does: STS-B quality, fidelity to a
 * baseline, latency, throughput, size, parameters, memory and CPU time per 1,000 inferences.
 */
@Command(name = "evaluate", description = {
        "Measure an ONNX encoder: STS-B Spearman, fidelity to a baseline, latency, throughput, size, CPU time.",
        "Offline; quality figures are identical run to run, timings are measurements."})
final class EvaluateCommand implements Callable<Integer> {
    @ParentCommand
    VerdantCli cli;

    @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", description = "the ONNX model to measure")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "its tokenizer.json (default: tokenizer.json beside the model)")
    Path tokenizer;

    @Option(names = "--baseline", paramLabel = "B.onnx", description = "the original to compare embeddings with (fidelity)")
    Path baseline;

    @Option(names = "--sts", paramLabel = "FILE.tsv",
            description = "STS pairs, 'score TAB sentence1 TAB sentence2' per line (default: the built-in STS-B test split)")
    Path sts;

    @Option(names = "--max-pairs", paramLabel = "N", description = "use only the first N pairs (default: all)")
    int maxPairs;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE})")
    int threads = EvaluationRequest.defaultThreads();

    @Option(names = "--max-length", paramLabel = "TOKENS", description = "truncate sentences to this many tokens (default: ${DEFAULT-VALUE})")
    int maxLength = EvaluationRequest.DEFAULT_MAX_SEQUENCE_LENGTH;

    @Option(names = "--json", description = "print one JSON object instead of the table")
    boolean json;

    /** slf4j-simple's per-logger level for DJL (read when each logger is created, so before DJL starts). */
    private static final String DJL_LOG_LEVEL = "org.slf4j.simpleLogger.log.ai.djl";

    @Override
    public Integer call() {
        // DJL probes for a GPU when its engine starts and warns where a CUDA runtime library exists
        // without a usable GPU; evaluation runs on the CPU by design, so those lines are only noise.
        if (System.getProperty(DJL_LOG_LEVEL) == null) {
            System.setProperty(DJL_LOG_LEVEL, "error");
        }
        Path tok = tokenizer != null ? tokenizer : model.toAbsolutePath().resolveSibling("tokenizer.json");
        EvaluationRequest request = EvaluationRequest.of(model, tok)
                .withDataset(sts != null ? StsSource.file(sts) : StsSource.test())
                .withMaxPairs(maxPairs)
                .withThreads(threads)
                .withMaxSequenceLength(maxLength);
        if (baseline != null) {
            request = request.withBaseline(baseline);
        }
        EvaluationOutcome outcome = new Evaluator().evaluate(request);
        if (outcome instanceof EvaluationOutcome.Failed failed) {
            throw new CliException(failed.message() + " [" + failed.reason() + "]");
        }
        EvaluationReport report = ((EvaluationOutcome.Evaluated) outcome).report();
        if (json) {
            cli.out().println(report.toJson());
        } else {
            printTable(report, cli.out());
        }
        return 0;
    }

    static void printTable(EvaluationReport report, PrintWriter out) {
        EvaluationReport.Settings settings = report.settings();
        row(out, "model", "%s (%.1f MB, %,d parameters, sha256 %s...)", report.model(), report.sizeBytes() / 1e6,
                report.parameters(), report.modelSha256().substring(0, 12));
        row(out, "quality", "Spearman x100 %.2f on %s (%d pairs)", report.quality().spearman(),
                report.quality().dataset(), report.quality().pairs());
        if (report.fidelity() != null) {
            EvaluationReport.Fidelity fidelity = report.fidelity();
            row(out, "fidelity", "mean cosine %.4f, min cosine %.4f, MSE %.3g vs %s (%d sentences)",
                    fidelity.meanCosine(), fidelity.minCosine(), fidelity.mse(), fidelity.baseline(), fidelity.sentences());
        }
        row(out, "latency", "batch 1: p50 %.2f ms, p95 %.2f ms (%d runs); batch 32: p50 %.1f ms, p95 %.1f ms (%d runs)",
                report.latency().batch1().p50Ms(), report.latency().batch1().p95Ms(), report.latency().batch1().runs(),
                report.latency().batch32().p50Ms(), report.latency().batch32().p95Ms(), report.latency().batch32().runs());
        row(out, "throughput", "%.0f sentences/s at batch 32", report.throughput().sentencesPerSecond());
        row(out, "usage", "%.3f CPU s and %.3f wall s per 1,000 inferences (batch 32)", report.usage().cpuSecondsPer1k(),
                report.usage().wallSecondsPer1k());
        row(out, "memory", "%s", report.peakMemory().bytes() == null ? report.peakMemory().method()
                : String.format(Locale.ROOT, "peak +%.0f MB resident during load and measurement",
                        report.peakMemory().bytes() / 1e6));
        row(out, "settings", "%d threads, max %d tokens, ONNX Runtime %s, DJL %s, %s (%s), %s",
                settings.threads(), settings.maxSequenceLength(), settings.onnxRuntimeVersion(), settings.djlVersion(),
                settings.cpuModel(), String.join(" ", settings.cpuFlags()), settings.jvm());
    }

    private static void row(PrintWriter out, String label, String format, Object... args) {
        out.printf(Locale.ROOT, "%-11s %s%n", label, String.format(Locale.ROOT, format, args));
    }
}
