package dev.verdant.cli;

import dev.verdant.pruning.PruningMethod;
import dev.verdant.pruning.PruningOutcome;
import dev.verdant.pruning.PruningRequest;
import dev.verdant.pruning.PruningScope;
import dev.verdant.pruning.Pruner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Prunes an ONNX encoder offline with the pruning core (libs/pruning); no ONNX Runtime needed. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Prune or factorize an ONNX encoder (see docs/pruning.md).",
                "ffn: remove feed-forward neurons; heads: remove attention heads (the matrices shrink);",
                "lowrank: W -> two MatMuls from its SVD where that saves work;",
                "unstructured: zero the smallest weights, stored compactly (smaller file, no speed-up)."})
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
            description = "per-layer (default) or global: one ranking over the whole model")
    String scope;

    @Option(names = "--calibration", paramLabel = "FILE.tsv",
            description = "calibration sentences (first column of each line) for activation-based FFN importance")
    Path calibration;

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
            throw new CliException("--calibration is not supported yet: FFN neurons are ranked by weight norms"
                    + " (||W1 column|| x ||W2 row||); run without --calibration");
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
        printer.printf(Locale.ROOT, "%s: %s %s (%s)%n", out, report.method().wireName(), report.amount(),
                report.scope().wireName());
        printer.printf(Locale.ROOT, "parameters %,d -> %,d (%.1f%% fewer); size %,d -> %,d bytes%n",
                report.parametersBefore(), report.parametersAfter(),
                100.0 * (report.parametersBefore() - report.parametersAfter()) / report.parametersBefore(),
                report.bytesBefore(), report.bytesAfter());
        for (PruningOutcome.LayerCount count : report.layers()) {
            printer.printf(Locale.ROOT, "  layer %d %-50s %s %d -> %d%n", count.layer(), count.block(), count.unit(),
                    count.before(), count.kept());
        }
        for (String note : report.notes()) {
            printer.println("note: " + note);
        }
        return 0;
    }
}
