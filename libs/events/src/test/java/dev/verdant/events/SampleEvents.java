package dev.verdant.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One realistic event of each type: the golden examples of schemas/examples are these, as JSON. */
final class SampleEvents {
    static final String MODEL_SHA = "6fd5d72fe4589f189f8ebc006442dbb529bb7ce38f8082112682524616046452";
    static final String TOKENIZER_SHA = "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0";
    static final Instant T = Instant.parse("2026-11-28T12:00:00Z");

    private SampleEvents() {
    }

    static Map<EventType, VerdantEvent> all() {
        RecipeParser.Valid recipe = RecipeParser.defaultRecipe();
        String runId = RunIds.runId(MODEL_SHA, recipe.sha256());
        Upload upload = new Upload("verdant", "uploads/minilm/model.onnx", 90_387_606L, "\"5d41402abc4b2a76b9719d911017c592\"",
                Upload.Trigger.POLLER);
        Artifact model = new Artifact(BucketLayout.modelKey(MODEL_SHA), 90_387_606L, MODEL_SHA);
        Artifact tokenizer = new Artifact(BucketLayout.tokenizerKey(TOKENIZER_SHA), 711_396L, TOKENIZER_SHA);
        Artifact variant = new Artifact(BucketLayout.variantKey(runId, "int8-dynamic"), 22_970_000L,
                "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c");
        Usage usage = new Usage(41.2, 23.9, 1_133.0, EnergySource.ESTIMATED_TDP);
        var tensor = (java.util.function.Function<String, ModelIngested.Tensor>) name ->
                new ModelIngested.Tensor(name, "INT64", List.of("batch_size", "sequence_length"));
        return Map.of(
                EventType.UPLOAD_DETECTED, new UploadDetected(upload, T),
                EventType.MODEL_INGESTED, new ModelIngested(runId, MODEL_SHA, model, tokenizer, recipe.recipe(),
                        recipe.sha256(), ModelIngested.RecipeSource.DEFAULT, recipe.plan(), upload,
                        new ModelIngested.GraphSummary(7, 11, "pytorch 1.13.1",
                                List.of(tensor.apply("input_ids"), tensor.apply("attention_mask"),
                                        tensor.apply("token_type_ids")),
                                List.of(new ModelIngested.Tensor("last_hidden_state", "FLOAT",
                                        List.of("batch_size", "sequence_length", "384"))),
                                323, 22_713_216L),
                        new ModelIngested.Architecture("bert", 6, 384, 12, 1536, 30522, 512, true), T),
                EventType.MODEL_REJECTED, new ModelRejected(null, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                        new Upload("verdant", "uploads/oops/model.onnx", 0L, null, Upload.Trigger.POLLER),
                        ModelRejected.Reason.EMPTY_FILE,
                        "uploads/oops/model.onnx is empty (0 bytes): upload the exported .onnx file again", T),
                EventType.VARIANT_CREATED, new VariantCreated(runId, MODEL_SHA, "int8-dynamic", Technique.QUANTIZE,
                        Map.of("mode", "dynamic-int8", "perTensor", false), PlannedStep.ORIGINAL, variant, tokenizer,
                        "quantization", usage, List.of("36 MatMul weights quantized per output channel"), T),
                EventType.VARIANT_FAILED, new VariantFailed(runId, MODEL_SHA, "low-rank", Technique.PRUNE,
                        VariantFailed.Stage.MAKE, "NO_RANK_SAVING",
                        "no weight of the model has a rank below m*n/(m+n) at 90% energy kept: lower 'amount'",
                        "pruning", usage, T),
                EventType.VARIANT_EVALUATED, new VariantEvaluated(runId, MODEL_SHA, "int8-dynamic", variant,
                        22_970_000L, 22_713_216L,
                        new VariantEvaluated.Quality("sts", "spearman", 81.87, 1379, "stsb/test.tsv",
                                "75c745693e674dd0a4b0f1c2b8d3e6f7a9b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9"),
                        new VariantEvaluated.Fidelity(0.9926, 0.9711, 0.00021, null),
                        new VariantEvaluated.Latency(new VariantEvaluated.Percentiles(4.1, 5.3),
                                new VariantEvaluated.Percentiles(26.2, 31.0)),
                        new VariantEvaluated.Throughput(1221.4), 412_000_000L,
                        new Usage(1.64, 0.82, 45.1, EnergySource.ESTIMATED_TDP),
                        Map.of("threads", 2, "maxSequenceLength", 128, "runtime", "onnxruntime 1.29.0"), T),
                EventType.JOB_USAGE, new JobUsage(runId, MODEL_SHA, JobUsage.jobId(runId, JobUsage.Kind.QUANTIZE,
                        "int8-dynamic"), "quantization", JobUsage.Kind.QUANTIZE, "int8-dynamic", usage,
                        new JobUsage.Host("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 2, 24_000_000_000L),
                        T.minusSeconds(24), T),
                EventType.CARBON_LEDGER_ENTRY, new CarbonLedgerEntry(runId, MODEL_SHA, JobUsage.jobId(runId,
                        JobUsage.Kind.QUANTIZE, "int8-dynamic"), JobUsage.Kind.QUANTIZE, "int8-dynamic", 23.9,
                        0.000_314_7, EnergySource.ESTIMATED_TDP, 1.0, "FRA", 56.0,
                        "codecarbon:global_energy_mix (2023)", 0.017_6, T),
                EventType.RUN_REPORTED, new RunReported(runId, MODEL_SHA, RunReported.Status.PARTIAL,
                        List.of(new RunReported.Row("original", Technique.ORIGINAL, null, null, 90_387_606L, 22_713_216L,
                                        82.03, 0.0, null, 6.2, 41.6, 60.2, EnergySource.ESTIMATED_TDP, 0.00103081,
                                        0.00202174, true),
                                new RunReported.Row("int8-dynamic", Technique.QUANTIZE, "original",
                                        Map.of("weights", "int8", "perChannel", true), 22_970_000L,
                                        22_713_216L, 81.87, 0.16, 0.9926, 4.1, 26.2, 45.1,
                                        EnergySource.ESTIMATED_TDP, 0.000772249, 0.00158481, true)),
                        List.of("original", "int8-dynamic"),
                        new RunReported.Recommendation("int8-dynamic",
                                "lowest gCO2e per 1,000 inferences within the 1.0-point budget (loses 0.16; 0.0007722 vs the"
                                        + " original's 0.001031 gCO2e/1k)",
                                0.0943736, 2.66586),
                        1.0, new RunReported.Footprint(0.0123, 0.68928),
                        List.of(new RunReported.Missing("low-rank", "failed to make: NO_RANK_SAVING")),
                        new RunReported.Context("FRA", 56.039, "codecarbon:global_energy_mix (2023)", 1.1, 1_000_000,
                                "1000 kgCO2e embodied over 1460 days, shared by 16 logical CPUs"),
                        List.of("energy per 1,000 inferences is an estimate (CPU time x TDP), not a measurement"),
                        new RunReported.ReportKeys(BucketLayout.reportJsonKey(runId), BucketLayout.reportHtmlKey(runId),
                                BucketLayout.emissionsCsvKey(runId)),
                        T));
    }

    static String exampleFile(EventType type) {
        return type.schemaFile().replace(".schema.json", ".json");
    }
}
