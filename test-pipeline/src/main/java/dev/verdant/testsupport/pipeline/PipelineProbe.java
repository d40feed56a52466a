package dev.verdant.testsupport.pipeline;

import dev.verdant.events.Artifact;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.EventJson;
import dev.verdant.events.Hashes;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.PlannedStep;
import dev.verdant.events.RecipeParser;
import dev.verdant.events.VerdantEvent;
import dev.verdant.events.kafka.EventReader;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;

/**
 * Plays the rest of the pipeline around the service under test: stores models and run markers as
 * ingest would, produces events as the other services would (CloudEvents, binary mode, the shared
 * codec), and waits for what the service emits on the watched topics.
 */
public final class PipelineProbe implements AutoCloseable {
    private static final Random RANDOM = new Random();

    private final ArtifactStore store;
    private final EventReader reader;
    private final KafkaProducer<String, byte[]> producer;
    private final List<EventReader.Received> seen = new ArrayList<>();
    private final Duration wait;

    private PipelineProbe(ArtifactStore store, String bootstrapServers, Collection<String> watched, Duration wait) {
        this.store = store;
        this.wait = wait;
        // Kafka loads its plug-ins (metrics reporters...) through the context class loader; under a
        // Quarkus test that is not the loader of the Kafka classes this probe sees.
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(PipelineProbe.class.getClassLoader());
        try {
            this.reader = EventReader.open(bootstrapServers, watched, false);
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.putAll(dev.verdant.events.kafka.KafkaSecurity.fromEnvironment());
            this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    /** Against the Kafka and S3 a Quarkus test's configuration names (kafka.bootstrap.servers, verdant.s3.*). */
    public static PipelineProbe fromConfig(Config config, Collection<String> watched, Duration wait) {
        ArtifactStore store = new ArtifactStore(new S3Settings(config.getValue("verdant.s3.endpoint", String.class),
                config.getValue("verdant.s3.access-key", String.class),
                config.getValue("verdant.s3.secret-key", String.class),
                config.getValue("verdant.s3.bucket", String.class), "us-east-1"));
        store.ensureBucket();
        return new PipelineProbe(store, config.getValue("kafka.bootstrap.servers", String.class), watched, wait);
    }

    public ArtifactStore store() {
        return store;
    }

    /** Stores bytes under a key, as the artifact they become. */
    public Artifact put(String key, byte[] bytes) {
        store.putBytes(key, bytes, "application/octet-stream", Map.of());
        return new Artifact(key, bytes.length, Hashes.sha256(bytes));
    }

    /** A golden example of schemas/examples (on the classpath through libs/events). */
    public static <T> T example(String name, Class<T> type) {
        try (InputStream in = PipelineProbe.class.getClassLoader().getResourceAsStream("schemas/examples/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no example schemas/examples/" + name);
            }
            return EventJson.fromBytes(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String newRunId() {
        byte[] b = new byte[10];
        RANDOM.nextBytes(b);
        return "run-" + HexFormat.of().formatHex(b);
    }

    /**
     * A started run as ingest leaves it: the run marker with the recipe's plan. The model and tokenizer
     * must be stored already.
     */
    public ModelIngested startRun(String runId, Artifact model, Artifact tokenizer, String recipeYaml) {
        return startRun(runId, model, tokenizer, recipeYaml, List.of());
    }

    /**
     * As {@link #startRun(String, Artifact, Artifact, String)}, with steps appended to the plan that the
     * recipe parser would refuse: what a service gets from a producer other than ingest.
     */
    public ModelIngested startRun(String runId, Artifact model, Artifact tokenizer, String recipeYaml,
            List<PlannedStep> unvalidatedSteps) {
        RecipeParser.Result parsed = RecipeParser.parse(recipeYaml.getBytes(StandardCharsets.UTF_8));
        if (!(parsed instanceof RecipeParser.Valid recipe)) {
            throw new IllegalArgumentException("test recipe is invalid: " + ((RecipeParser.Invalid) parsed).message());
        }
        ModelIngested example = example("model-ingested.json", ModelIngested.class);
        List<PlannedStep> plan = new ArrayList<>(recipe.plan());
        plan.addAll(unvalidatedSteps);
        ModelIngested run = new ModelIngested(runId, model.sha256(), model, tokenizer, recipe.recipe(), recipe.sha256(),
                ModelIngested.RecipeSource.UPLOADED, plan, example.upload(), example.graph(),
                example.architecture(), Instant.now());
        store.putBytes(BucketLayout.runMarkerKey(runId), EventJson.toBytes(run), "application/json", Map.of());
        return run;
    }

    /** Produces an event to its topic, keyed as the services key it, optionally on a chosen partition. */
    public RecordMetadata produce(VerdantEvent event, String id, Integer partition) {
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(event, "test", id, Instant.now());
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(encoded.topic(), partition, encoded.key(),
                encoded.body());
        encoded.headers().forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        try {
            return producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted producing " + id, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not produce " + id + ": " + e.getCause(), e.getCause());
        }
    }

    public RecordMetadata produce(VerdantEvent event, String id) {
        return produce(event, id, null);
    }

    /** Waits for the first event of {@code type} that matches, seen before or arriving within the wait. */
    public <T extends VerdantEvent> T await(String what, Class<T> type, Predicate<T> match) {
        Predicate<EventReader.Received> test = r -> r.decoded() != null && type.isInstance(r.decoded().event())
                && match.test(type.cast(r.decoded().event()));
        return type.cast(awaitRecord(what, test).decoded().event());
    }

    /** Waits for the first record (decodable or not) that matches. */
    public EventReader.Received awaitRecord(String what, Predicate<EventReader.Received> match) {
        for (EventReader.Received r : seen) {
            if (match.test(r)) {
                return r;
            }
        }
        Instant deadline = Instant.now().plus(wait);
        while (Instant.now().isBefore(deadline)) {
            List<EventReader.Received> batch = reader.poll(Duration.ofMillis(200));
            seen.addAll(batch);
            for (EventReader.Received r : batch) {
                if (match.test(r)) {
                    return r;
                }
            }
        }
        throw new AssertionError("no " + what + " within " + wait.toSeconds() + " s; seen: " + seen.stream()
                .map(PipelineProbe::describe).toList());
    }

    /** A record for a failure message; a dead letter with the reason SmallRye gave. */
    private static String describe(EventReader.Received r) {
        String text = r.topic() + " " + (r.decoded() == null ? r.error() : r.decoded().event());
        String reason = r.header("dead-letter-reason");
        return reason == null ? text : text + " (dead-letter-reason: " + reason + ", cause: "
                + r.header("dead-letter-cause") + ")";
    }

    /** Reads what arrives for a while, so that a count covers late duplicates too. */
    public void drain(Duration period) {
        Instant deadline = Instant.now().plus(period);
        while (Instant.now().isBefore(deadline)) {
            seen.addAll(reader.poll(Duration.ofMillis(200)));
        }
    }

    public <T extends VerdantEvent> long count(Class<T> type, Predicate<T> match) {
        return seen.stream().filter(r -> r.decoded() != null && type.isInstance(r.decoded().event())
                && match.test(type.cast(r.decoded().event()))).count();
    }

    /** Every record read so far, in arrival order. */
    public List<EventReader.Received> seen() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        producer.close();
        reader.close();
        store.close();
    }
}
