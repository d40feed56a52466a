package dev.verdant.technique;

import dev.verdant.events.Technique;
import dev.verdant.events.Usage;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import dev.verdant.messaging.JobTelemetry;
import dev.verdant.variants.JobObserver;

/**
 * The shared core's jobs as spans and metrics: span "quantize int8" (technique, variant id), child
 * of the record's trace, current while the job runs and publishes; counted with outcome created,
 * failed or error, with the job's CPU time and energy.
 */
final class TracedJobs implements JobObserver {
    private final JobTelemetry telemetry;

    TracedJobs(JobTelemetry telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public Job started(String runId, String variantId, Technique technique, String input) {
        JobTelemetry.Job job = telemetry.start(technique.wireName() + " " + variantId, technique.wireName(), runId,
                variantId).attribute("verdant.input", input);
        return (VerdantEvent outcome, Usage usage, Throwable error) -> {
            try {
                if (error != null) {
                    job.error(error);
                } else if (outcome instanceof VariantFailed f) {
                    job.outcome("failed", f.reason(), usage);
                } else {
                    job.outcome("created", null, usage);
                }
            } finally {
                job.close();
            }
        };
    }
}
