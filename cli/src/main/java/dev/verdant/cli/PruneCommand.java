package dev.verdant.cli;

import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.pruning.ActivationCalibrator;
import dev.verdant.pruning.ActivationStatistics;
import dev.verdant.pruning.PruningMethod;
import dev.verdant.pruning.PruningOutcome;
import dev.verdant.pruning.PruningRequest;
import dev.verdant.pruning.PruningScope;
import dev.verdant.pruning.Pruner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Prunes an ONNX encoder offline with the pruning core (libs/pruning). With --calibration the model
 * is first run on the sentences in ONNX Runtime (ActivationCalibrator, as the pruning service does)
 * and the units are ranked by their activations: ffn mean|act|, heads the attention context, and
 * unstructured Wanda (|W_ij| x ||X_i||); without it, by the weights alone (magnitude).
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Prune or factorize an ONNX encoder (see docs/pruning.md).",
                "ffn: remove feed-forward neurons; heads: remove attention heads (the matrices shrink);",
                "lowrank: W -> two MatMuls from its SVD where that saves work;",
                "unstructured: zero the least important weights, stored compactly (smaller file, no speed-up).",
                "With --calibration (a file, or stsb-train) units are ranked by their activations (unstructured: Wanda),",
                "as the pruning service does by default; without it by the weights alone (magnitude)."})
final class PruneCommand implements Callable<Integer> {

    @ParentCommand
    VerdantCli cli;

    @Option(names = "--model", required = true, paramLabel = "IN.onnx", description = "the ONNX encoder")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "OUT.onnx", description = "where to write the pruned model")
    Path out;

    @Option(names = "--method", required = true, paramLabel = "METHOD",
            description = "unstructured | ffn | heads | lowrank")
    String method;

    @Option(names = "--amount", required = true, paramLabel = "X",
            description = "share removed (unstructured, ffn, heads), or share of spectral energy kept (lowrank), in (0, 1]")
    double amount;

    @Option(names = "--scope", defaultValue = "per-layer", paramLabel = "SCOPE",
            description = "per-layer (default: each layer, matrix or, for Wanda, each output loses the same share)"
                    + " or global: one ranking over the whole model")
    String scope;

    @Option(names = "--calibration", paramLabel = "FILE.tsv|stsb-train",
            description = "calibration sentences (one per line; every non-numeric field of a TSV), or stsb-train: the"
                    + " STS-B train sentences Verdant ships (what the pruning service uses); ffn, heads, unstructured")
    String calibration;

    @Option(names = "--calibration-sentences", defaultValue = "1000", paramLabel = "N",
            description = "at most this many calibration sentences (default 1000)")
    int calibrationSentences;

    @Option(names = "--tokenizer", paramLabel = "tokenizer.json",
            description = "the model's tokenizer, for --calibration (default: tokenizer.json beside the model)")
    Path tokenizer;

    private Path tokenizerFile() {
        Path file = tokenizer != null ? tokenizer : model.toAbsolutePath().resolveSibling("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new CliException("--calibration needs the model's tokenizer: " + file + " is not a file; pass --tokenizer");
        }
        return file;
    }

    @Override
    public Integer call() throws IOException {
        PruningRequest request;
        try {
            request = PruningRequest.of(PruningMethod.parse(method), amount).withScope(PruningScope.parse(scope));
        } catch (IllegalArgumentException bad) {
            throw new CliException(bad.getMessage());
        }
        if (!Files.isRegularFile(model)) {
            throw new CliException("--model " + model + " is not a file");
        }
        if (calibration != null) {
            if (request.method() == PruningMethod.LOWRANK) {
                throw new CliException("--calibration is used by ffn, heads and unstructured; lowrank factorizes the"
                        + " weights alone");
            }
            if (calibrationSentences < 1 || calibrationSentences > ActivationCalibrator.MAX_SENTENCES) {
                throw new CliException("--calibration-sentences must be between 1 and " + ActivationCalibrator.MAX_SENTENCES
                        + ", got " + calibrationSentences);
            }
            request = request.withCalibration(calibrate());
        }
        PruningOutcome outcome = new Pruner().prune(model, request);
        if (outcome instanceof PruningOutcome.Failed failed) {
            throw new CliException("cannot prune " + model + ": " + failed.reason() + ": " + failed.message());
        }
        PruningOutcome.Pruned pruned = (PruningOutcome.Pruned) outcome;
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Pruner.write(pruned, out);
        PruningOutcome.Report report = pruned.report();
        PrintWriter printer = cli.out();
        printer.printf(Locale.ROOT, "%s: %s %s (%s), criterion %s%n", out, report.method().wireName(), report.amount(),
                report.scope().wireName(), request.criterion());
        printer.printf(Locale.ROOT, "parameters %,d -> %,d (%.1f%% fewer); size %,d -> %,d bytes%n",
                report.parametersBefore(), report.parametersAfter(),
                100.0 * (report.parametersBefore() - report.parametersAfter()) / report.parametersBefore(),
                report.bytesBefore(), report.bytesAfter());
        if (report.method() == PruningMethod.UNSTRUCTURED) {
            long before = report.layers().stream().mapToLong(PruningOutcome.LayerCount::before).sum();
            long kept = report.layers().stream().mapToLong(PruningOutcome.LayerCount::kept).sum();
            printer.printf(Locale.ROOT, "nonzero MatMul weights %,d -> %,d (%.1f%% zero); the file stores values and gaps%n",
                    before, kept, 100.0 * (before - kept) / before);
        }
        for (PruningOutcome.LayerCount count : report.layers()) {
            printer.printf(Locale.ROOT, "  layer %d %-50s %s %d -> %d%n", count.layer(), count.block(), count.unit(),
                    count.before(), count.kept());
        }
        for (String note : report.notes()) {
            printer.println("note: " + note);
        }
        return 0;
    }

    /** Activation statistics of the model on the calibration sentences, in ONNX Runtime (libs/pruning). */
    private ActivationStatistics calibrate() throws IOException {
        try {
            List<String> sentences;
            String source;
            if (calibration.equals(ActivationCalibrator.STSB_TRAIN)) {
                sentences = ActivationCalibrator.stsbTrainSentences(calibrationSentences);
                source = "STS-B train, first " + sentences.size() + " sentences";
            } else {
                Path file = Path.of(calibration);
                sentences = ActivationCalibrator.readTexts(file, calibrationSentences);
                source = file.getFileName() + ", " + sentences.size() + " sentences";
            }
            Path tokenizerJson = tokenizerFile();
            var onnx = readModel();
            long start = System.nanoTime();
            ActivationStatistics statistics = ActivationCalibrator.measure(onnx, tokenizerJson, sentences, source);
            cli.out().printf(Locale.ROOT, "calibration: %s (%.1f s)%n", statistics.describe(), (System.nanoTime() - start) / 1e9);
            return statistics;
        } catch (ActivationCalibrator.CalibrationException e) {
            throw new CliException("cannot calibrate " + model + " (--calibration " + calibration + "): " + e.getMessage());
        }
    }

    private ai.onnx.proto.OnnxMl.ModelProto readModel() {
        try {
            return OnnxGraphs.read(model);
        } catch (IOException | RuntimeException e) {
            throw new CliException("cannot prune " + model + ": CORRUPT_INPUT: not an ONNX model (" + e.getMessage() + ")");
        }
    }
}
