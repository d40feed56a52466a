package dev.verdant.e2e;

import dev.verdant.events.Hashes;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Small helpers shared by the journeys: files, the bucket, the topics and the service processes. */
final class Journeys {
    private Journeys() {
    }

    static String sha256(Path file) {
        var digest = Hashes.sha256Digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Hashes.hex(digest.digest());
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The workspace file verdant up writes (and the CLI reads): where Kafka and S3 listen. */
    static Properties endpoints(Path workspace) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(workspace.resolve("endpoints.properties"))) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("no endpoints.properties in " + workspace + ": did verdant up run?", e);
        }
        return p;
    }

    static void writeEndpoints(Path workspace, String kafka, String s3, String accessKey, String secretKey,
            String bucket) {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap.servers", kafka);
        p.setProperty("s3.endpoint", s3);
        p.setProperty("s3.access-key", accessKey);
        p.setProperty("s3.secret-key", secretKey);
        p.setProperty("s3.bucket", bucket);
        try {
            Files.createDirectories(workspace);
            try (var w = Files.newBufferedWriter(workspace.resolve("endpoints.properties"))) {
                p.store(w, "written by the e2e test");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ArtifactStore store(Path workspace) {
        Properties p = endpoints(workspace);
        return new ArtifactStore(new S3Settings(p.getProperty("s3.endpoint"), p.getProperty("s3.access-key"),
                p.getProperty("s3.secret-key"), p.getProperty("s3.bucket", "verdant"), "us-east-1"));
    }

    /** Every record on the topic from its beginning to its end as of now, key and value. */
    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(10)));
            Instant deadline = Instant.now().plusSeconds(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("could not read " + topic + " to its end " + end + " within 30 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The pid a service's pid file names (written by verdant up: "PID START-INSTANT"). */
    static Optional<Long> servicePid(Path workspace, String service) {
        Path pidFile = workspace.resolve("services").resolve(service + ".pid");
        try {
            return Files.exists(pidFile)
                    ? Optional.of(Long.parseLong(Files.readString(pidFile).trim().split(" ")[0]))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** VmRSS and VmHWM (peak) of a process, from /proc, e.g. "VmRSS 412 MB, VmHWM 530 MB"; empty where unreadable. */
    static String memoryOf(long pid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
            StringBuilder out = new StringBuilder();
            for (String line : lines) {
                if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    out.append(out.isEmpty() ? "" : ", ").append(line, 0, 5).append(' ').append(kb / 1024).append(" MB");
                }
            }
            return out.toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Whether something accepts connections on 127.0.0.1:port. */
    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits for a line containing every one of {@code parts} in a log file. */
    static boolean awaitLogLine(Path log, Duration timeout, String... parts) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (Files.exists(log) && Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1).stream()
                        .anyMatch(l -> java.util.Arrays.stream(parts).allMatch(l::contains))) {
                    return true;
                }
            } catch (IOException | UncheckedIOException e) {
                // being written: read again
            }
            sleep(250);
        }
        return false;
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
