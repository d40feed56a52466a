package dev.verdant.distillation.service.core;

import dev.verdant.distillation.CheckpointStore;
import dev.verdant.distillation.DistillationOutcome;
import dev.verdant.distillation.DistillationReport;
import dev.verdant.distillation.DistillationRequest;
import dev.verdant.distillation.Distiller;
import dev.verdant.distillation.ProgressListener;
import dev.verdant.events.JobUsage;
import dev.verdant.events.Technique;
import dev.verdant.variants.MakeRequest;
import dev.verdant.variants.MakeResult;
import dev.verdant.variants.VariantMaker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A recipe's distill step: the distillation core (libs/distillation) trains the student on the
 * step's params, checkpointing through {@code checkpoints} so a killed job resumes.
 */
public final class DistillationMaker implements VariantMaker {
    /** Progress is logged at most this often (steps). */
    private static final int LOG_EVERY = 100;

    private final Distiller distiller = new Distiller();
    private final CheckpointStore checkpoints;
    private final Consumer<String> log;

    /** @param log where progress lines go (the service's log) */
    public DistillationMaker(CheckpointStore checkpoints, Consumer<String> log) {
        this.checkpoints = checkpoints;
        this.log = log;
    }

    @Override
    public Technique technique() {
        return Technique.DISTILL;
    }

    @Override
    public JobUsage.Kind jobKind() {
        return JobUsage.Kind.DISTILL;
    }

    @Override
    public void check(Map<String, Object> parameters) {
        DistillationRequest.fromRecipeParams(parameters);
    }

    @Override
    public MakeResult make(MakeRequest request) {
        DistillationRequest distillation = DistillationRequest.fromRecipeParams(request.parameters());
        String job = (request.run() == null ? "" : request.run().runId() + " ") + request.variantId();
        ProgressListener progress = new ProgressListener() {
            @Override
            public void phase(String description) {
                log.accept(job + ": " + description);
            }

            @Override
            public void trainingStarted(int firstStep, int totalSteps) {
                log.accept(job + ": training " + (firstStep == 0 ? "starts" : "resumes at step " + firstStep) + " of "
                        + totalSteps);
            }

            @Override
            public void step(int step, int totalSteps, double loss, double learningRate, long elapsedNanos) {
                if (step % LOG_EVERY == 0 || step == totalSteps) {
                    log.accept(String.format(Locale.ROOT, "%s: step %d/%d loss %.5f lr %.2e (%.0f s)", job, step,
                            totalSteps, loss, learningRate, elapsedNanos / 1e9));
                }
            }
        };
        DistillationOutcome outcome = distiller.distill(request.input(), request.tokenizer(), request.output(),
                distillation, progress, checkpoints);
        if (outcome instanceof DistillationOutcome.Failed failed) {
            return new MakeResult.Failed(failed.reason().name(), failed.message());
        }
        DistillationReport report = ((DistillationOutcome.Distilled) outcome).report();
        Map<String, Object> applied = new LinkedHashMap<>(distillation.recipeParams());
        applied.put("keptLayers", report.keptLayers());
        List<String> notes = new ArrayList<>();
        notes.add(String.format(Locale.ROOT, "%d of %d layers kept %s, FFN %d; %d steps of batch %d on %,d sentences%s",
                report.keptLayers().size(), report.teacherLayers(), report.keptLayers(), report.ffnSize(),
                report.steps(), report.batchSize(), report.sentences(),
                report.resumedFromStep() > 0 ? " (resumed at step " + report.resumedFromStep() + ")" : ""));
        notes.add(String.format(Locale.ROOT, "loss %.5f -> %.5f in %.0f s of training; parameters %,d (teacher %,d),"
                + " %,d trained", report.firstLoss(), report.finalLoss(), report.trainingSeconds(),
                report.studentParameters(), report.teacherParameters(), report.trainedParameters()));
        notes.add(String.format(Locale.ROOT, "exported ONNX student matches the trained one: min cosine %.6f",
                report.exportMinCosine()));
        return new MakeResult.Made(applied, notes);
    }
}
