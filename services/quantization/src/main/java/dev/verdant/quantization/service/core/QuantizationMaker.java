package dev.verdant.quantization.service.core;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.JobUsage;
import dev.verdant.events.Technique;
import dev.verdant.quantization.QuantizationOutcome;
import dev.verdant.quantization.QuantizationRequest;
import dev.verdant.quantization.Quantizer;
import dev.verdant.variants.MakeRequest;
import dev.verdant.variants.MakeResult;
import dev.verdant.variants.VariantMaker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A recipe's quantize step: the quantization core (libs/quantization) with the step's params. */
public final class QuantizationMaker implements VariantMaker {
    private final Quantizer quantizer = new Quantizer();

    @Override
    public Technique technique() {
        return Technique.QUANTIZE;
    }

    @Override
    public JobUsage.Kind jobKind() {
        return JobUsage.Kind.QUANTIZE;
    }

    /** The params as the quantization core reads them; the tokenizer (static-int8 needs one) comes with the job. */
    @Override
    public void check(Map<String, Object> parameters) {
        QuantizationRequest.fromRecipeParams(parameters, Path.of(BucketLayout.TOKENIZER_FILE));
    }

    @Override
    public MakeResult make(MakeRequest request) throws IOException {
        QuantizationRequest quantization = QuantizationRequest.fromRecipeParams(request.parameters(), request.tokenizer());
        QuantizationOutcome outcome = quantizer.quantize(request.input(), quantization);
        if (outcome instanceof QuantizationOutcome.Failed failed) {
            return new MakeResult.Failed(failed.reason().name(), failed.message());
        }
        QuantizationOutcome.Quantized quantized = (QuantizationOutcome.Quantized) outcome;
        Quantizer.write(quantized, request.output());
        QuantizationOutcome.Report report = quantized.report();
        Map<String, Object> applied = new LinkedHashMap<>(request.parameters());
        applied.put("mode", quantization.mode().id());
        List<String> notes = new ArrayList<>();
        notes.add(quantized.metadata().getOrDefault("verdant.parameters", quantization.describe()));
        notes.add(report.quantizedMatMuls().size() + " MatMuls and " + report.quantizedGathers().size()
                + " embedding tables quantized; " + report.bytesBefore() + " -> " + report.bytesAfter() + " bytes");
        if (!report.excludedNodes().isEmpty()) {
            notes.add("left in float as asked: " + String.join(", ", report.excludedNodes()));
        }
        Set<String> unmatched = new java.util.LinkedHashSet<>(quantization.options().excludedNodes());
        report.excludedNodes().forEach(unmatched::remove);
        if (!unmatched.isEmpty()) {
            notes.add("exclude named nodes that are not quantizable: " + String.join(", ", unmatched));
        }
        return new MakeResult.Made(applied, notes);
    }
}
