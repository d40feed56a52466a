package dev.verdant.cli;

import dev.verdant.quantization.CalibrationMethod;
import dev.verdant.quantization.CalibrationTexts;
import dev.verdant.quantization.QuantizationMode;
import dev.verdant.quantization.QuantizationOptions;
import dev.verdant.quantization.QuantizationOutcome;
import dev.verdant.quantization.QuantizationRequest;
import dev.verdant.quantization.Quantizer;
import dev.verdant.quantization.StaticInt8Form;
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

/** Quantizes an ONNX model offline with the quantization core (libs/quantization, {@link Quantizer}). */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize an ONNX model (see docs/quantization.md).",
                "dynamic-int8: MatMul weights int8 per output column + DynamicQuantizeLinear/MatMulInteger,"
                        + " embedding tables uint8 + DequantizeLinear; with --tokenizer, layer-norm outputs smoothed.",
                "static-int8: int8 weights and activations (QDQ), activation ranges calibrated on texts (needs --tokenizer).",
                "fp16: float16 weights, LayerNorm/Softmax/reductions kept in float32.",
                "int4: block-wise int4 weights (ONNX Runtime's com.microsoft MatMulNBits)."})
final class QuantizeCommand implements Callable<Integer> {
    /** Every mode of the quantization core. */
    static final List<String> MODES = Quantizer.MODES;

    @ParentCommand
    VerdantCli cli;

    @Option(names = "--model", required = true, paramLabel = "IN.onnx", description = "the fp32 ONNX model")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "OUT.onnx", description = "where to write the quantized model")
    Path out;

    @Option(names = "--mode", defaultValue = "dynamic-int8", paramLabel = "MODE",
            description = "dynamic-int8, static-int8, fp16 or int4 (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--per-tensor", description = "int8: one weight scale per MatMul instead of one per output column")
    boolean perTensor;

    @Option(names = "--reduce-range", description = "dynamic-int8: weights in [-64, 64] like ONNX Runtime (default: the full [-127, 127])")
    boolean reduceRange;

    @Option(names = "--embeddings", defaultValue = "per-tensor", paramLabel = "GRANULARITY",
            description = "int8 modes and int4: embedding tables uint8 with one scale per table (per-tensor, ONNX Runtime's"
                    + " form), or int8 with one scale per hidden column (per-column: closer to fp32) (default: ${DEFAULT-VALUE})")
    String embeddings;

    @Option(names = "--scales", defaultValue = "mse", paramLabel = "RULE",
            description = "int8: weight scale per column, mse (the clip 0.60-1.00 x max|w| with the least squared rounding"
                    + " error) or max (max|w| / 127) (default: ${DEFAULT-VALUE})")
    String scales;

    @Option(names = "--static-form", paramLabel = "FORM",
            description = "static-int8: qdq (opset 13 QuantizeLinear/DequantizeLinear pairs), matmulintegertofloat"
                    + " (ONNX Runtime's fused op) or matmulinteger (standard ops); default: the measured fastest, see"
                    + " docs/quantization.md")
    String staticForm;

    @Option(names = "--exclude", split = ",", paramLabel = "NODES", description = "node names to leave in float, comma-separated")
    List<String> exclude = List.of();

    @Option(names = "--calibration", paramLabel = "FILE.tsv",
            description = "static-int8 and smoothing: calibration texts, one per line or tab-separated columns (an STS TSV works;"
                    + " numeric columns are skipped). Default: STS-B train sentences")
    Path calibration;

    @Option(names = "--calibration-method", defaultValue = "minmax", paramLabel = "METHOD",
            description = "static-int8: minmax, percentile or entropy (default: ${DEFAULT-VALUE})")
    String calibrationMethod;

    @Option(names = "--calibration-samples", defaultValue = "256", paramLabel = "N",
            description = "static-int8 and smoothing: how many calibration texts to run (default: ${DEFAULT-VALUE})")
    int calibrationSamples;

    @Option(names = "--tokenizer", paramLabel = "T.json", description = "the model's tokenizer.json: static-int8 needs it;"
            + " dynamic-int8 uses it to measure the activations for --smoothing")
    Path tokenizer;

    @Option(names = "--smoothing", defaultValue = "0.6", paramLabel = "ALPHA",
            description = "dynamic- and static-int8: SmoothQuant's alpha for the layer-norm outputs (needs --tokenizer;"
                    + " 0 = off) (default: ${DEFAULT-VALUE})")
    double smoothing;

    @Option(names = "--no-fusion", description = "do not write residual Add + LayerNorm as ONNX Runtime's"
            + " SkipLayerNormalization and attention blocks as its MultiHeadAttention (keeps the graph's own ops;"
            + " slower, see docs/quantization.md)")
    boolean noFusion;

    @Option(names = "--block-size", defaultValue = "32", paramLabel = "N", description = "int4: 32, 64 or 128 weights per block (default: ${DEFAULT-VALUE})")
    int blockSize;

    @Override
    public Integer call() throws IOException {
        if (!MODES.contains(mode)) {
            throw new CliException("--mode " + mode + " is not a mode: use one of " + String.join(", ", MODES));
        }
        if (!Files.isRegularFile(model)) {
            throw new CliException("--model " + model + " is not a file");
        }
        QuantizationMode quantizationMode = QuantizationMode.of(mode);
        if (quantizationMode == QuantizationMode.STATIC_INT8 && tokenizer == null) {
            throw new CliException("--mode static-int8 runs the model on calibration texts: give --tokenizer tokenizer.json");
        }
        if (tokenizer != null && !Files.isRegularFile(tokenizer)) {
            throw new CliException("--tokenizer " + tokenizer + " is not a file");
        }
        if (calibration != null && !Files.isRegularFile(calibration)) {
            throw new CliException("--calibration " + calibration + " is not a file");
        }
        Set<String> excluded = new LinkedHashSet<>(exclude);
        QuantizationRequest request;
        try {
            if (!embeddings.equals("per-column") && !embeddings.equals("per-tensor")) {
                throw new CliException("--embeddings " + embeddings + " is not a granularity: use per-tensor or per-column");
            }
            if (!scales.equals("mse") && !scales.equals("max")) {
                throw new CliException("--scales " + scales + " is not a scale rule: use mse or max");
            }
            QuantizationOptions options = QuantizationOptions.defaults().withPerTensor(perTensor).withReduceRange(reduceRange)
                    .withExcludedNodes(excluded).withPerColumnEmbeddings(embeddings.equals("per-column"))
                    .withMseScales(scales.equals("mse"));
            request = QuantizationRequest.of(quantizationMode).withOptions(options).withBlockSize(blockSize)
                    .withCalibration(CalibrationMethod.of(calibrationMethod)).withCalibrationSamples(calibrationSamples)
                    .withTokenizer(tokenizer).withSmoothing(smoothing).withFusion(!noFusion);
            if (staticForm != null) {
                request = request.withStaticForm(StaticInt8Form.of(staticForm));
            }
            if (calibration != null) {
                request = request.withCalibrationSentences(CalibrationTexts.read(calibration));
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        QuantizationOutcome outcome = new Quantizer().quantize(model, request);
        if (outcome instanceof QuantizationOutcome.Failed failed) {
            throw new CliException("cannot quantize " + model + ": " + failed.reason() + ": " + failed.message());
        }
        QuantizationOutcome.Quantized quantized = (QuantizationOutcome.Quantized) outcome;
        Quantizer.write(quantized, out);
        QuantizationOutcome.Report report = quantized.report();
        PrintWriter printer = cli.out();
        printer.printf(Locale.ROOT, "%s: %s, %d MatMuls and %d embedding Gathers quantized (%d activation quantizers)%n",
                out, mode, report.quantizedMatMuls().size(), report.quantizedGathers().size(), report.activationQuantizers());
        printer.printf(Locale.ROOT, "size %,d -> %,d bytes (%.1fx smaller)%n", report.bytesBefore(), report.bytesAfter(),
                (double) report.bytesBefore() / report.bytesAfter());
        printer.println("parameters: " + quantized.metadata().get("verdant.parameters"));
        if (quantizationMode == QuantizationMode.DYNAMIC_INT8 && tokenizer == null && smoothing > 0) {
            printer.println("note: no --tokenizer, so no smoothing: it measures the activations on texts run through the"
                    + " model; give the model's tokenizer.json for a model closer to fp32 (docs/quantization.md)");
        }
        Set<String> unmatched = new LinkedHashSet<>(excluded);
        unmatched.removeAll(report.excludedNodes());
        if (!unmatched.isEmpty()) {
            printer.println("note: --exclude named nodes that are not quantizable MatMuls or Gathers: " + unmatched);
        }
        return 0;
    }
}
