package dev.verdant.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.EventJson;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.ModelRejected;
import dev.verdant.events.RecipeParser;
import dev.verdant.events.Schemas;
import dev.verdant.events.Topics;
import dev.verdant.events.Upload;
import dev.verdant.events.UploadDetected;
import dev.verdant.events.VerdantEvent;
import dev.verdant.events.kafka.EventReader;
import dev.verdant.onnx.testing.RejectableModels;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import dev.verdant.testsupport.LocalInfrastructureTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ingest service against a real Kafka broker and a real S3 server (s3proxy): uploads land in
 * the bucket as a user's S3 client would put them, and the test reads what the service emits.
 */
@QuarkusTest
@WithTestResource(value = LocalInfrastructureTestResource.class, initArgs = {
        @io.quarkus.test.common.ResourceArg(name = "unique-bucket", value = "true"),
        @io.quarkus.test.common.ResourceArg(name = "topics", value = "verdant.bucket-notifications,verdant.uploads,"
                + "verdant.models.ingested,verdant.models.rejected,verdant.dead-letter,verdant.usage")})
class IngestServiceIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final List<String> WATCHED = List.of(Topics.UPLOADS, Topics.MODELS_INGESTED,
            Topics.MODELS_REJECTED, Topics.DEAD_LETTER, Topics.USAGE);

    private static ArtifactStore store;
    private static EventReader reader;
    private static final List<EventReader.Received> seen = new ArrayList<>();

    @BeforeAll
    static void connect() {
        var config = ConfigProvider.getConfig();
        store = new ArtifactStore(new S3Settings(config.getValue("verdant.s3.endpoint", String.class),
                config.getValue("verdant.s3.access-key", String.class),
                config.getValue("verdant.s3.secret-key", String.class),
                config.getValue("verdant.s3.bucket", String.class), "us-east-1"));
        store.ensureBucket();
        reader = EventReader.open(config.getValue("kafka.bootstrap.servers", String.class), WATCHED, false);
    }

    @AfterAll
    static void disconnect() {
        reader.close();
        store.close();
    }

    private static TinyBertBuilder tinyModel(long seed) {
        return TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(120).maxPositions(64)
                .seed(seed);
    }

    /** Tokenizer and recipe first, model last: the model is the trigger. */
    private static String upload(String folder, byte[] model, String tokenizer, String recipe) {
        String prefix = BucketLayout.UPLOADS_PREFIX + folder + "/";
        if (tokenizer != null) {
            store.putBytes(prefix + BucketLayout.TOKENIZER_FILE, tokenizer.getBytes(StandardCharsets.UTF_8),
                    "application/json", Map.of());
        }
        if (recipe != null) {
            store.putBytes(prefix + BucketLayout.RECIPE_FILE, recipe.getBytes(StandardCharsets.UTF_8),
                    "application/yaml", Map.of());
        }
        store.putBytes(prefix + "model.onnx", model, "application/octet-stream", Map.of());
        return prefix + "model.onnx";
    }

    private static EventReader.Received await(String what, Predicate<EventReader.Received> match) {
        Instant deadline = Instant.now().plus(WAIT);
        for (EventReader.Received r : seen) {
            if (match.test(r)) {
                return r;
            }
        }
        while (Instant.now().isBefore(deadline)) {
            List<EventReader.Received> batch = reader.poll(Duration.ofMillis(200));
            seen.addAll(batch); // the whole batch: later waits look for what follows the match
            for (EventReader.Received r : batch) {
                if (match.test(r)) {
                    return r;
                }
            }
        }
        throw new AssertionError("no " + what + " within " + WAIT.toSeconds() + " s; seen: "
                + seen.stream().map(r -> r.topic() + " " + (r.decoded() == null ? r.error() : r.decoded().event()))
                        .toList());
    }

    private static Predicate<EventReader.Received> about(String key, Class<? extends VerdantEvent> type) {
        return r -> r.decoded() != null && type.isInstance(r.decoded().event()) && key.equals(uploadKey(r.decoded().event()));
    }

    private static String uploadKey(VerdantEvent event) {
        if (event instanceof ModelIngested e) {
            return e.upload().key();
        }
        if (event instanceof ModelRejected e) {
            return e.upload().key();
        }
        if (event instanceof UploadDetected e) {
            return e.upload().key();
        }
        return null;
    }

    private static ModelIngested awaitIngested(String key) {
        EventReader.Received r = await("model.ingested for " + key, about(key, ModelIngested.class));
        assertThat(Schemas.validate("model-ingested.schema.json", EventJson.readTree(r.value()))).isEmpty();
        return (ModelIngested) r.decoded().event();
    }

    private static ModelRejected awaitRejected(String key) {
        EventReader.Received r = await("model.rejected for " + key, about(key, ModelRejected.class));
        assertThat(Schemas.validate("model-rejected.schema.json", EventJson.readTree(r.value()))).isEmpty();
        return (ModelRejected) r.decoded().event();
    }

    @Test
    void goodUploadStartsARunWithTheDetectedArchitectureAndStoresItsFiles() {
        String key = upload("good", tinyModel(1).toBytes(), WordPieceTokenizerJson.of(120), null);

        EventReader.Received record = await("model.ingested", about(key, ModelIngested.class));
        ModelIngested event = (ModelIngested) record.decoded().event();
        assertThat(event.architecture()).isEqualTo(new ModelIngested.Architecture("bert", 2, 32, 4, 64, 120, 64, true));
        assertThat(event.graph().parameters()).isEqualTo(tinyModel(1).expectedParameterCount());
        assertThat(event.plan()).isEqualTo(RecipeParser.defaultRecipe().plan());
        assertThat(event.recipeSource()).isEqualTo(ModelIngested.RecipeSource.DEFAULT);
        assertThat(event.upload().trigger()).isEqualTo(Upload.Trigger.POLLER);

        // CloudEvents binary mode: attributes in headers, keyed by run id.
        assertThat(record.key()).isEqualTo(event.runId());
        assertThat(record.headers()).containsEntry(CloudEventCodec.H_TYPE, "dev.verdant.model.ingested.v1")
                .containsEntry(CloudEventCodec.H_SOURCE, "/verdant/ingest")
                .containsEntry(CloudEventCodec.H_SUBJECT, event.runId())
                .containsEntry(CloudEventCodec.H_MODEL_SHA256, event.modelSha256());
        assertThat(Schemas.validate("model-ingested.schema.json", EventJson.readTree(record.value()))).isEmpty();

        // What the technique services will read is in the bucket, by content.
        assertThat(store.stat(BucketLayout.modelKey(event.modelSha256()))).hasValueSatisfying(
                o -> assertThat(o.size()).isEqualTo(event.model().sizeBytes()));
        assertThat(store.exists(event.tokenizer().key())).isTrue();
        assertThat(store.exists(BucketLayout.runRecipeKey(event.runId()))).isTrue();
        assertThat(store.exists(BucketLayout.runMarkerKey(event.runId()))).isTrue();

        // The job's usage goes on the run's bill, tagged with how its energy was obtained.
        EventReader.Received usage = await("job.usage for " + event.runId(), r -> r.decoded() != null
                && r.decoded().event() instanceof JobUsage u && u.runId().equals(event.runId()));
        JobUsage job = (JobUsage) usage.decoded().event();
        assertThat(job.jobId()).isEqualTo(event.runId() + ":ingest");
        assertThat(job.kind()).isEqualTo(JobUsage.Kind.INGEST);
        assertThat(job.usage().cpuSeconds()).isPositive();
        assertThat(job.usage().energyJoules()).isPositive();
        assertThat(Schemas.validate("job-usage.schema.json", EventJson.readTree(usage.value()))).isEmpty();
    }

    @Test
    void sameModelAndRecipeUploadedTwiceGiveOneRunAndOneEvent() {
        byte[] model = tinyModel(2).toBytes();
        String first = upload("twice-a", model, WordPieceTokenizerJson.of(120), null);
        String runId = awaitIngested(first).runId();

        String second = upload("twice-b", model, WordPieceTokenizerJson.of(120), null);
        await("upload.detected for the second copy", about(second, UploadDetected.class));
        // A later, different upload proves the second copy has been processed (same partition order
        // is not guaranteed across keys, so also give the copy's own processing time to finish).
        String marker = upload("twice-marker", tinyModel(3).toBytes(), WordPieceTokenizerJson.of(120), null);
        awaitIngested(marker);
        sleep(2_000);
        reader.poll(Duration.ofMillis(500)).forEach(seen::add);

        assertThat(seen).filteredOn(r -> r.decoded() != null && r.decoded().event() instanceof ModelIngested e
                && e.runId().equals(runId)).hasSize(1);
        assertThat(seen).noneMatch(about(second, ModelIngested.class)).noneMatch(about(second, ModelRejected.class));
    }

    @Test
    void aDifferentRecipeForTheSameModelIsAnotherRun() {
        byte[] model = tinyModel(4).toBytes();
        String a = upload("recipe-a", model, WordPieceTokenizerJson.of(120), null);
        String b = upload("recipe-b", model, WordPieceTokenizerJson.of(120),
                "variants: [{name: half, technique: quantize, params: {mode: fp16}}]\nquality: {maxLoss: 2}\n");
        ModelIngested withDefault = awaitIngested(a);
        ModelIngested withRecipe = awaitIngested(b);
        assertThat(withRecipe.runId()).isNotEqualTo(withDefault.runId());
        assertThat(withRecipe.recipeSource()).isEqualTo(ModelIngested.RecipeSource.UPLOADED);
        assertThat(withRecipe.plan()).singleElement().satisfies(s -> assertThat(s.variantId()).isEqualTo("half"));
        assertThat(withRecipe.recipe().quality().maxLoss()).isEqualTo(2.0);
    }

    @Test
    void badUploadsAreRejectedWithAReasonAndTheNextGoodUploadStillGoesThrough() {
        byte[] good = tinyModel(5).toBytes();
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        String tokenizer = WordPieceTokenizerJson.of(120);
        record Case(String folder, byte[] model, String tokenizer, String recipe, ModelRejected.Reason reason,
                String messagePart) {
        }
        List<Case> cases = List.of(
                new Case("empty", new byte[0], tokenizer, null, ModelRejected.Reason.EMPTY_FILE, "empty"),
                new Case("random", random, tokenizer, null, ModelRejected.Reason.NOT_ONNX, ""),
                new Case("truncated", Arrays.copyOf(good, good.length / 2), tokenizer, null,
                        ModelRejected.Reason.TRUNCATED, ""),
                new Case("mlp", RejectableModels.multilayerPerceptron().toByteArray(), tokenizer, null,
                        ModelRejected.Reason.NOT_AN_ENCODER, ""),
                new Case("external", RejectableModels.withExternalData(tinyModel(5).build(), "../../etc/passwd")
                        .toByteArray(), tokenizer, null, ModelRejected.Reason.EXTERNAL_DATA, ""),
                new Case("oversized", new byte[3_000_000], tokenizer, null, ModelRejected.Reason.TOO_LARGE,
                        "verdant.ingest.max-model-bytes"),
                new Case("no-tokenizer", good, null, null, ModelRejected.Reason.TOKENIZER_MISSING, "tokenizer.json"),
                new Case("bad-tokenizer", good, "{\"not\": \"a tokenizer\"}", null,
                        ModelRejected.Reason.TOKENIZER_INVALID, "model.vocab"),
                new Case("other-tokenizer", good, WordPieceTokenizerJson.of(500), null,
                        ModelRejected.Reason.TOKENIZER_MISMATCH, "500"),
                new Case("bad-recipe", good, tokenizer, "variants: []\nqualty: {maxLoss: 1}\n",
                        ModelRejected.Reason.RECIPE_INVALID, "qualty"),
                new Case("bomb-recipe", good, tokenizer, "a: &a [x, x]\nb: [*a, *a]\nvariants: []\n",
                        ModelRejected.Reason.RECIPE_INVALID, "aliases"),
                new Case("huge-recipe", good, tokenizer, "# " + "x".repeat(100_000) + "\nvariants: []\n",
                        ModelRejected.Reason.RECIPE_INVALID, "up to 65536 bytes"));
        List<String> keys = cases.stream().map(c -> upload("bad-" + c.folder(), c.model(), c.tokenizer(), c.recipe()))
                .toList();
        String next = upload("after-bad", good, tokenizer, null);

        for (int i = 0; i < cases.size(); i++) {
            ModelRejected rejected = awaitRejected(keys.get(i));
            assertThat(rejected.reason()).as(cases.get(i).folder()).isEqualTo(cases.get(i).reason());
            assertThat(rejected.message()).as(cases.get(i).folder()).contains(keys.get(i))
                    .contains(cases.get(i).messagePart());
            // With model bytes and a valid recipe in hand, the rejection names the run verdant submit announced.
            boolean runKnown = rejected.reason() != ModelRejected.Reason.RECIPE_INVALID
                    && rejected.reason() != ModelRejected.Reason.EMPTY_FILE
                    && rejected.reason() != ModelRejected.Reason.TOO_LARGE;
            assertThat(rejected.runId() != null).as(cases.get(i).folder() + " has a run id").isEqualTo(runKnown);
        }
        assertThat(awaitIngested(next).architecture().layers()).isEqualTo(2);
    }

    @Test
    void minioNotificationsTriggerIngestAndPathTricksAreRejectedNotFollowed() throws Exception {
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        String bucket = ConfigProvider.getConfig().getValue("verdant.s3.bucket", String.class);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            for (String encodedKey : List.of("uploads%2F..%2F..%2Fetc%2Fevil.onnx", "uploads%2Fa%01b%2Fmodel.onnx")) {
                producer.send(new ProducerRecord<>(Topics.BUCKET_NOTIFICATIONS, bucket + "/" + encodedKey,
                        notification(bucket, encodedKey).getBytes(StandardCharsets.UTF_8))).get();
            }
            producer.send(new ProducerRecord<>(Topics.BUCKET_NOTIFICATIONS, "junk",
                    "this is not a notification".getBytes(StandardCharsets.UTF_8))).get();
        }
        for (String key : List.of("uploads/../../etc/evil.onnx", "uploads/a\u0001b/model.onnx")) {
            EventReader.Received detected = await("upload.detected for " + key, about(key, UploadDetected.class));
            assertThat(((UploadDetected) detected.decoded().event()).upload().trigger())
                    .isEqualTo(Upload.Trigger.BUCKET_NOTIFICATION);
            ModelRejected rejected = awaitRejected(key);
            assertThat(rejected.reason()).isEqualTo(ModelRejected.Reason.INVALID_KEY);
            assertThat(rejected.message()).contains("not accepted").doesNotContain("\u0001");
        }
        EventReader.Received dead = await("dead letter", r -> r.topic().equals(Topics.DEAD_LETTER)
                && "junk".equals(r.key()));
        assertThat(dead.header("dead-letter-reason")).contains("not a MinIO bucket notification");

        // The service still ingests after all that.
        assertThat(awaitIngested(upload("after-notifications", tinyModel(6).toBytes(), WordPieceTokenizerJson.of(120),
                null)).runId()).startsWith("run-");
    }

    private static String notification(String bucket, String encodedKey) {
        return """
                {"EventName":"s3:ObjectCreated:Put","Key":"%s/%s","Records":[{"eventVersion":"2.0",
                 "eventSource":"minio:s3","eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"%s"},
                 "object":{"key":"%s","size":10,"eTag":"0123"}}}]}
                """.formatted(bucket, encodedKey, bucket, encodedKey);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
