package dev.verdant.evaluation.service.messaging;

import dev.verdant.carbon.HostInfo;
import dev.verdant.evaluation.service.core.EvaluationJobResult;
import dev.verdant.evaluation.service.core.RunEvaluations;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import dev.verdant.messaging.IncomingEvents;
import dev.verdant.messaging.JobTelemetry;
import dev.verdant.messaging.OutageRetry;
import dev.verdant.messaging.ShutdownGuard;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * One evaluation job per record, in order per partition (both topics are keyed by run id). The
 * offset is committed only after the outcome, its usage and its marker are written. Each job is a
 * span "evaluate VARIANT" in the trace the record's producer sent, and is counted on /q/metrics.
 */
@ApplicationScoped
class EvaluationListener {
    static final String MODELS_INGESTED = "models-ingested";
    static final String VARIANTS_CREATED = "variants-created";
    private static final Logger LOG = Logger.getLogger(EvaluationListener.class);

    private final RunEvaluations evaluations;
    private final EventPublisher publisher;
    private final HostInfo host;
    private final JobTelemetry telemetry;
    /** An unreachable store or broker: the job is done again with back-off before the dead letters. */
    private final OutageRetry retry = OutageRetry.defaults(LOG);

    EvaluationListener(RunEvaluations evaluations, EventPublisher publisher, HostInfo host, JobTelemetry telemetry) {
        ShutdownGuard.install();
        this.telemetry = telemetry;
        this.evaluations = evaluations;
        this.publisher = publisher;
        this.host = host;
    }

    @Incoming(MODELS_INGESTED)
    @Blocking(ordered = true)
    public void onModelIngested(ConsumerRecord<String, byte[]> record) {
        ModelIngested run = IncomingEvents.expect(record, ModelIngested.class);
        traced(record, run.runId(), RunEvaluations.ORIGINAL, "original",
                () -> retry.run(job(record), () -> finish(evaluations.onModelIngested(run))));
    }

    @Incoming(VARIANTS_CREATED)
    @Blocking(ordered = true)
    public void onVariantCreated(ConsumerRecord<String, byte[]> record) {
        VariantCreated variant = IncomingEvents.expect(record, VariantCreated.class);
        traced(record, variant.runId(), variant.variantId(), variant.technique().wireName(),
                () -> retry.run(job(record), () -> finish(evaluations.onVariantCreated(variant))));
    }

    private static String job(ConsumerRecord<String, byte[]> record) {
        return "record " + record.topic() + "-" + record.partition() + "@" + record.offset() + " (key " + record.key()
                + ")";
    }

    /** The job as span "evaluate VARIANT" of the record's trace; finish tells its outcome. */
    private void traced(ConsumerRecord<String, byte[]> record, String runId, String variantId, String technique,
            Runnable job) {
        telemetry.inTraceOf(record, () -> {
            try (JobTelemetry.Job traced = telemetry.start("evaluate " + variantId, technique, runId, variantId)) {
                try {
                    job.run();
                } catch (RuntimeException | Error e) {
                    traced.error(e);
                    throw e;
                }
            }
        });
    }

    private void finish(EvaluationJobResult result) {
        if (result instanceof EvaluationJobResult.AlreadyDone a) {
            LOG.infof("run %s evaluate %s: already evaluated, nothing emitted", a.runId(), a.variantId());
            telemetry.current().ifPresent(j -> j.outcome("already-done", null, null));
            return;
        }
        EvaluationJobResult.Done done = (EvaluationJobResult.Done) result;
        // An evaluation cut short by the service's own shutdown must not be recorded as the model's failure.
        ShutdownGuard.holdIfShuttingDown("run " + done.runId() + " evaluate " + done.variantId());
        String jobId = JobUsage.jobId(done.runId(), JobUsage.Kind.EVALUATE, done.variantId());
        long ms = Math.round(done.energy().wallSeconds() * 1000);
        if (done.event() instanceof VariantEvaluated e) {
            publisher.publish(e, "evaluated:" + e.runId() + ":" + e.variantId());
            LOG.infof("run %s evaluate %s: %s %.2f on %d pairs, p50 batch1 %.2f ms, %.1f sentences/s%s (%d ms)",
                    e.runId(), e.variantId(), e.quality().metric(), e.quality().value(), e.quality().examples(),
                    e.latency().batch1().p50Ms(), e.throughput().sentencesPerSecond(),
                    e.fidelity() == null ? "" : String.format(", fidelity mean cosine %.4f", e.fidelity().meanCosine()),
                    ms);
        } else if (done.event() instanceof VariantFailed f) {
            publisher.publish(f, "failed:" + f.runId() + ":" + f.variantId());
            LOG.infof("run %s evaluate %s: failed, %s: %s (%d ms)", f.runId(), f.variantId(), f.reason(),
                    f.message(), ms);
        }
        String modelSha256 = done.event() instanceof VariantEvaluated e ? e.modelSha256()
                : ((VariantFailed) done.event()).modelSha256();
        publisher.publish(new JobUsage(done.runId(), modelSha256, jobId, EventPublisher.SERVICE,
                JobUsage.Kind.EVALUATE, done.variantId(), done.energy().usage(), host.toEventHost(),
                done.startedAt(), done.startedAt().plusNanos(Math.round(done.energy().wallSeconds() * 1e9))),
                "usage:" + jobId);
        // Published: a store outage now must not make the job run again (a second outcome and usage,
        // other figures under the same ids), so only the marker write waits for the store.
        retry.run("marker of " + jobId, () -> evaluations.markDone(done));
        telemetry.current().ifPresent(j -> {
            if (done.event() instanceof VariantFailed f) {
                j.outcome("failed", f.reason(), done.energy().usage());
            } else {
                j.outcome("evaluated", null, done.energy().usage());
            }
        });
    }
}
