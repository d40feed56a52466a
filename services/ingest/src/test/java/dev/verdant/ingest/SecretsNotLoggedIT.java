package dev.verdant.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.ModelIngested;
import dev.verdant.events.ModelRejected;
import dev.verdant.events.Topics;
import dev.verdant.events.kafka.EventReader;
import dev.verdant.infra.Lifecycle;
import dev.verdant.infra.S3Node;
import dev.verdant.ingest.core.BadInputCorpus;
import dev.verdant.ingest.messaging.IngestConfig;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Credentials never reach the log: the service runs with a distinctive S3 secret and a
 * distinctive Kafka SASL password ({@link DistinctiveSecretsResource}), ingests a good upload and
 * rejects a bad one, then S3 goes away and comes back refusing its credentials. Its whole log
 * (start-up configuration dumps, DEBUG of Verdant and the MinIO client, every error and stack
 * trace) must contain neither secret.
 */
@QuarkusTest
@WithTestResource(DistinctiveSecretsResource.class)
class SecretsNotLoggedIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    IngestConfig config;

    @Inject
    KafkaClientService kafkaClients;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaDefaults;

    @Test
    void neitherTheS3SecretNorTheKafkaPasswordIsEverLogged() throws Exception {
        String s3Secret = System.getProperty(DistinctiveSecretsResource.PUBLISHED + "s3-secret");
        String kafkaSecret = System.getProperty(DistinctiveSecretsResource.PUBLISHED + "kafka-secret");
        assertThat(config.s3().secretKey()).isEqualTo(s3Secret);
        // The Kafka settings reach every channel through the connector's defaults (kafka.* / KAFKA_*).
        assertThat(kafkaDefaults).containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("security.protocol", "PLAINTEXT");
        assertThat(String.valueOf(kafkaDefaults.get("sasl.jaas.config"))).contains(kafkaSecret);
        assertThat(config.s3().toString()).doesNotContain(s3Secret);
        // ... and every channel's client was created with them.
        assertThat(kafkaClients.getConsumerChannels()).contains("uploads-in", "bucket-notifications");
        assertThat(kafkaClients.getProducerChannels()).contains("uploads-out", "models-ingested", "models-rejected",
                "job-usage");
        for (String channel : kafkaClients.getConsumerChannels()) {
            assertThat(Map.<String, Object>copyOf(kafkaClients.getConsumer(channel).configuration())).as(channel)
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("security.protocol", "PLAINTEXT");
        }
        for (String channel : kafkaClients.getProducerChannels()) {
            assertThat(Map.<String, Object>copyOf(kafkaClients.getProducer(channel).configuration())).as(channel)
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("security.protocol", "PLAINTEXT");
        }

        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        S3Settings settings = new S3Settings(config.s3().endpoint(), config.s3().accessKey(), s3Secret,
                config.s3().bucket());
        assertThat(settings.toString()).doesNotContain(s3Secret);
        try (EventReader reader = EventReader.open(bootstrap, List.of(Topics.MODELS_INGESTED, Topics.MODELS_REJECTED),
                false); ArtifactStore store = new ArtifactStore(settings)) {
            store.ensureBucket();
            store.putBytes("uploads/secret-good/tokenizer.json", BadInputCorpus.goodTokenizer(), "application/json", Map.of());
            store.putBytes("uploads/secret-good/model.onnx", BadInputCorpus.goodModel(77), "application/octet-stream",
                    Map.of());
            store.putBytes("uploads/secret-bad/tokenizer.json", BadInputCorpus.goodTokenizer(), "application/json", Map.of());
            store.putBytes("uploads/secret-bad/model.onnx", "not a model".getBytes(), "application/octet-stream", Map.of());
            awaitBoth(reader, r -> r.decoded() != null && r.decoded().event() instanceof ModelIngested e
                    && e.upload().key().equals("uploads/secret-good/model.onnx"),
                    r -> r.decoded() != null && r.decoded().event() instanceof ModelRejected e
                    && e.upload().key().equals("uploads/secret-bad/model.onnx"));
        }

        // S3 goes away (connections refused), then comes back on the same port refusing the service's key.
        long pid = Long.parseLong(System.getProperty(DistinctiveSecretsResource.PUBLISHED + "s3-pid"));
        int port = Integer.parseInt(System.getProperty(DistinctiveSecretsResource.PUBLISHED + "s3-port"));
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroy();
            p.onExit().join();
        });
        Thread.sleep(3_000);
        try (S3Node refusing = S3Node.start(Path.of("target", "secrets-it", "s3-refusing"),
                S3Node.Options.defaults().withPort(port).withCredentials("verdant-it", "another-secret"),
                Lifecycle.ATTACHED)) {
            Thread.sleep(4_000);
        }

        String log = Files.readString(DistinctiveSecretsResource.LOG_FILE);
        // The failures were logged (so the check below looked at real error output)...
        assertThat(log).contains("poller:");
        assertThat(log).containsAnyOf("403", "SignatureDoesNotMatch", "InvalidAccessKeyId", "Access Denied",
                "AccessDenied");
        assertThat(log).containsAnyOf("Connection refused", "ConnectException", "Failed to connect");
        assertThat(log).doesNotContain(s3Secret).doesNotContain(kafkaSecret);
        System.out.printf("secrets IT: %d log lines, %d bytes checked, neither secret present%n",
                log.lines().count(), log.length());
    }

    private static void awaitBoth(EventReader reader, Predicate<EventReader.Received> first,
            Predicate<EventReader.Received> second) {
        boolean seenFirst = false;
        boolean seenSecond = false;
        Instant deadline = Instant.now().plus(WAIT);
        while (!(seenFirst && seenSecond) && Instant.now().isBefore(deadline)) {
            for (EventReader.Received r : reader.poll(Duration.ofMillis(300))) {
                seenFirst |= first.test(r);
                seenSecond |= second.test(r);
            }
        }
        assertThat(seenFirst && seenSecond).as("model.ingested and model.rejected within " + WAIT.toSeconds() + " s")
                .isTrue();
    }
}
