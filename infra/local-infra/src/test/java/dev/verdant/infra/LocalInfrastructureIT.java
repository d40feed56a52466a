package dev.verdant.infra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.StatObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** Real broker, real s3proxy, real clients. */
class LocalInfrastructureIT {

    private static final Path ROOT = Path.of("target", "it-infra");

    @Test
    void attachedNodesServeKafkaAndS3AndReleaseTheirPortsOnClose() throws Exception {
        Path stateDir = ROOT.resolve("attached");
        LocalInfrastructure infra = LocalInfrastructure.start(stateDir,
                LocalInfrastructure.Options.defaults().withCleanStart(true));
        int[] ports = {infra.kafka().port(), infra.kafka().controllerPort(), infra.s3().port()};
        try {
            report("kafka", infra.kafka().pid());
            report("s3", infra.s3().pid());
            assertTrue(LocalInfrastructure.status(stateDir).running());
            assertEquals(infra.endpoints(), LocalInfrastructure.status(stateDir).endpoints().orElseThrow());

            String topic = "it-" + UUID.randomUUID();
            infra.createTopics(List.of(topic), 3);
            infra.createTopics(List.of(topic), 3); // existing topics are fine
            assertEquals(3, partitions(infra.kafkaBootstrapServers(), topic));
            assertEquals("hello", roundTrip(infra.kafkaBootstrapServers(), topic, "hello"));
            // Auto-created topics get the default partition count (2), so a group can share them.
            String autoCreated = "auto-" + UUID.randomUUID();
            assertEquals("auto", roundTrip(infra.kafkaBootstrapServers(), autoCreated, "auto"));
            assertEquals(2, partitions(infra.kafkaBootstrapServers(), autoCreated));

            try (MinioClient s3 = s3Client(infra.endpoints())) {
                s3.makeBucket(MakeBucketArgs.builder().bucket("it-bucket").build());
                byte[] content = "model bytes".getBytes(StandardCharsets.UTF_8);
                s3.putObject(PutObjectArgs.builder().bucket("it-bucket").object("a/b.txt")
                        .stream(new ByteArrayInputStream(content), content.length, -1).build());
                try (InputStream in = s3.getObject(GetObjectArgs.builder().bucket("it-bucket").object("a/b.txt").build())) {
                    assertArrayEquals(content, in.readAllBytes());
                }
            }
        } finally {
            infra.close();
        }
        for (int port : ports) {
            assertTrue(LoopbackPorts.isFree(port), "port " + port + " is released");
        }
        assertFalse(LocalInfrastructure.status(stateDir).anyRunning());
    }

    @Test
    void detachedNodesAreFoundAgainByStateDirectoryAndKeepTheirDataAcrossRestarts() throws Exception {
        Path stateDir = ROOT.resolve("detached");
        LocalInfrastructure.stopDetached(stateDir);
        LocalInfrastructure.Options options = LocalInfrastructure.Options.defaults().withCleanStart(true);
        String topic = "kept-" + UUID.randomUUID();
        try {
            InfraStatus up = LocalInfrastructure.startDetached(stateDir, options);
            assertTrue(up.running(), up.toString());
            InfraEndpoints endpoints = up.endpoints().orElseThrow();
            KafkaTopics.create(endpoints.kafkaBootstrapServers(), List.of(topic, topic + "-ledger"), 1,
                    Map.of(topic + "-ledger", Map.of("cleanup.policy", "compact")));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    endpoints.kafkaBootstrapServers()))) {
                ConfigResource ledger = new ConfigResource(ConfigResource.Type.TOPIC, topic + "-ledger");
                ConfigResource plain = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                var configs = admin.describeConfigs(List.of(ledger, plain)).all().get();
                assertEquals("compact", configs.get(ledger).get("cleanup.policy").value());
                assertEquals("delete", configs.get(plain).get("cleanup.policy").value());
            }
            try (MinioClient s3 = s3Client(endpoints)) {
                s3.makeBucket(MakeBucketArgs.builder().bucket("kept").build());
                s3.putObject(PutObjectArgs.builder().bucket("kept").object("x")
                        .stream(new ByteArrayInputStream(new byte[] {42}), 1, -1).build());
            }

            // A second `up` finds both running and starts nothing.
            InfraStatus again = LocalInfrastructure.startDetached(stateDir, options);
            assertEquals(up.kafka().pid(), again.kafka().pid());
            assertEquals(up.s3().pid(), again.s3().pid());
            assertTrue(Files.exists(stateDir.resolve("kafka").resolve("kafka.pid")));

            assertTrue(LocalInfrastructure.stopDetached(stateDir));
            assertFalse(LocalInfrastructure.status(stateDir).anyRunning());
            assertTrue(LoopbackPorts.isFree(portOf(endpoints.kafkaBootstrapServers())));
            assertTrue(LoopbackPorts.isFree(portOf(endpoints.s3Endpoint())));

            // Restart without cleaning: other ports, same data.
            InfraStatus restarted = LocalInfrastructure.startDetached(stateDir, options.withCleanStart(false));
            InfraEndpoints after = restarted.endpoints().orElseThrow();
            assertTrue(listTopics(after.kafkaBootstrapServers()).contains(topic));
            assertEquals("after restart", roundTrip(after.kafkaBootstrapServers(), topic, "after restart"));
            try (MinioClient s3 = s3Client(after)) {
                assertEquals(1, s3.statObject(StatObjectArgs.builder().bucket("kept").object("x").build()).size());
            }
        } finally {
            LocalInfrastructure.stopDetached(stateDir);
        }
    }

    @Test
    void aSecondAttachedStartInADirectoryInUseIsRefused() {
        Path stateDir = ROOT.resolve("in-use");
        LocalInfrastructure.Options options = LocalInfrastructure.Options.defaults().withCleanStart(true);
        try {
            LocalInfrastructure.startDetached(stateDir, options);
            var failure = assertThrows(StateDirectoryInUseException.class,
                    () -> LocalInfrastructure.start(stateDir, options));
            assertTrue(failure.getMessage().contains("already running"), failure.getMessage());
        } finally {
            LocalInfrastructure.stopDetached(stateDir);
        }
    }

    @Test
    void aNodeThatCannotStartFailsWithTheTailOfItsLog() {
        Path dataDir = ROOT.resolve("broken-s3");
        var failure = assertThrows(LocalInfrastructureException.class,
                () -> S3Node.start(dataDir, S3Node.Options.defaults().withMaxHeap("1m"), Lifecycle.ATTACHED));
        assertTrue(failure.getMessage().contains("s3 exited with code"), failure.getMessage());
        assertTrue(failure.getMessage().contains("Too small maximum heap"), failure.getMessage());
        assertTrue(failure.getMessage().contains("s3proxy.log"), failure.getMessage());
    }

    private static MinioClient s3Client(InfraEndpoints endpoints) {
        return MinioClient.builder().endpoint(endpoints.s3Endpoint())
                .credentials(endpoints.accessKey(), endpoints.secretKey()).region("us-east-1").build();
    }

    private static String roundTrip(String bootstrapServers, String topic, String value) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(topic, "key", value)).get();
        } catch (Exception e) {
            throw new AssertionError("produce to " + topic + " failed", e);
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value().equals(value)) {
                        return record.value();
                    }
                }
            }
            throw new AssertionError("no record with value " + value + " on " + topic + " within 30 s");
        }
    }

    private static int partitions(String bootstrapServers, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        }
    }

    private static Set<String> listTopics(String bootstrapServers) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.listTopics().names().get();
        }
    }

    private static int portOf(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    /** Resident memory of a node, printed for the record (Linux only). */
    private static void report(String name, long pid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (Files.isReadable(status)) {
            Files.readAllLines(status).stream().filter(line -> line.startsWith("VmRSS"))
                    .forEach(line -> System.out.println(name + " (pid " + pid + ") " + line.replaceAll("\\s+", " ")));
        }
    }
}
