package dev.verdant.evaluation.service.core;

import dev.verdant.carbon.EnergyMeter;
import dev.verdant.carbon.JobEnergy;
import dev.verdant.evaluation.EvaluationOutcome;
import dev.verdant.evaluation.EvaluationRequest;
import dev.verdant.evaluation.Evaluator;
import dev.verdant.evaluation.StsSource;
import dev.verdant.evaluation.StsSplit;
import dev.verdant.events.Artifact;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.EventJson;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.Recipe;
import dev.verdant.events.Technique;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import dev.verdant.store.ArtifactNotFoundException;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.ScratchFolders;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Evaluates the models of a run: the original when a run starts (no baseline), each variant when it
 * is created (against the original). One marker per model, {@code runs/<runId>/evaluations/<variantId>.json},
 * holds the event emitted for it, so a replayed record emits nothing new.
 */
public final class RunEvaluations {
    public static final String SERVICE = "evaluation";
    public static final String ORIGINAL = "original";
    /** Largest run marker read (a ModelIngested is a few kilobytes). */
    private static final long MAX_MARKER_BYTES = 4L * 1024 * 1024;

    private final ArtifactStore store;
    private final Evaluator evaluator;
    private final EnergyMeter meter;
    private final EvaluationSettings settings;
    private final Clock clock;

    public RunEvaluations(ArtifactStore store, Evaluator evaluator, EnergyMeter meter, EvaluationSettings settings,
            Clock clock) {
        this.store = store;
        this.evaluator = evaluator;
        this.meter = meter;
        this.settings = settings;
        this.clock = clock;
    }

    /** Where the outcome of one model's evaluation is recorded. */
    public static String evaluationKey(String runId, String variantId) {
        return BucketLayout.runPrefix(runId) + "evaluations/" + variantId + ".json";
    }

    /** A run started: measure the original on its own. */
    public EvaluationJobResult onModelIngested(ModelIngested run) {
        return evaluate(run, ORIGINAL, null, run.model(), run.tokenizer(), false);
    }

    /**
     * A variant was made: measure it against the run's original.
     *
     * @throws IllegalStateException when the run's marker is missing (the record goes to the dead letters)
     */
    public EvaluationJobResult onVariantCreated(VariantCreated variant) {
        ModelIngested run = readRun(variant.runId())
                .orElseThrow(() -> new IllegalStateException("variant " + variant.variantId() + " of run "
                        + variant.runId() + ": no run marker at " + BucketLayout.runMarkerKey(variant.runId())));
        Artifact tokenizer = variant.tokenizer() != null ? variant.tokenizer() : run.tokenizer();
        return evaluate(run, variant.variantId(), variant.technique(), variant.artifact(), tokenizer, true);
    }

    /** Records the event emitted for a model; call after it is published. */
    public void markDone(EvaluationJobResult.Done done) {
        store.putBytes(evaluationKey(done.runId(), done.variantId()), EventJson.toBytes(done.event()),
                "application/json", Map.of());
    }

    private Optional<ModelIngested> readRun(String runId) {
        String key = BucketLayout.runMarkerKey(runId);
        if (!store.exists(key)) {
            return Optional.empty();
        }
        return Optional.of(EventJson.fromBytes(store.getBytes(key, MAX_MARKER_BYTES), ModelIngested.class));
    }

    private EvaluationJobResult evaluate(ModelIngested run, String variantId, Technique technique, Artifact model,
            Artifact tokenizer, boolean withBaseline) {
        String runId = run.runId();
        if (store.exists(evaluationKey(runId, variantId))) {
            return new EvaluationJobResult.AlreadyDone(runId, variantId);
        }
        Instant startedAt = clock.instant();
        EnergyMeter.Run job = meter.start();
        Path dir = ScratchFolders.create(settings.workDir(), runId + "-" + variantId);
        VerdantEvent event;
        try {
            event = evaluateIn(dir, run, variantId, technique, model, tokenizer, withBaseline);
        } finally {
            ScratchFolders.delete(dir);
        }
        JobEnergy energy = job.stop();
        if (event instanceof VariantFailed f) {
            event = new VariantFailed(f.runId(), f.modelSha256(), f.variantId(), f.technique(), f.stage(), f.reason(),
                    f.message(), f.service(), energy.usage(), f.failedAt());
        }
        return new EvaluationJobResult.Done(runId, variantId, event, energy, startedAt);
    }

    private VerdantEvent evaluateIn(Path dir, ModelIngested run, String variantId, Technique technique,
            Artifact model, Artifact tokenizer, boolean withBaseline) {
        Path modelFile = dir.resolve("model.onnx");
        Path tokenizerFile = dir.resolve("tokenizer.json");
        Path baselineFile = dir.resolve("original.onnx");
        try {
            store.download(model.key(), modelFile);
            store.download(tokenizer.key(), tokenizerFile);
            if (withBaseline) {
                store.download(run.model().key(), baselineFile);
            }
        } catch (ArtifactNotFoundException e) {
            return failed(run, variantId, technique, "ARTIFACT_UNAVAILABLE",
                    "the model, tokenizer or original is not in the bucket: " + e.getMessage());
        }
        // Any other storage failure (unreachable after the store's retries) propagates: the record is
        // not marked done, so it can be processed again instead of being recorded as a failed variant.
        Recipe.Evaluation recipe = run.recipe() == null ? null : run.recipe().evaluation();
        EvaluationRequest request = EvaluationRequest.of(modelFile, tokenizerFile)
                .withDataset(new StsSource.BuiltIn(split(recipe == null ? null : recipe.split())))
                .withMaxPairs(settings.effectiveMaxPairs(recipe == null ? null : recipe.maxPairs()))
                .withMaxSequenceLength(recipe == null || recipe.maxSequenceLength() <= 0
                        ? EvaluationRequest.DEFAULT_MAX_SEQUENCE_LENGTH : recipe.maxSequenceLength())
                .withLatency(settings.latency())
                .withThreads(settings.threads());
        if (withBaseline) {
            request = request.withBaseline(baselineFile);
        }
        EvaluationOutcome outcome = evaluator.evaluate(request);
        if (outcome instanceof EvaluationOutcome.Evaluated e) {
            return ReportMapping.toEvent(run.runId(), run.modelSha256(), variantId, model, e.report(),
                    meter.cpuPower(), clock.instant());
        }
        EvaluationOutcome.Failed f = (EvaluationOutcome.Failed) outcome;
        return failed(run, variantId, technique, f.reason().name(), f.message());
    }

    private VariantFailed failed(ModelIngested run, String variantId, Technique technique, String reason,
            String message) {
        return new VariantFailed(run.runId(), run.modelSha256(), variantId, technique, VariantFailed.Stage.EVALUATE,
                reason, message == null || message.isBlank() ? reason : message, SERVICE, null, clock.instant());
    }

    static StsSplit split(String name) {
        return name == null ? StsSplit.TEST : StsSplit.valueOf(name.toUpperCase(Locale.ROOT));
    }


}
