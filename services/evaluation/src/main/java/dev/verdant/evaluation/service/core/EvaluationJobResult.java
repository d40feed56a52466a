package dev.verdant.evaluation.service.core;

import dev.verdant.carbon.JobEnergy;
import dev.verdant.events.VerdantEvent;
import java.time.Instant;

/** What one evaluation job came to. */
public sealed interface EvaluationJobResult {

    String runId();

    String variantId();

    /**
     * The job ran: {@code event} is a VariantEvaluated or a VariantFailed, to be published with a
     * JobUsage built from {@code energy}, then recorded with {@link RunEvaluations#markDone}.
     */
    record Done(String runId, String variantId, VerdantEvent event, JobEnergy energy, Instant startedAt)
            implements EvaluationJobResult {
    }

    /** The model was evaluated before (its marker exists): nothing is emitted again. */
    record AlreadyDone(String runId, String variantId) implements EvaluationJobResult {
    }
}
