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
            if (request.method() != PruningMethod.FFN) {
                throw new CliException("--calibration is used by --method ffn only (activation-based neuron importance)");
            }
            request = request.withCalibration(Calibration.measure(model, tokenizerFile(), calibration, cli.out()));
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

    /**
     * Mean |activation| of every feed-forward neuron over the calibration sentences: the model is run
     * instrumented (ActivationProbe) in ONNX Runtime, one sentence at a time (no padding), up to 128
     * tokens each, at most 1,000 sentences.
     */
    static final class Calibration {
        static final int MAX_SENTENCES = 1000;
        static final int MAX_TOKENS = 128;

        private Calibration() {
        }

        /** Every field of every line that is not a number (so STS-style "score TAB s1 TAB s2" gives both sentences). */
        static java.util.List<String> sentences(Path tsv) throws IOException {
            java.util.List<String> sentences = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(tsv)) {
                // blank lines, comments, and an STS-style header ("score TAB sentence1 TAB sentence2") are not sentences
                if (line.isBlank() || line.startsWith("#") || java.util.Arrays.asList(line.split("\\t")).contains("sentence1")) {
                    continue;
                }
                for (String field : line.split("\t")) {
                    String text = field.strip();
                    if (!text.isEmpty() && !isNumber(text) && sentences.size() < MAX_SENTENCES) {
                        sentences.add(text);
                    }
                }
            }
            if (sentences.isEmpty()) {
                throw new CliException("--calibration " + tsv + " has no sentences (one per line, tab-separated fields)");
            }
            return sentences;
        }

        private static boolean isNumber(String text) {
            try {
                Double.parseDouble(text);
                return true;
            } catch (NumberFormatException notANumber) {
                return false;
            }
        }

        static dev.verdant.pruning.ActivationStatistics measure(Path model, Path tokenizerJson, Path tsv, PrintWriter out)
                throws IOException {
            if (!Files.isRegularFile(tsv)) {
                throw new CliException("--calibration " + tsv + " is not a file");
            }
            java.util.List<String> sentences = sentences(tsv);
            dev.verdant.pruning.ActivationProbe.Instrumented probe;
            try {
                probe = dev.verdant.pruning.ActivationProbe.instrument(dev.verdant.onnx.OnnxGraphs.read(model));
            } catch (IllegalArgumentException | IOException e) {
                throw new CliException("cannot calibrate " + model + ": " + e.getMessage());
            }
            offline();
            var accumulator = new dev.verdant.pruning.ActivationProbe.Accumulator(probe.widths());
            java.util.Map<String, String> options = java.util.Map.of("addSpecialTokens", "true", "padding", "false",
                    "truncation", "true", "maxLength", Integer.toString(MAX_TOKENS),
                    "modelMaxLength", Integer.toString(MAX_TOKENS));
            ai.onnxruntime.OrtEnvironment environment = environment();
            try (java.io.InputStream in = Files.newInputStream(tokenizerJson);
                 var tokens = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(in, options);
                 var session = environment.createSession(dev.verdant.onnx.OnnxGraphs.toBytes(probe.model()))) {
                java.util.Set<String> inputs = session.getInputNames();
                for (String sentence : sentences) {
                    var encoding = tokens.encode(sentence);
                    long[][] ids = {encoding.getIds()};
                    long[][] mask = {encoding.getAttentionMask()};
                    long[][] types = {encoding.getTypeIds()};
                    java.util.Map<String, ai.onnxruntime.OnnxTensor> feed = new java.util.HashMap<>();
                    try {
                        feed.put("input_ids", ai.onnxruntime.OnnxTensor.createTensor(environment, ids));
                        if (inputs.contains("attention_mask")) {
                            feed.put("attention_mask", ai.onnxruntime.OnnxTensor.createTensor(environment, mask));
                        }
                        if (inputs.contains("token_type_ids")) {
                            feed.put("token_type_ids", ai.onnxruntime.OnnxTensor.createTensor(environment, types));
                        }
                        try (var result = session.run(feed, new java.util.LinkedHashSet<>(probe.outputs()))) {
                            for (int b = 0; b < probe.outputs().size(); b++) {
                                accumulator.add(b, (float[][][]) result.get(probe.outputs().get(b)).orElseThrow().getValue(), mask);
                            }
                        }
                    } finally {
                        feed.values().forEach(ai.onnxruntime.OnnxTensor::close);
                    }
                }
            } catch (ai.onnxruntime.OrtException e) {
                throw new CliException("cannot run " + model + " on the calibration sentences in ONNX Runtime: " + e.getMessage());
            }
            dev.verdant.pruning.ActivationStatistics statistics = accumulator.result();
            out.printf(Locale.ROOT, "calibration: %d sentences, %d tokens%n", sentences.size(), statistics.tokens());
            return statistics;
        }

        private static void offline() {
            for (String[] setting : new String[][] {{"ai.djl.offline", "true"}, {"OPT_OUT_TRACKING", "true"}}) {
                if (System.getenv(setting[0]) == null && System.getProperty(setting[0]) == null) {
                    System.setProperty(setting[0], setting[1]);
                }
            }
        }

        /**
         * ONNX Runtime's environment, created on a thread with a large stack: its creation recurses
         * about once per byte of the command line (see dev.verdant.evaluation.OnnxRuntimeStartup).
         */
        private static ai.onnxruntime.OrtEnvironment environment() {
            java.util.concurrent.atomic.AtomicReference<Object> result = new java.util.concurrent.atomic.AtomicReference<>();
            Thread thread = new Thread(null, () -> {
                try {
                    result.set(ai.onnxruntime.OrtEnvironment.getEnvironment());
                } catch (Throwable e) {
                    result.set(e);
                }
            }, "verdant-onnxruntime-startup", 256L << 20);
            thread.start();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted while starting ONNX Runtime");
            }
            if (result.get() instanceof Throwable failure) {
                throw new CliException("ONNX Runtime could not be started: " + failure.getMessage());
            }
            return (ai.onnxruntime.OrtEnvironment) result.get();
        }
    }
}
