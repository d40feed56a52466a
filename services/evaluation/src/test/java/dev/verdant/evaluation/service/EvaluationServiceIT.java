package dev.verdant.evaluation.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.Artifact;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.Hashes;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.Schemas;
import dev.verdant.events.Topics;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import dev.verdant.testsupport.LocalInfrastructureTestResource;
import dev.verdant.testsupport.pipeline.PipelineProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.RecordMetadata;
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
    private static final int VOCABULARY = 120;
    /** Asks 20 pairs at sequence length 64, so a tiny model is measured in about a second. */
    private static final String RECIPE = """
            apiVersion: verdant.dev/v1
            name: evaluation-it
            variants:
              - name: int8-dynamic
                technique: quantize
                params: { mode: dynamic-int8 }
            evaluation:
              split: test
              maxPairs: 20
              maxSequenceLength: 64
            """;

    private static PipelineProbe probe;

    @BeforeAll
    static void connect() {
        probe = PipelineProbe.fromConfig(ConfigProvider.getConfig(), List.of(Topics.EVALUATIONS,
                Topics.VARIANTS_FAILED, Topics.USAGE, Topics.DEAD_LETTER), WAIT);
    }

    @AfterAll
    static void disconnect() {
        probe.close();
    }

    private static byte[] tinyModel(long seed) {
        return TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(VOCABULARY).maxPositions(64)
                .seed(seed).toBytes();
    }

    private static VariantCreated variant(ModelIngested run, String variantId, Artifact artifact) {
        VariantCreated e = PipelineProbe.example("variant-created.json", VariantCreated.class);
        return new VariantCreated(run.runId(), run.modelSha256(), variantId, e.technique(), e.parameters(), "original",
                artifact, run.tokenizer(), "test", e.usage(), List.of(), Instant.now());
    }

    private static ModelIngested startRun(Artifact model, Artifact tokenizer) {
        return probe.startRun(PipelineProbe.newRunId(), model, tokenizer, RECIPE);
    }

    private static Artifact storeTokenizer() {
        byte[] tokenizerJson = WordPieceTokenizerJson.of(VOCABULARY).getBytes(StandardCharsets.UTF_8);
        return probe.put(BucketLayout.tokenizerKey(Hashes.sha256(tokenizerJson)), tokenizerJson);
    }

    private static VariantEvaluated evaluated(String runId, String variantId) {
        return probe.await(variantId + " evaluated", VariantEvaluated.class,
                v -> v.runId().equals(runId) && v.variantId().equals(variantId));
    }

    @Test
    void evaluatesTheOriginalAndEachVariantOnceAndReportsFailures() throws Exception {
        byte[] original = tinyModel(1);
        Artifact model = probe.put(BucketLayout.modelKey(Hashes.sha256(original)), original);
        Artifact tokenizer = storeTokenizer();
        ModelIngested run = startRun(model, tokenizer);
        String runId = run.runId();

        // The original, on its own.
        Instant t0 = Instant.now();
        RecordMetadata first = probe.produce(run, "ingested:" + runId);
        VariantEvaluated o = evaluated(runId, "original");
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
        JobUsage usage = probe.await("usage of the original's evaluation", JobUsage.class,
                u -> u.jobId().equals(JobUsage.jobId(runId, JobUsage.Kind.EVALUATE, "original")));
        assertThat(Schemas.validate(usage)).isEmpty();
        assertThat(usage.service()).isEqualTo("evaluation");
        assertThat(usage.kind()).isEqualTo(JobUsage.Kind.EVALUATE);
        assertThat(usage.variantId()).isEqualTo("original");
        assertThat(probe.store().exists("runs/" + runId + "/evaluations/original.json")).isTrue();

        // A variant (another seed), against the original.
        byte[] other = tinyModel(2);
        Artifact variantArtifact = probe.put(BucketLayout.variantKey(runId, "seed-2"), other);
        t0 = Instant.now();
        probe.produce(variant(run, "seed-2", variantArtifact), "created:" + runId + ":seed-2");
        VariantEvaluated v = evaluated(runId, "seed-2");
        long variantMs = Duration.between(t0, Instant.now()).toMillis();
        assertThat(Schemas.validate(v)).isEmpty();
        assertThat(v.artifact()).isEqualTo(variantArtifact);
        assertThat(v.modelSha256()).isEqualTo(model.sha256());
        assertThat(v.fidelity()).isNotNull();
        assertThat(v.fidelity().meanCosine()).isBetween(-1.0, 1.0);
        assertThat(v.fidelity().meanCosine()).isLessThan(0.9999); // other weights, other embeddings
        assertThat(v.quality().examples()).isEqualTo(20);

        // A variant whose bytes are not a model.
        Artifact corrupt = probe.put(BucketLayout.variantKey(runId, "corrupt"),
                "not an onnx model".getBytes(StandardCharsets.UTF_8));
        probe.produce(variant(run, "corrupt", corrupt), "created:" + runId + ":corrupt");
        VariantFailed f = probe.await("corrupt variant failed", VariantFailed.class,
                x -> x.runId().equals(runId) && x.variantId().equals("corrupt"));
        assertThat(Schemas.validate(f)).isEmpty();
        assertThat(f.stage()).isEqualTo(VariantFailed.Stage.EVALUATE);
        assertThat(f.reason()).startsWith("MODEL_");
        assertThat(f.message()).isNotBlank();
        assertThat(f.service()).isEqualTo("evaluation");
        assertThat(f.usage()).isNotNull();

        // A replay of the run's start emits nothing new: a second run sent behind it on the same
        // partition shows the replay was handled.
        probe.produce(run, "ingested:" + runId, first.partition());
        ModelIngested secondRun = startRun(model, tokenizer);
        probe.produce(secondRun, "ingested:" + secondRun.runId(), first.partition());
        evaluated(secondRun.runId(), "original");
        assertThat(probe.count(VariantEvaluated.class, e -> e.runId().equals(runId) && e.variantId().equals("original")))
                .isEqualTo(1);
        assertThat(probe.count(JobUsage.class,
                u -> u.jobId().equals(JobUsage.jobId(runId, JobUsage.Kind.EVALUATE, "original")))).isEqualTo(1);
        assertThat(probe.seen()).noneMatch(r -> Topics.DEAD_LETTER.equals(r.topic()));

        System.out.printf("EvaluationServiceIT: original evaluated in %d ms (spearman %.2f on %d pairs, p50 batch1"
                + " %.3f ms, p50 batch32 %.3f ms, %.0f sentences/s, usage/1k cpu %.4f s wall %.4f s %.4f J %s,"
                + " peak memory %s), variant in %d ms (fidelity mean cosine %.4f, min %.4f, mse %.6f),"
                + " corrupt variant: %s%n", originalMs, o.quality().value(), o.quality().examples(),
                o.latency().batch1().p50Ms(), o.latency().batch32().p50Ms(), o.throughput().sentencesPerSecond(),
                o.usagePer1k().cpuSeconds(), o.usagePer1k().wallSeconds(), o.usagePer1k().energyJoules(),
                o.usagePer1k().energySource().wireName(), o.peakMemoryBytes(), variantMs, v.fidelity().meanCosine(),
                v.fidelity().minCosine(), v.fidelity().mse(), f.reason());
    }

    /**
     * Two instances share one run: a second evaluation service (the packaged app, in its own JVM)
     * joins the consumer group; once both hold a partition of verdant.variants.created, six variants of
     * one run are produced, three on each partition, and each is evaluated exactly once, some by each
     * instance.
     */
    @Test
    void aSecondInstanceSharesTheVariantsOfOneRun() throws Exception {
        byte[] original = tinyModel(11);
        Artifact model = probe.put(BucketLayout.modelKey(Hashes.sha256(original)), original);
        ModelIngested run = startRun(model, storeTokenizer());
        String runId = run.runId();
        List<String> variantIds = List.of("int8-dynamic", "int8-static", "ffn-pruned", "low-rank", "student",
                "student-int8");
        var config = ConfigProvider.getConfig();
        Path log = Path.of("target", "second-instance-" + runId + ".log");
        try (SecondInstance second = SecondInstance.start(config, log)) {
            second.awaitSharedAssignment(config.getValue("kafka.bootstrap.servers", String.class), WAIT);
            // Three variants on each partition of the 2-partition topic. How keys spread over the
            // partitions depends on the run id (PartitionKeyTest shows the default recipe's spread);
            // what is tested here is that the two instances share the partitions' work.
            for (int i = 0; i < variantIds.size(); i++) {
                Artifact artifact = probe.put(BucketLayout.variantKey(runId, variantIds.get(i)), tinyModel(20 + i));
                probe.produce(variant(run, variantIds.get(i), artifact), "created:" + runId + ":" + variantIds.get(i),
                        i % 2);
            }
            for (String id : variantIds) {
                evaluated(runId, id);
            }
            probe.drain(Duration.ofSeconds(2));
            String secondLog = Files.readString(log);
            List<String> bySecond = variantIds.stream()
                    .filter(id -> secondLog.contains("run " + runId + " evaluate " + id + ":")).toList();
            System.out.printf("EvaluationServiceIT: the second instance evaluated %s, this one the rest of %s%n",
                    bySecond, variantIds);
            assertThat(bySecond).as("variants the second instance evaluated (log %s)", log).isNotEmpty()
                    .hasSizeLessThan(variantIds.size());
            for (String id : variantIds) {
                assertThat(probe.count(VariantEvaluated.class, e -> e.runId().equals(runId) && e.variantId().equals(id)))
                        .as(id).isEqualTo(1);
            }
        }
    }

    /** The packaged evaluation service in a JVM of its own, against the same Kafka and bucket. */
    private static final class SecondInstance implements AutoCloseable {
        private final Process process;

        private SecondInstance(Process process) {
            this.process = process;
        }

        static SecondInstance start(org.eclipse.microprofile.config.Config config, Path log) throws IOException {
            Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
            assertThat(jar).as("the packaged service (mvn verify packages it before the ITs)").exists();
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:+UseSerialGC",
                    "-Dkafka.bootstrap.servers=" + config.getValue("kafka.bootstrap.servers", String.class),
                    "-Dverdant.s3.endpoint=" + config.getValue("verdant.s3.endpoint", String.class),
                    "-Dverdant.s3.access-key=" + config.getValue("verdant.s3.access-key", String.class),
                    "-Dverdant.s3.secret-key=" + config.getValue("verdant.s3.secret-key", String.class),
                    "-Dverdant.s3.bucket=" + config.getValue("verdant.s3.bucket", String.class),
                    "-Dverdant.evaluation.max-pairs=20", "-Dverdant.evaluation.latency=quick",
                    "-Dquarkus.http.port=0", "-jar", jar.toString());
            Files.createDirectories(log.getParent());
            return new SecondInstance(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start());
        }

        /** Waits until two members of the group each hold a partition of verdant.variants.created. */
        void awaitSharedAssignment(String bootstrap, Duration wait) throws Exception {
            Instant deadline = Instant.now().plus(wait);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                while (Instant.now().isBefore(deadline)) {
                    assertThat(process.isAlive()).as("second instance running").isTrue();
                    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("verdant-evaluation"))
                            .describedGroups().get("verdant-evaluation").get();
                    long holders = group.members().stream().filter(m -> m.assignment().topicPartitions().stream()
                            .anyMatch(tp -> tp.topic().equals(Topics.VARIANTS_CREATED))).count();
                    if (holders >= 2) {
                        return;
                    }
                    Thread.sleep(250);
                }
            }
            throw new AssertionError("the second instance did not get a partition of " + Topics.VARIANTS_CREATED
                    + " within " + wait.toSeconds() + " s");
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
