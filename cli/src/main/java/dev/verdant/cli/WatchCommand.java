package dev.verdant.cli;

import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.EventType;
import dev.verdant.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Follows Verdant's topics and prints each event as it comes. Reads without a consumer group
 * (partitions assigned directly), so watching never steals work from or moves offsets of a service.
 */
@Command(name = "watch", description = "Follow the pipeline's events as they come (readable lines, or --json).")
final class WatchCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @ParentCommand
    VerdantCli cli;

    @Option(names = "--json", description = "one JSON object per line: {topic, type, id, time, runId, event}")
    boolean json;

    @Option(names = "--from-beginning", description = "replay every event kept on the topics, then follow")
    boolean fromBeginning;

    @Option(names = "--run", paramLabel = "RUN_ID", description = "only events of this run")
    String runId;

    @Option(names = "--until", paramLabel = "TYPE", split = ",", description = "stop after the first event of one of"
            + " these types (e.g. model.ingested,model.rejected or run.reported)")
    java.util.List<String> until;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "stop after this long, e.g. 30s, 5m (exit code 3 when --until was not met)")
    String timeout;

    @Override
    public Integer call() {
        Endpoints endpoints = Endpoints.load(cli.workspace());
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Instant deadline = timeout == null ? Instant.MAX : Instant.now().plus(parseDuration(timeout));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : Topics.ALL) {
                consumer.partitionsFor(topic, Duration.ofSeconds(10))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position); // fix the start now, not at the first poll
            }
            if (!json) {
                cli.err().println("watching " + partitions.size() + " partitions of " + Topics.ALL.size()
                        + " topics on " + endpoints.kafkaBootstrapServers() + " (Ctrl-C to stop)");
            }
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    if (print(record)) {
                        return 0;
                    }
                }
            }
        }
        return until == null ? 0 : 3;
    }

    /** @return true when the --until event was printed */
    private boolean print(ConsumerRecord<String, byte[]> record) {
        String time = LocalTime.ofInstant(Instant.ofEpochMilli(record.timestamp()), ZoneId.systemDefault()).format(TIME);
        if (!record.topic().equals(Topics.BUCKET_NOTIFICATIONS) && !record.topic().equals(Topics.DEAD_LETTER)) {
            CloudEventCodec.Decoded decoded;
            try {
                decoded = CloudEventCodec.decode(name -> header(record, name), record.value());
            } catch (CloudEventCodec.MalformedEventException e) {
                cli.out().println(time + " unreadable record on " + record.topic() + ": " + e.getMessage());
                return false;
            }
            if (runId != null && !runId.equals(decoded.event().runId())) {
                return false;
            }
            if (json) {
                cli.out().println(dev.verdant.events.EventJson.toJson(java.util.Map.of("topic", record.topic(),
                        "type", decoded.type().ceType(), "id", String.valueOf(decoded.id()),
                        "time", String.valueOf(decoded.time()), "runId", String.valueOf(decoded.event().runId()),
                        "event", decoded.event())));
            } else {
                cli.out().println(time + " " + EventLines.describe(decoded.event()));
            }
            cli.out().flush();
            return until != null && matches(decoded.type());
        }
        if (runId == null) {
            String what = record.topic().equals(Topics.DEAD_LETTER)
                    ? "DEAD LETTER: " + EventLines.safe(header(record, "dead-letter-reason"))
                    : "bucket notification";
            cli.out().println(time + " " + what + " (" + record.topic() + ")");
        }
        return false;
    }

    private boolean matches(EventType type) {
        return until.stream().anyMatch(u -> type.ceType().equals(u) || type.ceType().equals("dev.verdant." + u + ".v1"));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new CliException("cannot read the duration '" + text + "': write e.g. 500ms, 30s, 5m or 1h");
        }
    }
}
