package dev.verdant.variants;

import dev.verdant.events.Technique;
import dev.verdant.events.Usage;
import dev.verdant.events.VerdantEvent;

/**
 * Told when each job of {@link RunVariants} starts and ends, on the job's own thread, so a service's
 * adapter can trace and count its jobs without the core knowing how (the technique services open a
 * span and record metrics). {@link #started} is called before anything is fetched and the job's
 * {@link Job#ended} after its outcome and usage are published and its marker written, or when an
 * error escapes the job.
 */
public interface JobObserver {
    /** Observes nothing (the CLI, tests). */
    JobObserver NONE = (runId, variantId, technique, input) -> (outcome, usage, error) -> {
    };

    /**
     * @param input the step's input: {@code original} or the variant it starts from
     * @return told once when the job ends
     */
    Job started(String runId, String variantId, Technique technique, String input);

    /** One job in progress. */
    @FunctionalInterface
    interface Job {
        /**
         * @param outcome the VariantCreated or VariantFailed that was published, null when {@code error}
         *        escaped the job (nothing was marked: the record is delivered again)
         * @param usage what the job used, null when not measured
         * @param error what escaped the job, null otherwise
         */
        void ended(VerdantEvent outcome, Usage usage, Throwable error);
    }
}
