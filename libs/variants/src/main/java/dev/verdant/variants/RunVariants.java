package dev.verdant.variants;

import dev.verdant.carbon.EnergyMeter;
import dev.verdant.carbon.HostInfo;
import dev.verdant.carbon.JobEnergy;
import dev.verdant.events.Artifact;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.EventJson;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.PlannedStep;
import dev.verdant.events.Usage;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import dev.verdant.store.ArtifactNotFoundException;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.ArtifactStoreException;
import dev.verdant.store.PatientWrite;
import dev.verdant.store.ScratchFolders;
import dev.verdant.store.StoredObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes the variants of a run that one technique owns. A run's plan says which steps start from the
 * original (made when the run is ingested) and which start from an earlier variant (made when that
 * variant is created); a step whose input could not be made fails too, so the run still completes.
 *
 * <p>Each step is one job: fetch the input, make the variant with the {@link VariantMaker}, store it
 * under {@code runs/<runId>/variants/<variantId>.onnx}, publish {@link VariantCreated} (or
 * {@link VariantFailed}, stage make) and the job's {@link JobUsage}, then write the marker
 * {@code runs/<runId>/made/<variantId>.json}. A replayed record finds the marker and makes nothing:
 * the variant is stored once, under one key.
 */
public final class RunVariants {
    /** Largest run marker read (a ModelIngested is a few kilobytes). */
    private static final long MAX_MARKER_BYTES = 4L * 1024 * 1024;

    /** Where the events go: the messaging adapter sends them and returns once the broker has them. */
    @FunctionalInterface
    public interface Publisher {
        /** @param id the CloudEvents id, derived from the fact: a re-emission carries the same id */
        void publish(VerdantEvent event, String id);
    }

    private final String service;
    private final VariantMaker maker;
    private final ArtifactStore store;
    private final EnergyMeter meter;
    private final HostInfo host;
    private final Path workRoot;
    private final Clock clock;
    private final JobObserver observer;

    public RunVariants(String service, VariantMaker maker, ArtifactStore store, EnergyMeter meter, HostInfo host,
            Path workRoot, Clock clock) {
        this(service, maker, store, meter, host, workRoot, clock, JobObserver.NONE);
    }

    /** @param observer told when each job starts and ends (the service's traces and metrics) */
    public RunVariants(String service, VariantMaker maker, ArtifactStore store, EnergyMeter meter, HostInfo host,
            Path workRoot, Clock clock, JobObserver observer) {
        this.service = service;
        this.observer = observer;
        this.maker = maker;
        this.store = store;
        this.meter = meter;
        this.host = host;
        this.workRoot = workRoot;
        this.clock = clock;
    }

    /** Where the event emitted for a made (or failed) variant is recorded. */
    public static String markerKey(String runId, String variantId) {
        return BucketLayout.runPrefix(runId) + "made/" + variantId + ".json";
    }

    /** The steps of the run's plan this technique owns that start from {@code input}, in plan order. */
    public List<PlannedStep> stepsFrom(ModelIngested run, String input) {
        List<PlannedStep> steps = new ArrayList<>();
        for (PlannedStep step : run.plan()) {
            if (step.technique() == maker.technique() && input.equals(step.input())) {
                steps.add(step);
            }
        }
        return steps;
    }

    /** A run started: make every variant of this technique that starts from the original. */
    public List<VerdantEvent> onModelIngested(ModelIngested run, Publisher out) {
        List<VerdantEvent> emitted = new ArrayList<>();
        for (PlannedStep step : stepsFrom(run, PlannedStep.ORIGINAL)) {
            make(run, step, run.model(), run.tokenizer(), out).ifPresent(emitted::add);
        }
        return emitted;
    }

    /**
     * A variant was made (by any technique): make the steps of this technique that start from it.
     *
     * @throws IllegalStateException when the run's marker is missing (the record goes to the dead letters)
     */
    public List<VerdantEvent> onVariantCreated(VariantCreated variant, Publisher out) {
        ModelIngested run = requireRun(variant.runId(), variant.variantId());
        List<VerdantEvent> emitted = new ArrayList<>();
        Artifact tokenizer = variant.tokenizer() != null ? variant.tokenizer() : run.tokenizer();
        for (PlannedStep step : stepsFrom(run, variant.variantId())) {
            make(run, step, variant.artifact(), tokenizer, out).ifPresent(emitted::add);
        }
        return emitted;
    }

    /**
     * A variant could not be made: the steps of this technique that start from it cannot be made
     * either. Each gets a {@link VariantFailed} naming its missing input, so the run still completes.
     * A failed evaluation is not a missing input (the variant exists): it is ignored here.
     */
    public List<VerdantEvent> onVariantFailed(VariantFailed failure, Publisher out) {
        List<VerdantEvent> emitted = new ArrayList<>();
        if (failure.stage() != VariantFailed.Stage.MAKE) {
            return emitted;
        }
        ModelIngested run = requireRun(failure.runId(), failure.variantId());
        for (PlannedStep step : stepsFrom(run, failure.variantId())) {
            if (store.exists(markerKey(run.runId(), step.variantId()))) {
                continue;
            }
            VariantFailed event = failed(run, step, "INPUT_FAILED", "variant " + step.variantId() + " starts from "
                    + failure.variantId() + ", which could not be made (" + failure.reason() + ": "
                    + failure.message() + ")", null);
            out.publish(event, "failed:" + run.runId() + ":" + step.variantId());
            markDone(event);
            emitted.add(event);
        }
        return emitted;
    }

    private ModelIngested requireRun(String runId, String variantId) {
        String key = BucketLayout.runMarkerKey(runId);
        if (!store.exists(key)) {
            throw new IllegalStateException("variant " + variantId + " of run " + runId + ": no run marker at " + key
                    + " (was the run ingested into this bucket?)");
        }
        return EventJson.fromBytes(store.getBytes(key, MAX_MARKER_BYTES), ModelIngested.class);
    }

    /** One job; empty when the marker says it was done before. */
    private Optional<VerdantEvent> make(ModelIngested run, PlannedStep step, Artifact input, Artifact tokenizer,
            Publisher out) {
        if (store.exists(markerKey(run.runId(), step.variantId()))) {
            return Optional.empty();
        }
        JobObserver.Job observed = observer.started(run.runId(), step.variantId(), step.technique(), step.input());
        VerdantEvent outcome;
        Usage usage;
        try {
            JobDone done = job(run, step, input, tokenizer, out);
            outcome = done.event;
            usage = done.usage;
        } catch (RuntimeException | Error e) {
            observed.ended(null, null, e);
            throw e;
        }
        observed.ended(outcome, usage, null);
        return Optional.of(outcome);
    }

    private record JobDone(VerdantEvent event, Usage usage) {
    }

    private JobDone job(ModelIngested run, PlannedStep step, Artifact input, Artifact tokenizer, Publisher out) {
        Instant startedAt = clock.instant();
        EnergyMeter.Run job = meter.start();
        Path dir = ScratchFolders.create(workRoot, run.runId() + "-" + step.variantId());
        Attempt attempt;
        try {
            attempt = attempt(run, step, input, tokenizer, dir);
        } finally {
            ScratchFolders.delete(dir);
        }
        JobEnergy energy = job.stop();
        Usage usage = energy.usage();
        VerdantEvent event;
        if (attempt.stored != null) {
            MakeResult.Made made = attempt.made;
            event = new VariantCreated(run.runId(), run.modelSha256(), step.variantId(), step.technique(),
                    made.parameters(), step.input(), new Artifact(attempt.stored.key(), attempt.stored.size(),
                            attempt.stored.sha256()), tokenizer, service, usage, made.notes(), clock.instant());
            out.publish(event, "created:" + run.runId() + ":" + step.variantId());
        } else {
            event = failed(run, step, attempt.failure.reason(), attempt.failure.message(), usage);
            out.publish(event, "failed:" + run.runId() + ":" + step.variantId());
        }
        String jobId = JobUsage.jobId(run.runId(), maker.jobKind(), step.variantId());
        out.publish(new JobUsage(run.runId(), run.modelSha256(), jobId, service, maker.jobKind(), step.variantId(),
                usage, host.toEventHost(), startedAt, startedAt.plusNanos(Math.round(energy.wallSeconds() * 1e9))),
                "usage:" + jobId);
        markDone(event);
        return new JobDone(event, usage);
    }

    private record Attempt(MakeResult.Made made, StoredObject stored, MakeResult.Failed failure) {
    }

    private Attempt attempt(ModelIngested run, PlannedStep step, Artifact input, Artifact tokenizer, Path dir) {
        try {
            maker.check(step.parameters());
        } catch (IllegalArgumentException e) {
            return new Attempt(null, null, new MakeResult.Failed("INVALID_PARAMETERS", e.getMessage()));
        }
        Path inputFile = dir.resolve("input.onnx");
        Path tokenizerFile = dir.resolve("tokenizer.json");
        Path outputFile = dir.resolve("variant.onnx");
        try {
            store.download(input.key(), inputFile);
            store.download(tokenizer.key(), tokenizerFile);
        } catch (ArtifactNotFoundException e) {
            return new Attempt(null, null, new MakeResult.Failed("ARTIFACT_UNAVAILABLE",
                    "the input model or its tokenizer is not in the bucket: " + e.getMessage()));
        }
        // Any other storage failure propagates: the record is not marked, so it can be processed again.
        MakeResult result;
        try {
            result = maker.make(new MakeRequest(run, step.variantId(), step.parameters(), inputFile, tokenizerFile,
                    outputFile, dir));
        } catch (IllegalArgumentException e) {
            return new Attempt(null, null, new MakeResult.Failed("INVALID_PARAMETERS", e.getMessage()));
        } catch (ArtifactStoreException e) {
            // The store failed under the maker (distillation's checkpoints): not the model's fault. The
            // record is not marked, so the job is done again once the store answers (a resumed
            // distillation continues from its last checkpoint).
            throw e;
        } catch (IOException | RuntimeException e) {
            return new Attempt(null, null, new MakeResult.Failed("MAKE_ERROR", "making " + step.variantId()
                    + " failed unexpectedly: " + e + " (see the " + service + " service's log)"));
        }
        if (result instanceof MakeResult.Failed f) {
            return new Attempt(null, null, f);
        }
        if (!Files.isRegularFile(outputFile)) {
            return new Attempt(null, null, new MakeResult.Failed("MAKE_ERROR", "the " + maker.technique().wireName()
                    + " maker reported success but wrote no model for " + step.variantId()));
        }
        StoredObject stored = store.put(BucketLayout.variantKey(run.runId(), step.variantId()), outputFile,
                "application/octet-stream", Map.of());
        return new Attempt((MakeResult.Made) result, stored, null);
    }

    private VariantFailed failed(ModelIngested run, PlannedStep step, String reason, String message, Usage usage) {
        return new VariantFailed(run.runId(), run.modelSha256(), step.variantId(), step.technique(),
                VariantFailed.Stage.MAKE, reason, message == null || message.isBlank() ? reason : message, service,
                usage, clock.instant());
    }

    /** The marker comes after the job's events are published: it is written patiently ({@link PatientWrite}). */
    private void markDone(VerdantEvent event) {
        String variantId = event instanceof VariantCreated c ? c.variantId() : ((VariantFailed) event).variantId();
        PatientWrite.run(() -> store.putBytes(markerKey(event.runId(), variantId), EventJson.toBytes(event),
                "application/json", Map.of()));
    }


}
