package dev.verdant.carbon.service.core;

import dev.verdant.events.EnergySource;
import dev.verdant.events.EventJson;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.PlannedStep;
import dev.verdant.events.Recipe;
import dev.verdant.events.Technique;
import dev.verdant.events.Usage;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Events of a run with chosen figures, built on the schemas' examples. */
final class Facts {
    static final String SHA = "6fd5d72fe4589f189f8ebc006442dbb529bb7ce38f8082112682524616046452";

    private Facts() {
    }

    static <T> T example(String name, Class<T> type) {
        try (InputStream in = Facts.class.getClassLoader().getResourceAsStream("schemas/examples/" + name)) {
            return EventJson.fromBytes(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ModelIngested plan(String runId, String region, double pue, double perDay, double maxLoss, Instant at,
            List<PlannedStep> steps) {
        ModelIngested e = example("model-ingested.json", ModelIngested.class);
        Recipe r = e.recipe();
        Recipe recipe = new Recipe(r.apiVersion(), r.name(), r.task(), r.variants(), new Recipe.Quality(maxLoss),
                r.evaluation(), new Recipe.Carbon(region, pue, perDay));
        return new ModelIngested(runId, SHA, e.model(), e.tokenizer(), recipe, e.recipeSha256(), e.recipeSource(),
                steps, e.upload(), e.graph(), e.architecture(), at);
    }

    static PlannedStep step(String id, Technique technique, String input) {
        return new PlannedStep(id, technique, Map.of("k", 1), input);
    }

    static VariantEvaluated evaluated(String runId, String id, double quality, double b32, double joulesPer1k,
            Instant at) {
        VariantEvaluated e = example("variant-evaluated.json", VariantEvaluated.class);
        return new VariantEvaluated(runId, SHA, id, e.artifact(), 1_000_000, 500_000,
                new VariantEvaluated.Quality("sts", "spearman", quality, 100, "stsb-test", null),
                id.equals("original") ? null : new VariantEvaluated.Fidelity(0.99, 0.95, 0.001, null),
                new VariantEvaluated.Latency(new VariantEvaluated.Percentiles(b32 / 8, b32 / 7),
                        new VariantEvaluated.Percentiles(b32, b32 * 1.2)),
                new VariantEvaluated.Throughput(1000), 100_000_000L,
                new Usage(2.0, 1.0, joulesPer1k, EnergySource.ESTIMATED_TDP), Map.of(), at);
    }

    static VariantFailed failed(String runId, String id, VariantFailed.Stage stage, Instant at) {
        return new VariantFailed(runId, SHA, id, Technique.PRUNE, stage, "NO_RANK_SAVING", "rank 384 saves nothing",
                "pruning", null, at);
    }

    static JobUsage usage(String runId, JobUsage.Kind kind, String variantId, double joules, Instant start, Instant end) {
        return new JobUsage(runId, SHA, JobUsage.jobId(runId, kind, variantId), "test", kind, variantId,
                new Usage(joules / 10, 10, joules, EnergySource.ESTIMATED_TDP),
                new JobUsage.Host("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 2, 8L << 30), start, end);
    }
}
