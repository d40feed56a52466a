package dev.verdant.events.kafka;

import dev.verdant.events.CloudEventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads Verdant's topics as an observer: partitions are assigned directly, with no consumer group,
 * so reading never takes work from a service nor moves its offsets. Used by {@code verdant watch}
 * and by tests that wait for events.
 */
public final class EventReader implements AutoCloseable {

    /**
     * One record as read: where it was, its headers, and the event when it is a Verdant CloudEvent
     * ({@code decoded} null and {@code error} set otherwise, e.g. MinIO notifications or dead letters).
     */
    public record Received(String topic, int partition, long offset, Instant timestamp, String key,
            Map<String, String> headers, byte[] value, CloudEventCodec.Decoded decoded, String error) {

        public String header(String name) {
            return headers.get(name);
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final int partitions;

    private EventReader(KafkaConsumer<String, byte[]> consumer, int partitions) {
        this.consumer = consumer;
        this.partitions = partitions;
    }

    /**
     * @param fromBeginning replay what the topics keep; otherwise only records written after this call
     */
    public static EventReader open(String bootstrapServers, Collection<String> topics, boolean fromBeginning) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // TLS / SASL as the services have them (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*).
        props.putAll(KafkaSecurity.fromEnvironment());
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props);
        try {
            List<TopicPartition> assigned = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(10))
                        .forEach(p -> assigned.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(assigned);
            if (fromBeginning) {
                consumer.seekToBeginning(assigned);
            } else {
                consumer.seekToEnd(assigned);
            }
            // Resolve the positions now, so "from the end" means the end at open, not at the first poll.
            assigned.forEach(consumer::position);
            return new EventReader(consumer, assigned.size());
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** Partitions being read (0 when the topics do not exist yet). */
    public int partitions() {
        return partitions;
    }

    public List<Received> poll(Duration timeout) {
        List<Received> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            Map<String, String> headers = new LinkedHashMap<>();
            for (Header h : record.headers()) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
            CloudEventCodec.Decoded decoded = null;
            String error = null;
            try {
                decoded = CloudEventCodec.decode(headers::get, record.value());
            } catch (CloudEventCodec.MalformedEventException e) {
                error = e.getMessage();
            }
            out.add(new Received(record.topic(), record.partition(), record.offset(),
                    Instant.ofEpochMilli(record.timestamp()), record.key(), headers, record.value(), decoded, error));
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
