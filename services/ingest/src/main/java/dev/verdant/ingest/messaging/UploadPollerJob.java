package dev.verdant.ingest.messaging;

import dev.verdant.events.Upload;
import dev.verdant.events.UploadDetected;
import dev.verdant.ingest.core.BucketPoller;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/** Runs the bucket poller on a schedule, for storage without notifications (s3proxy). */
@ApplicationScoped
class UploadPollerJob {
    private static final Logger LOG = Logger.getLogger(UploadPollerJob.class);

    private final BucketPoller poller;
    private final EventPublisher publisher;
    private final IngestConfig config;

    UploadPollerJob(BucketPoller poller, EventPublisher publisher, IngestConfig config) {
        this.poller = poller;
        this.publisher = publisher;
        this.config = config;
    }

    @Scheduled(every = "${verdant.ingest.poller.interval:2s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (!config.ingest().poller().enabled()) {
            return;
        }
        try {
            List<Upload> fresh = poller.pending();
            for (Upload upload : fresh) {
                publisher.publish(new UploadDetected(upload, Instant.now()),
                        BucketNotificationListener.uploadEventId(upload));
                LOG.infof("poller: new upload %s", upload.key().replaceAll("\\p{Cntrl}", "?"));
            }
            poller.remember(fresh);
        } catch (RuntimeException e) {
            // Storage or broker unavailable: nothing was remembered, the next poll tries again.
            LOG.warnf("poller: %s (will retry in %s)", e.getMessage(), config.ingest().poller().interval());
        }
    }
}
