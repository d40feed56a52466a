package dev.verdant.cli;

import dev.verdant.quantization.DynamicInt8Quantizer;
import dev.verdant.quantization.QuantizationOptions;
import dev.verdant.quantization.QuantizationOutcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Quantizes an ONNX model offline with the quantization core (libs/quantization); no ONNX Runtime needed. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize an ONNX model (see docs/quantization.md).",
                "dynamic-int8: MatMul weights int8 per output column + DynamicQuantizeLinear/MatMulInteger,"
                        + " embedding tables uint8 + DequantizeLinear."})
final class QuantizeCommand implements Callable<Integer> {
    /** The modes built so far; others of the issue (static INT8, fp16...) come later. */
    static final List<String> MODES = List.of(DynamicInt8Quantizer.MODE);

    @ParentCommand
    VerdantCli cli;

    @Option(names = "--model", required = true, paramLabel = "IN.onnx", description = "the fp32 ONNX model")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "OUT.onnx", description = "where to write the quantized model")
    Path out;

    @Option(names = "--mode", defaultValue = "dynamic-int8", paramLabel = "MODE",
            description = "quantization mode (default: ${DEFAULT-VALUE}; available: dynamic-int8)")
    String mode;

    @Option(names = "--per-tensor", description = "one weight scale per MatMul instead of one per output column")
    boolean perTensor;

    @Option(names = "--reduce-range", description = "weights in [-64, 64] like ONNX Runtime (default: the full [-127, 127])")
    boolean reduceRange;

    @Option(names = "--exclude", split = ",", paramLabel = "NODES", description = "node names to leave in float, comma-separated")
    List<String> exclude = List.of();

    @Override
    public Integer call() throws IOException {
        if (!MODES.contains(mode)) {
            throw new CliException("--mode " + mode + " is not available; the modes built so far: " + String.join(", ", MODES));
        }
        if (!Files.isRegularFile(model)) {
            throw new CliException("--model " + model + " is not a file");
        }
        Set<String> excluded = new LinkedHashSet<>(exclude);
        QuantizationOptions options = QuantizationOptions.defaults().withPerTensor(perTensor).withReduceRange(reduceRange)
                .withExcludedNodes(excluded);
        QuantizationOutcome outcome = new DynamicInt8Quantizer().quantize(model, options);
        if (outcome instanceof QuantizationOutcome.Failed failed) {
            throw new CliException("cannot quantize " + model + ": " + failed.reason() + ": " + failed.message());
        }
        QuantizationOutcome.Quantized quantized = (QuantizationOutcome.Quantized) outcome;
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        DynamicInt8Quantizer.write(quantized, out);
        QuantizationOutcome.Report report = quantized.report();
        PrintWriter printer = cli.out();
        printer.printf(Locale.ROOT, "%s: %d MatMuls and %d embedding Gathers quantized (%d activation quantizers)%n",
                out, report.quantizedMatMuls().size(), report.quantizedGathers().size(), report.activationQuantizers());
        printer.printf(Locale.ROOT, "size %,d -> %,d bytes (%.1fx smaller)%n", report.bytesBefore(), report.bytesAfter(),
                (double) report.bytesBefore() / report.bytesAfter());
        Set<String> unmatched = new LinkedHashSet<>(excluded);
        unmatched.removeAll(report.excludedNodes());
        if (!unmatched.isEmpty()) {
            printer.println("note: --exclude named nodes that are not quantizable MatMuls or Gathers: " + unmatched);
        }
        return 0;
    }
}
