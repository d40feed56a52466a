package dev.verdant.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.events.Upload;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MinioNotificationsTest {

    /** The shape MinIO's Kafka target writes (format "namespace"/"access" alike), trimmed to what matters. */
    static String notification(String eventName, String encodedKey) {
        return """
                {"EventName":"%s","Key":"verdant/%s","Records":[{"eventVersion":"2.0","eventSource":"minio:s3",
                 "eventName":"%s","s3":{"s3SchemaVersion":"1.0","configurationId":"Config",
                 "bucket":{"name":"verdant","arn":"arn:aws:s3:::verdant"},
                 "object":{"key":"%s","size":1234,"eTag":"d41d8cd98f00b204e9800998ecf8427e","sequencer":"17A1"}}}]}
                """.formatted(eventName, encodedKey, eventName, encodedKey);
    }

    private static List<Upload> parse(String json) {
        return MinioNotifications.uploadsIn(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void createdModelBecomesAnUploadWithTheDecodedKey() {
        List<Upload> uploads = parse(notification("s3:ObjectCreated:Put", "uploads%2Fmy+model%2Fmodel.onnx"));
        assertThat(uploads).singleElement().satisfies(u -> {
            assertThat(u.key()).isEqualTo("uploads/my model/model.onnx");
            assertThat(u.bucket()).isEqualTo("verdant");
            assertThat(u.sizeBytes()).isEqualTo(1234L);
            assertThat(u.trigger()).isEqualTo(Upload.Trigger.BUCKET_NOTIFICATION);
        });
    }

    @Test
    void deletionsTokenizersAndVerdantsOwnWritesAreNotTriggers() {
        assertThat(parse(notification("s3:ObjectRemoved:Delete", "uploads%2Fa%2Fmodel.onnx"))).isEmpty();
        assertThat(parse(notification("s3:ObjectCreated:Put", "uploads%2Fa%2Ftokenizer.json"))).isEmpty();
        assertThat(parse(notification("s3:ObjectCreated:Put", "models%2Fsha256%2Fabc.onnx"))).isEmpty();
    }

    @Test
    void pathTricksArePassedOnSoIngestCanRejectThemVisibly() {
        assertThat(parse(notification("s3:ObjectCreated:Put", "uploads%2F..%2F..%2Fetc%2Fevil.onnx")))
                .singleElement().satisfies(u -> assertThat(u.key()).isEqualTo("uploads/../../etc/evil.onnx"));
    }

    @Test
    void recordsThatAreNotNotificationsAreRefusedWithAReason() {
        assertThatThrownBy(() -> parse("not json")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> parse("{\"hello\":1}")).hasMessageContaining("Records");
        assertThatThrownBy(() -> parse("{\"Records\":[{\"eventName\":\"s3:ObjectCreated:Put\",\"s3\":{}}]}"))
                .hasMessageContaining("s3.object.key");
    }
}
