package dev.verdant.ingest.messaging;

import dev.verdant.events.Hashes;
import dev.verdant.events.Upload;
import dev.verdant.events.UploadDetected;
import dev.verdant.ingest.core.MinioNotifications;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The trigger on a real MinIO: its Kafka notification target writes s3:ObjectCreated events to
 * {@code verdant.bucket-notifications}; each model upload becomes an UploadDetected, exactly as
 * the poller's would. A record that is not a notification goes to the dead-letter topic.
 */
@ApplicationScoped
class BucketNotificationListener {
    static final String BUCKET_NOTIFICATIONS = "bucket-notifications";
    private static final Logger LOG = Logger.getLogger(BucketNotificationListener.class);

    private final EventPublisher publisher;

    BucketNotificationListener(EventPublisher publisher) {
        this.publisher = publisher;
    }

    @Incoming(BUCKET_NOTIFICATIONS)
    @Blocking(ordered = true)
    public void onNotification(ConsumerRecord<String, byte[]> record) {
        for (Upload upload : MinioNotifications.uploadsIn(record.value())) {
            publisher.publish(new UploadDetected(upload, Instant.now()), uploadEventId(upload));
            LOG.infof("bucket notification: %s", upload.key().replaceAll("\\p{Cntrl}", "?"));
        }
    }

    static String uploadEventId(Upload upload) {
        return "upload:" + Hashes.sha256((upload.bucket() + "/" + upload.key() + "|" + upload.etag())
                .getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }
}
