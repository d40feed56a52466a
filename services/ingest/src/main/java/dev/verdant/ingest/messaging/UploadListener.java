package dev.verdant.ingest.messaging;

import dev.verdant.events.CloudEventCodec;
import dev.verdant.carbon.EnergyMeter;
import dev.verdant.carbon.HostInfo;
import dev.verdant.carbon.JobEnergy;
import dev.verdant.events.Hashes;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.ModelRejected;
import dev.verdant.events.UploadDetected;
import dev.verdant.ingest.core.IngestOutcome;
import dev.verdant.ingest.core.UploadIngestor;
import dev.verdant.messaging.JobTelemetry;
import dev.verdant.messaging.OutageRetry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Ingests each detected upload: one job per record, in order per partition (uploads are keyed by
 * object key, so the same object is never ingested twice at once, even with several instances).
 * The offset is committed only after the outcome is published. Each upload is a span "ingest" in
 * the trace of its UploadDetected: the run's trace, which every service continues.
 */
@ApplicationScoped
class UploadListener {
    static final String UPLOADS_IN = "uploads-in";
    private static final Logger LOG = Logger.getLogger(UploadListener.class);

    private final UploadIngestor ingestor;
    private final EventPublisher publisher;
    private final EnergyMeter meter;
    private final HostInfo host;
    private final JobTelemetry telemetry;
    /** An unreachable store or broker: the upload is ingested again with back-off before the dead letters. */
    private final OutageRetry retry = OutageRetry.defaults(LOG);

    UploadListener(UploadIngestor ingestor, EventPublisher publisher, EnergyMeter meter, HostInfo host,
            JobTelemetry telemetry) {
        this.telemetry = telemetry;
        this.ingestor = ingestor;
        this.publisher = publisher;
        this.meter = meter;
        this.host = host;
    }

    /** Stable job id (run:ingest): a replayed ingest replaces its ledger entry instead of adding one. */
    private void publishUsage(String runId, String modelSha256, JobEnergy energy, Instant startedAt) {
        String jobId = JobUsage.jobId(runId, JobUsage.Kind.INGEST, null);
        publisher.publish(new JobUsage(runId, modelSha256, jobId, EventPublisher.SERVICE, JobUsage.Kind.INGEST, null,
                energy.usage(), host.toEventHost(), startedAt,
                startedAt.plusNanos(Math.round(energy.wallSeconds() * 1e9))), "usage:" + jobId);
    }

    @Incoming(UPLOADS_IN)
    @Blocking(ordered = true)
    public void onUpload(ConsumerRecord<String, byte[]> record) {
        telemetry.inTraceOf(record, () -> {
            try (JobTelemetry.Job job = telemetry.start("ingest", "ingest", null, null)) {
                try {
                    ingestRecord(record);
                } catch (RuntimeException | Error e) {
                    job.error(e);
                    throw e;
                }
            }
        });
    }

    private void ingestRecord(ConsumerRecord<String, byte[]> record) {
        CloudEventCodec.Decoded decoded = CloudEventCodec.decode(
                name -> record.headers().lastHeader(name) == null ? null
                        : CloudEventCodec.utf8(record.headers().lastHeader(name).value()),
                record.value());
        if (!(decoded.event() instanceof UploadDetected detected)) {
            throw new CloudEventCodec.MalformedEventException("expected " + "dev.verdant.upload.detected.v1 on "
                    + record.topic() + ", got " + decoded.type().ceType());
        }
        retry.run("record " + record.topic() + "-" + record.partition() + "@" + record.offset() + " ("
                + detected.upload().key() + ")", () -> ingest(detected));
    }

    private void ingest(UploadDetected detected) {
        Instant startedAt = Instant.now();
        // Process scope: one upload at a time per instance, and the native threads count too.
        EnergyMeter.Run job = meter.start();
        IngestOutcome outcome = ingestor.ingest(detected.upload());
        JobEnergy energy = job.stop();
        long ms = Math.round(energy.wallSeconds() * 1000);
        telemetry.current().ifPresent(j -> j.attribute("verdant.upload.key", detected.upload().key()));
        if (outcome instanceof IngestOutcome.Started s) {
                ModelIngested e = s.event();
                publisher.publish(e, "ingested:" + e.runId());
                publishUsage(e.runId(), e.modelSha256(), energy, startedAt);
                // Published: only the marker waits for the store (a redone ingest would publish again).
                retry.run("run marker of " + e.runId(), () -> ingestor.markStarted(e));
                telemetry.current().ifPresent(j -> j.attribute(JobTelemetry.RUN_ID, e.runId())
                        .outcome("ingested", null, energy.usage()));
                LOG.infof("run %s ingest %s: started in %d ms, %s %d layers hidden %d heads %d ffn %d, %d parameters,"
                        + " %d variants planned (%s recipe)", e.runId(), e.upload().key(), ms, e.architecture().family(),
                        e.architecture().layers(), e.architecture().hiddenSize(), e.architecture().attentionHeads(),
                        e.architecture().ffnSize(), e.graph().parameters(), e.plan().size(),
                        e.recipeSource().wireName());
        } else if (outcome instanceof IngestOutcome.AlreadyStarted a) {
            LOG.infof("run %s ingest %s: already started by the same model and recipe, nothing emitted (%d ms)",
                    a.runId(), a.key(), ms);
            telemetry.current().ifPresent(j -> j.attribute(JobTelemetry.RUN_ID, a.runId())
                    .outcome("already-started", null, energy.usage()));
        } else if (outcome instanceof IngestOutcome.Refused r) {
                ModelRejected e = r.event();
                publisher.publish(e, "rejected:" + Hashes.sha256((e.upload().key() + "|" + e.upload().etag())
                        .getBytes(StandardCharsets.UTF_8)).substring(0, 32));
                if (e.runId() != null && e.modelSha256() != null) {
                    // The work was done even though the upload was refused: it belongs on the run's bill.
                    publishUsage(e.runId(), e.modelSha256(), energy, startedAt);
                }
                LOG.infof("ingest %s: rejected in %d ms, %s: %s", e.upload().key().replaceAll("\\p{Cntrl}", "?"),
                        ms, e.reason(), e.message());
                telemetry.current().ifPresent(j -> j.attribute(JobTelemetry.RUN_ID, e.runId())
                        .outcome("rejected", e.reason().toString(), energy.usage()));
        }
    }
}
