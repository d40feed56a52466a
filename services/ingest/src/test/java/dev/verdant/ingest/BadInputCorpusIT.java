package dev.verdant.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.EventJson;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.ModelRejected;
import dev.verdant.events.Schemas;
import dev.verdant.events.Topics;
import dev.verdant.events.kafka.EventReader;
import dev.verdant.ingest.core.BadInputCorpus;
import dev.verdant.store.ArtifactKeyException;
import dev.verdant.store.ArtifactKeys;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import dev.verdant.testsupport.LocalInfrastructureTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The whole bad-input corpus against the running service, real Kafka and s3proxy: each bad upload
 * is followed by a good tiny-BERT upload. Every bad one gets its model.rejected with its reason,
 * every good one its model.ingested, nothing goes to the dead-letter topic, and the service is
 * still healthy at the end. Keys S3 clients refuse to write (.., control characters) arrive the
 * way MinIO would report them: as bucket notifications.
 */
@QuarkusTest
@TestProfile(BadInputCorpusIT.CorpusLimits.class)
@WithTestResource(value = LocalInfrastructureTestResource.class, initArgs = {
        @ResourceArg(name = "unique-bucket", value = "true"),
        @ResourceArg(name = "topics", value = "verdant.bucket-notifications,verdant.uploads,"
                + "verdant.models.ingested,verdant.models.rejected,verdant.dead-letter,verdant.usage")})
class BadInputCorpusIT {
    private static final Duration WAIT = Duration.ofSeconds(180);

    /** The limits BadInputCorpus's expectations are written for. */
    public static class CorpusLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("verdant.ingest.max-model-bytes", Long.toString(BadInputCorpus.MAX_MODEL_BYTES),
                    "verdant.ingest.max-tokenizer-bytes", Long.toString(BadInputCorpus.MAX_TOKENIZER_BYTES),
                    "verdant.ingest.max-recipe-bytes", Long.toString(BadInputCorpus.MAX_RECIPE_BYTES));
        }
    }

    @TestHTTPResource("/q/health")
    URI health;

    @Test
    void everyBadUploadIsRejectedWithItsReasonAndEveryGoodOneInterleavedIsIngested() throws Exception {
        var config = ConfigProvider.getConfig();
        String bucket = config.getValue("verdant.s3.bucket", String.class);
        String bootstrap = config.getValue("kafka.bootstrap.servers", String.class);
        List<BadInputCorpus.Case> cases = BadInputCorpus.cases();
        Map<String, BadInputCorpus.Case> badByKey = new LinkedHashMap<>();
        List<String> goodKeys = new ArrayList<>();

        try (ArtifactStore store = new ArtifactStore(new S3Settings(config.getValue("verdant.s3.endpoint", String.class),
                config.getValue("verdant.s3.access-key", String.class),
                config.getValue("verdant.s3.secret-key", String.class), bucket, "us-east-1"));
                EventReader reader = EventReader.open(bootstrap, List.of(Topics.MODELS_INGESTED, Topics.MODELS_REJECTED,
                        Topics.DEAD_LETTER), false);
                KafkaProducer<String, byte[]> notifications = producer(bootstrap)) {
            store.ensureBucket();
            Instant start = Instant.now();
            for (int i = 0; i < cases.size(); i++) {
                BadInputCorpus.Case c = cases.get(i);
                badByKey.put(c.key(), c);
                if (storable(c.key())) {
                    upload(store, c.key(), c.model(), c.tokenizer(), c.recipe());
                } else {
                    notifications.send(new ProducerRecord<>(Topics.BUCKET_NOTIFICATIONS, bucket + "/" + c.key(),
                            notification(bucket, c.key()).getBytes(StandardCharsets.UTF_8))).get();
                }
                String good = "uploads/good-" + i + "/model.onnx";
                upload(store, good, BadInputCorpus.goodModel(1000 + i), BadInputCorpus.goodTokenizer(), null);
                goodKeys.add(good);
            }
            Instant uploaded = Instant.now();

            Map<String, ModelRejected> rejected = new HashMap<>();
            Map<String, ModelIngested> ingested = new HashMap<>();
            List<EventReader.Received> deadLetters = new ArrayList<>();
            Instant deadline = Instant.now().plus(WAIT);
            while ((rejected.size() < cases.size() || ingested.size() < goodKeys.size()) && Instant.now().isBefore(deadline)) {
                for (EventReader.Received r : reader.poll(Duration.ofMillis(300))) {
                    if (r.topic().equals(Topics.DEAD_LETTER)) {
                        deadLetters.add(r);
                    } else if (r.decoded() != null && r.decoded().event() instanceof ModelRejected e) {
                        assertThat(Schemas.validate("model-rejected.schema.json", EventJson.readTree(r.value()))).isEmpty();
                        rejected.put(e.upload().key(), e);
                    } else if (r.decoded() != null && r.decoded().event() instanceof ModelIngested e) {
                        ingested.put(e.upload().key(), e);
                    }
                }
            }
            Duration all = Duration.between(start, Instant.now());
            System.out.printf("bad-input corpus IT: %d bad + %d good uploads in %d ms; every outcome %d ms after the"
                    + " first upload (%d rejected, %d ingested, %d dead letters)%n", cases.size(), goodKeys.size(),
                    Duration.between(start, uploaded).toMillis(), all.toMillis(), rejected.size(), ingested.size(),
                    deadLetters.size());

            assertThat(ingested.keySet()).as("good uploads ingested").containsExactlyInAnyOrderElementsOf(goodKeys);
            assertThat(rejected.keySet()).as("bad uploads rejected").containsExactlyInAnyOrderElementsOf(badByKey.keySet());
            for (BadInputCorpus.Case c : cases) {
                ModelRejected e = rejected.get(c.key());
                assertThat(e.reason()).as(c.id() + ": " + e.message()).isEqualTo(c.reason());
                for (String word : c.words()) {
                    assertThat(e.message()).as(c.id()).containsIgnoringCase(word);
                }
            }
            assertThat(deadLetters).as("no upload made the service fail").isEmpty();
            // Rejected uploads stored nothing: the only models in the bucket are the good ones.
            assertThat(store.list("models/sha256/", true)).hasSize(goodKeys.size());
        }

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(health).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\": \"UP\"");
    }

    private static boolean storable(String key) {
        try {
            ArtifactKeys.validate(key);
            return true;
        } catch (ArtifactKeyException e) {
            return false;
        }
    }

    /** Tokenizer and recipe first, model last: the model is the trigger. */
    private static void upload(ArtifactStore store, String key, byte[] model, byte[] tokenizer, byte[] recipe) {
        String folder = BucketLayout.folderOf(key);
        if (tokenizer != null) {
            store.putBytes(folder + BucketLayout.TOKENIZER_FILE, tokenizer, "application/json", Map.of());
        }
        if (recipe != null) {
            store.putBytes(folder + BucketLayout.RECIPE_FILE, recipe, "application/yaml", Map.of());
        }
        store.putBytes(key, model, "application/octet-stream", Map.of());
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    /** MinIO's Kafka target record for an object created under {@code key} (URL-encoded, as MinIO sends it). */
    private static String notification(String bucket, String key) {
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);
        return """
                {"EventName":"s3:ObjectCreated:Put","Key":"%s/%s","Records":[{"eventVersion":"2.0",
                 "eventSource":"minio:s3","eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"%s"},
                 "object":{"key":"%s","size":10,"eTag":"0123"}}}]}
                """.formatted(bucket, encoded, bucket, encoded);
    }
}
