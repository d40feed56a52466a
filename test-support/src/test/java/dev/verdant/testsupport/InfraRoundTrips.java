package dev.verdant.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.verdant.infra.InfraEndpoints;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** One record through Kafka and one object through S3, whichever infrastructure serves them. */
final class InfraRoundTrips {

    private InfraRoundTrips() {
    }

    static void kafka(InfraEndpoints infra) {
        String topic = "round-trip-" + UUID.randomUUID();
        String value = "value-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(topic, "key", value)).get();
        } catch (Exception e) {
            throw new AssertionError("producing to " + topic + " at " + infra.kafkaBootstrapServers() + " failed", e);
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "round-trip-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value().equals(value)) {
                        return;
                    }
                }
            }
        }
        throw new AssertionError("the record sent to " + topic + " did not come back within 30 s");
    }

    static void s3(InfraEndpoints infra) throws Exception {
        String bucket = "round-trip-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] content = ("content " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        try (MinioClient client = MinioClient.builder().endpoint(infra.s3Endpoint())
                .credentials(infra.accessKey(), infra.secretKey()).region("us-east-1").build()) {
            client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            assertEquals(true, client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
            client.putObject(PutObjectArgs.builder().bucket(bucket).object("dir/object.bin")
                    .stream(new ByteArrayInputStream(content), content.length, -1).build());
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object("dir/object.bin").build())) {
                assertArrayEquals(content, in.readAllBytes());
            }
        }
    }
}
