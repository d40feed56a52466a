package dev.verdant.evaluation.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.Artifact;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.EventJson;
import dev.verdant.events.Hashes;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.Recipe;
import dev.verdant.events.Schemas;
import dev.verdant.events.Topics;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import dev.verdant.events.kafka.EventReader;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import dev.verdant.testsupport.LocalInfrastructureTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluation service against a real Kafka broker and a real S3 server (s3proxy): the test plays
 * ingest and a technique service (it stores the models and the run marker, then produces their
 * events) and reads what the service emits.
 */
@QuarkusTest
@WithTestResource(value = LocalInfrastructureTestResource.class, initArgs = {
        @io.quarkus.test.common.ResourceArg(name = "unique-bucket", value = "true"),
        @io.quarkus.test.common.ResourceArg(name = "topics", value = "verdant.models.ingested,"
                + "verdant.variants.created,verdant.variants.failed,verdant.evaluations,verdant.dead-letter,"
                + "verdant.usage")})
class EvaluationServiceIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> WATCHED = List.of(Topics.EVALUATIONS, Topics.VARIANTS_FAILED, Topics.USAGE,
            Topics.DEAD_LETTER);
    private static final int VOCABULARY = 120;

    private static ArtifactStore store;
    private static EventReader reader;
    private static KafkaProducer<String, byte[]> producer;
    private static final List<EventReader.Received> seen = new ArrayList<>();

    @BeforeAll
    static void connect() {
        var config = ConfigProvider.getConfig();
        store = new ArtifactStore(new S3Settings(config.getValue("verdant.s3.endpoint", String.class),
                config.getValue("verdant.s3.access-key", String.class),
                config.getValue("verdant.s3.secret-key", String.class),
                config.getValue("verdant.s3.bucket", String.class), "us-east-1"));
        store.ensureBucket();
        String bootstrap = config.getValue("kafka.bootstrap.servers", String.class);
        reader = EventReader.open(bootstrap, WATCHED, false);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void disconnect() {
        producer.close();
        reader.close();
        store.close();
    }

    private static byte[] tinyModel(long seed) {
        return TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(VOCABULARY).maxPositions(64)
                .seed(seed).toBytes();
    }

    private static <T> T example(String name, Class<T> type) throws IOException {
        try (InputStream in = EvaluationServiceIT.class.getClassLoader()
                .getResourceAsStream("schemas/examples/" + name)) {
            return EventJson.fromBytes(in.readAllBytes(), type);
        }
    }

    private static Artifact put(String key, byte[] bytes) {
        store.putBytes(key, bytes, "application/octet-stream", Map.of());
        return new Artifact(key, bytes.length, Hashes.sha256(bytes));
    }

    private static String newRunId(Random random) {
        byte[] b = new byte[10];
        random.nextBytes(b);
        return "run-" + HexFormat.of().formatHex(b);
    }

    /** A started run as ingest leaves it: the model and tokenizer by content, the run marker, a recipe asking 20 pairs. */
    private static ModelIngested startRun(String runId, Artifact model, Artifact tokenizer) throws IOException {
        ModelIngested example = example("model-ingested.json", ModelIngested.class);
        Recipe r = example.recipe();
        Recipe recipe = new Recipe(r.apiVersion(), r.name(), r.task(), r.variants(), r.quality(),
                new Recipe.Evaluation("test", 20, 64), r.carbon());
        ModelIngested run = new ModelIngested(runId, model.sha256(), model, tokenizer, recipe, example.recipeSha256(),
                example.recipeSource(), example.plan(), example.upload(), example.graph(), example.architecture(),
                Instant.now());
        store.putBytes(BucketLayout.runMarkerKey(runId), EventJson.toBytes(run), "application/json", Map.of());
        return run;
    }

    private static VariantCreated variant(ModelIngested run, String variantId, Artifact artifact) throws IOException {
        VariantCreated e = example("variant-created.json", VariantCreated.class);
        return new VariantCreated(run.runId(), run.modelSha256(), variantId, e.technique(), e.parameters(), "original",
                artifact, run.tokenizer(), "test", e.usage(), List.of(), Instant.now());
    }

    private static RecordMetadata produce(VerdantEvent event, String id, Integer partition) throws Exception {
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(event, "test", id, Instant.now());
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(encoded.topic(), partition, encoded.key(),
                encoded.body());
        encoded.headers().forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return producer.send(record).get();
    }

    private static EventReader.Received await(String what, Predicate<VerdantEvent> match) {
        Instant deadline = Instant.now().plus(WAIT);
        for (EventReader.Received r : seen) {
            if (r.decoded() != null && match.test(r.decoded().event())) {
                return r;
            }
        }
        while (Instant.now().isBefore(deadline)) {
            List<EventReader.Received> batch = reader.poll(Duration.ofMillis(200));
            seen.addAll(batch);
            for (EventReader.Received r : batch) {
                if (r.decoded() != null && match.test(r.decoded().event())) {
                    return r;
                }
            }
        }
        throw new AssertionError("no " + what + " within " + WAIT.toSeconds() + " s; seen: "
                + seen.stream().map(r -> r.topic() + " " + (r.decoded() == null ? r.error() : r.decoded().event()))
                        .toList());
    }

    private static Predicate<VerdantEvent> evaluated(String runId, String variantId) {
        return e -> e instanceof VariantEvaluated v && v.runId().equals(runId) && v.variantId().equals(variantId);
    }

    private static long count(Predicate<VerdantEvent> match) {
        return seen.stream().filter(r -> r.decoded() != null && match.test(r.decoded().event())).count();
    }

    @Test
    void evaluatesTheOriginalAndEachVariantOnceAndReportsFailures() throws Exception {
        Random random = new Random();
        byte[] original = tinyModel(1);
        Artifact model = put(BucketLayout.modelKey(Hashes.sha256(original)), original);
        byte[] tokenizerJson = WordPieceTokenizerJson.of(VOCABULARY).getBytes(StandardCharsets.UTF_8);
        Artifact tokenizer = put(BucketLayout.tokenizerKey(Hashes.sha256(tokenizerJson)), tokenizerJson);
        String runId = newRunId(random);
        ModelIngested run = startRun(runId, model, tokenizer);

        // The original, on its own.
        Instant t0 = Instant.now();
        RecordMetadata first = produce(run, "ingested:" + runId, null);
        VariantEvaluated o = (VariantEvaluated) await("original evaluated", evaluated(runId, "original"))
                .decoded().event();
        long originalMs = Duration.between(t0, Instant.now()).toMillis();
        assertThat(Schemas.validate(o)).isEmpty();
        assertThat(o.artifact()).isEqualTo(model);
        assertThat(o.modelSha256()).isEqualTo(model.sha256());
        assertThat(o.quality().task()).isEqualTo("sts");
        assertThat(o.quality().metric()).isEqualTo("spearman");
        assertThat(o.quality().examples()).isEqualTo(20);
        assertThat(o.quality().dataset()).isEqualTo("stsb-test");
        assertThat(o.fidelity()).isNull();
        assertThat(o.parameters()).isEqualTo(TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64)
                .vocabulary(VOCABULARY).maxPositions(64).expectedParameterCount());
        assertThat(o.sizeBytes()).isEqualTo(original.length);
        assertThat(o.latency().batch1().p50Ms()).isPositive();
        assertThat(o.throughput().sentencesPerSecond()).isPositive();
        assertThat(o.usagePer1k().cpuSeconds()).isPositive();
        assertThat(o.usagePer1k().energyJoules()).isPositive();
        assertThat(o.settings()).containsEntry("maxSequenceLength", 64).containsEntry("pairs", 20);
        JobUsage usage = (JobUsage) await("usage of the original's evaluation", e -> e instanceof JobUsage u
                && u.jobId().equals(JobUsage.jobId(runId, JobUsage.Kind.EVALUATE, "original"))).decoded().event();
        assertThat(Schemas.validate(usage)).isEmpty();
        assertThat(usage.service()).isEqualTo("evaluation");
        assertThat(usage.kind()).isEqualTo(JobUsage.Kind.EVALUATE);
        assertThat(usage.variantId()).isEqualTo("original");
        assertThat(store.exists("runs/" + runId + "/evaluations/original.json")).isTrue();

        // A variant (another seed), against the original.
        byte[] other = tinyModel(2);
        Artifact variantArtifact = put(BucketLayout.variantKey(runId, "seed-2"), other);
        t0 = Instant.now();
        produce(variant(run, "seed-2", variantArtifact), "created:" + runId + ":seed-2", null);
        VariantEvaluated v = (VariantEvaluated) await("variant evaluated", evaluated(runId, "seed-2")).decoded()
                .event();
        long variantMs = Duration.between(t0, Instant.now()).toMillis();
        assertThat(Schemas.validate(v)).isEmpty();
        assertThat(v.artifact()).isEqualTo(variantArtifact);
        assertThat(v.modelSha256()).isEqualTo(model.sha256());
        assertThat(v.fidelity()).isNotNull();
        assertThat(v.fidelity().meanCosine()).isBetween(-1.0, 1.0);
        assertThat(v.fidelity().meanCosine()).isLessThan(0.9999); // other weights, other embeddings
        assertThat(v.quality().examples()).isEqualTo(20);

        // A variant whose bytes are not a model.
        Artifact corrupt = put(BucketLayout.variantKey(runId, "corrupt"),
                "not an onnx model".getBytes(StandardCharsets.UTF_8));
        produce(variant(run, "corrupt", corrupt), "created:" + runId + ":corrupt", null);
        VariantFailed f = (VariantFailed) await("corrupt variant failed", e -> e instanceof VariantFailed x
                && x.runId().equals(runId) && x.variantId().equals("corrupt")).decoded().event();
        assertThat(Schemas.validate(f)).isEmpty();
        assertThat(f.stage()).isEqualTo(VariantFailed.Stage.EVALUATE);
        assertThat(f.reason()).startsWith("MODEL_");
        assertThat(f.message()).isNotBlank();
        assertThat(f.service()).isEqualTo("evaluation");
        assertThat(f.usage()).isNotNull();

        // A replay of the run's start emits nothing new: a second run sent behind it on the same
        // partition shows the replay was handled.
        produce(run, "ingested:" + runId, first.partition());
        String secondRun = newRunId(random);
        produce(startRun(secondRun, model, tokenizer), "ingested:" + secondRun, first.partition());
        await("second run's original evaluated", evaluated(secondRun, "original"));
        assertThat(count(evaluated(runId, "original"))).isEqualTo(1);
        assertThat(count(e -> e instanceof JobUsage u
                && u.jobId().equals(JobUsage.jobId(runId, JobUsage.Kind.EVALUATE, "original")))).isEqualTo(1);
        assertThat(seen).noneMatch(r -> Topics.DEAD_LETTER.equals(r.topic()));

        System.out.printf("EvaluationServiceIT: original evaluated in %d ms (spearman %.2f on %d pairs, p50 batch1"
                + " %.3f ms, p50 batch32 %.3f ms, %.0f sentences/s, usage/1k cpu %.4f s wall %.4f s %.4f J %s,"
                + " peak memory %s), variant in %d ms (fidelity mean cosine %.4f, min %.4f, mse %.6f),"
                + " corrupt variant: %s%n", originalMs, o.quality().value(), o.quality().examples(),
                o.latency().batch1().p50Ms(), o.latency().batch32().p50Ms(), o.throughput().sentencesPerSecond(),
                o.usagePer1k().cpuSeconds(), o.usagePer1k().wallSeconds(), o.usagePer1k().energyJoules(),
                o.usagePer1k().energySource().wireName(), o.peakMemoryBytes(), variantMs, v.fidelity().meanCosine(),
                v.fidelity().minCosine(), v.fidelity().mse(), f.reason());
    }
}
