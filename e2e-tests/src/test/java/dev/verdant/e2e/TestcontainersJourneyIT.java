package dev.verdant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.Schemas;
import dev.verdant.events.Topics;
import dev.verdant.events.Upload;
import dev.verdant.infra.KafkaTopics;
import dev.verdant.store.ArtifactStore;
import dev.verdant.testsupport.ContainerInfrastructure;
import dev.verdant.testsupport.DockerAvailability;
import io.minio.MinioClient;
import io.minio.SetBucketNotificationArgs;
import io.minio.messages.EventType;
import io.minio.messages.NotificationConfiguration;
import io.minio.messages.QueueConfiguration;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The MiniLM happy path the way it runs at scale: Kafka and real MinIO in containers, MinIO's Kafka
 * notification target configured, the ingest poller OFF, so the upload itself triggers the run.
 * The ingest service runs as its own process from its quarkus-app, pointed at the containers.
 *
 * <p>Not {@link ContainerInfrastructure} itself: its two containers share no network and MinIO gets
 * no notification settings, so MinIO could not reach Kafka. The same pinned images are used.
 * Skipped where no Docker engine answers.
 */
@EnabledIf(value = "dockerAvailable", disabledReason = TestcontainersJourneyIT.NO_DOCKER)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestcontainersJourneyIT {
    static final String NO_DOCKER = "no Docker engine here: Kafka + MinIO containers are needed for MinIO's"
            + " bucket notifications";
    private static final String BUCKET = "verdant";
    /** MINIO_NOTIFY_KAFKA_*_VERDANT below defines this target. */
    private static final String KAFKA_TARGET_ARN = "arn:minio:sqs::VERDANT:kafka";
    private static final Duration WAIT = Duration.ofSeconds(120);

    private Network network;
    private KafkaContainer kafka;
    private MinIOContainer minio;
    private Process ingest;
    private Path ingestLog;
    private Cli cli;

    /** Says why on the console too: failsafe's summary only counts skipped tests. */
    static synchronized boolean dockerAvailable() {
        if (docker == null) {
            docker = DockerAvailability.isAvailable();
            if (!docker) {
                System.out.println("TestcontainersJourneyIT SKIPPED: " + NO_DOCKER);
            }
        }
        return docker;
    }

    private static Boolean docker;

    @BeforeAll
    void start() throws Exception {
        Path dir = Models.e2eDir().resolve("containers");
        Journeys.deleteRecursively(dir);
        Files.createDirectories(dir);
        cli = new Cli(dir.resolve("workspace"));

        network = Network.newNetwork();
        kafka = new KafkaContainer(DockerImageName.parse(ContainerInfrastructure.KAFKA_IMAGE))
                .withNetwork(network)
                .withListener("kafka:19092"); // how MinIO, in the same network, reaches the broker
        kafka.start();
        KafkaTopics.create(kafka.getBootstrapServers(), Topics.ALL, 2, Topics.CONFIGS);

        minio = new MinIOContainer(DockerImageName.parse(ContainerInfrastructure.MINIO_IMAGE)
                .asCompatibleSubstituteFor("minio/minio"))
                .withNetwork(network)
                .withEnv("MINIO_NOTIFY_KAFKA_ENABLE_VERDANT", "on")
                .withEnv("MINIO_NOTIFY_KAFKA_BROKERS_VERDANT", "kafka:19092")
                .withEnv("MINIO_NOTIFY_KAFKA_TOPIC_VERDANT", Topics.BUCKET_NOTIFICATIONS);
        minio.start();

        // The CLI talks to this Verdant through the workspace's endpoints file, as to one verdant up started.
        Journeys.writeEndpoints(cli.workspace(), kafka.getBootstrapServers(), minio.getS3URL(), minio.getUserName(),
                minio.getPassword(), BUCKET);
        try (ArtifactStore store = Journeys.store(cli.workspace())) {
            store.ensureBucket();
        }
        // mc event add verdant/verdant arn:minio:sqs::VERDANT:kafka --event put --prefix uploads/ --suffix .onnx
        MinioClient admin = MinioClient.builder().endpoint(minio.getS3URL())
                .credentials(minio.getUserName(), minio.getPassword()).build();
        QueueConfiguration queue = new QueueConfiguration();
        queue.setQueue(KAFKA_TARGET_ARN);
        queue.setEvents(List.of(EventType.OBJECT_CREATED_ANY));
        queue.setPrefixRule(BucketLayout.UPLOADS_PREFIX);
        queue.setSuffixRule(".onnx");
        NotificationConfiguration notifications = new NotificationConfiguration();
        notifications.setQueueConfigurationList(List.of(queue));
        admin.setBucketNotification(SetBucketNotificationArgs.builder().bucket(BUCKET).config(notifications).build());

        ingest = startIngest(dir);
    }

    private Process startIngest(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path home = Path.of(System.getProperty("verdant.home", "..")).toAbsolutePath().normalize();
        Path jar = home.resolve("services/ingest/target/quarkus-app/quarkus-run.jar");
        assertThat(jar).as("the ingest service is built").isRegularFile();
        ingestLog = dir.resolve("ingest.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(ingestLog.toFile()));
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.getBootstrapServers());
        env.put("VERDANT_S3_ENDPOINT", minio.getS3URL());
        env.put("VERDANT_S3_ACCESS_KEY", minio.getUserName());
        env.put("VERDANT_S3_SECRET_KEY", minio.getPassword());
        env.put("VERDANT_S3_BUCKET", BUCKET);
        env.put("VERDANT_INGEST_POLLER_ENABLED", "false"); // only MinIO's notification can start the run
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        Process process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + port + "/q/health/ready");
        Instant deadline = Instant.now().plusSeconds(90);
        while (Instant.now().isBefore(deadline)) {
            assertThat(process.isAlive()).as("ingest exited during start-up; see " + ingestLog).isTrue();
            try {
                if (http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new AssertionError("ingest not ready on " + ready + " within 90 s; see " + ingestLog);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (ingest != null && ingest.isAlive()) {
            ingest.destroy();
            if (!ingest.waitFor(15, TimeUnit.SECONDS)) {
                ingest.destroyForcibly().waitFor();
            }
        }
        if (minio != null) {
            minio.stop();
        }
        if (kafka != null) {
            kafka.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void miniLmUploadToMinioIsIngestedThroughTheBucketNotification() {
        Models.MiniLmFiles miniLm = Models.miniLm(Models.e2eDir().resolve("models"));
        try (WatchSession watch = WatchSession.start(cli, "--json", "--from-beginning", "--timeout", "5m")) {
            Cli.Result submit = cli.run("submit", miniLm.model().toString(), "--tokenizer",
                    miniLm.tokenizer().toString(), "--name", "all-minilm-l6-v2");
            Instant uploaded = Instant.now();
            assertThat(submit.exitCode()).as(submit.describe()).isZero();
            String runId = submit.runId();
            assertThat(runId).isNotNull();

            WatchSession.Line line = watch.await("model.ingested for MiniLM",
                    l -> UserJourneyIT.INGESTED.equals(l.type()) && runId.equals(l.runId()), WAIT);
            System.out.printf("MiniLM via MinIO notification: upload finished -> ingested shown in %.2f s%n",
                    Duration.between(uploaded, line.printedAt()).toMillis() / 1e3);
            assertThat(Schemas.validate("model-ingested.schema.json", line.event())).isEmpty();
            ModelIngested event = line.as(ModelIngested.class);
            Models.assertMiniLmArchitecture(event);
            assertThat(event.upload().trigger()).as("the poller is off: MinIO's notification started the run")
                    .isEqualTo(Upload.Trigger.BUCKET_NOTIFICATION);
            assertThat(event.upload().key()).isEqualTo("uploads/all-minilm-l6-v2/model.onnx");
            try (ArtifactStore store = Journeys.store(cli.workspace())) {
                assertThat(store.stat(BucketLayout.modelKey(event.modelSha256())))
                        .hasValueSatisfying(o -> assertThat(o.size()).isEqualTo(Journeys.size(miniLm.model())));
            }
        }
    }
}
