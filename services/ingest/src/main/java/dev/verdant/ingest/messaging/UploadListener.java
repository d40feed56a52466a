package dev.verdant.ingest.messaging;

import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.Hashes;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.ModelRejected;
import dev.verdant.events.UploadDetected;
import dev.verdant.ingest.core.IngestOutcome;
import dev.verdant.ingest.core.UploadIngestor;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Ingests each detected upload: one job per record, in order per partition (uploads are keyed by
 * object key, so the same object is never ingested twice at once, even with several instances).
 * The offset is committed only after the outcome is published.
 */
@ApplicationScoped
class UploadListener {
    static final String UPLOADS_IN = "uploads-in";
    private static final Logger LOG = Logger.getLogger(UploadListener.class);

    private final UploadIngestor ingestor;
    private final EventPublisher publisher;

    UploadListener(UploadIngestor ingestor, EventPublisher publisher) {
        this.ingestor = ingestor;
        this.publisher = publisher;
    }

    @Incoming(UPLOADS_IN)
    @Blocking(ordered = true)
    public void onUpload(ConsumerRecord<String, byte[]> record) {
        CloudEventCodec.Decoded decoded = CloudEventCodec.decode(
                name -> record.headers().lastHeader(name) == null ? null
                        : CloudEventCodec.utf8(record.headers().lastHeader(name).value()),
                record.value());
        if (!(decoded.event() instanceof UploadDetected detected)) {
            throw new CloudEventCodec.MalformedEventException("expected " + "dev.verdant.upload.detected.v1 on "
                    + record.topic() + ", got " + decoded.type().ceType());
        }
        long started = System.nanoTime();
        IngestOutcome outcome = ingestor.ingest(detected.upload());
        long ms = (System.nanoTime() - started) / 1_000_000;
        if (outcome instanceof IngestOutcome.Started s) {
                ModelIngested e = s.event();
                publisher.publish(e, "ingested:" + e.runId());
                ingestor.markStarted(e);
                LOG.infof("run %s ingest %s: started in %d ms, %s %d layers hidden %d heads %d ffn %d, %d parameters,"
                        + " %d variants planned (%s recipe)", e.runId(), e.upload().key(), ms, e.architecture().family(),
                        e.architecture().layers(), e.architecture().hiddenSize(), e.architecture().attentionHeads(),
                        e.architecture().ffnSize(), e.graph().parameters(), e.plan().size(),
                        e.recipeSource().wireName());
        } else if (outcome instanceof IngestOutcome.AlreadyStarted a) {
            LOG.infof("run %s ingest %s: already started by the same model and recipe, nothing emitted (%d ms)",
                    a.runId(), a.key(), ms);
        } else if (outcome instanceof IngestOutcome.Refused r) {
                ModelRejected e = r.event();
                publisher.publish(e, "rejected:" + Hashes.sha256((e.upload().key() + "|" + e.upload().etag())
                        .getBytes(StandardCharsets.UTF_8)).substring(0, 32));
                LOG.infof("ingest %s: rejected in %d ms, %s: %s", e.upload().key().replaceAll("\\p{Cntrl}", "?"),
                        ms, e.reason(), e.message());
        }
    }
}
