package dev.verdant.ingest.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.EventJson;
import dev.verdant.events.Upload;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads MinIO's Kafka notification target records (the S3 event format: {@code Records[].s3.bucket.name},
 * {@code Records[].s3.object.key} URL-encoded, {@code eventName} such as {@code s3:ObjectCreated:Put}).
 * Only created objects that are model uploads count; Verdant's own writes (models/, runs/) and the
 * tokenizer or recipe beside a model are not triggers.
 */
public final class MinioNotifications {
    private MinioNotifications() {
    }

    /**
     * @throws IllegalArgumentException when the record is not an S3 event notification
     */
    public static List<Upload> uploadsIn(byte[] json) {
        JsonNode root;
        try {
            root = EventJson.readTree(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a MinIO bucket notification: the record is not JSON");
        }
        JsonNode records = root.path("Records");
        if (!records.isArray()) {
            throw new IllegalArgumentException("not a MinIO bucket notification: no 'Records' array");
        }
        List<Upload> uploads = new ArrayList<>();
        for (JsonNode r : records) {
            if (!r.path("eventName").asText("").startsWith("s3:ObjectCreated:")) {
                continue;
            }
            JsonNode object = r.path("s3").path("object");
            String bucket = r.path("s3").path("bucket").path("name").asText(null);
            String encodedKey = object.path("key").asText(null);
            if (bucket == null || encodedKey == null) {
                throw new IllegalArgumentException("not a MinIO bucket notification: a record has no s3.bucket.name or s3.object.key");
            }
            String key = URLDecoder.decode(encodedKey, StandardCharsets.UTF_8);
            if (BucketLayout.isModelUpload(key)) {
                uploads.add(new Upload(bucket, key, object.has("size") ? object.get("size").asLong() : null,
                        object.path("eTag").asText(null), Upload.Trigger.BUCKET_NOTIFICATION));
            }
        }
        return uploads;
    }
}
