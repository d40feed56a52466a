package dev.verdant.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A local Kafka broker and a local S3 server, side by side in one state directory
 * ({@code kafka/} and {@code s3/} below it).
 *
 * <p>Two ways to use it:
 * <ul>
 *   <li>attached, for tests: {@link #start(Path, Options)} returns an instance that owns both
 *       child processes; {@link #close()} or the JVM's exit stops them;</li>
 *   <li>detached, for {@code verdant up / down}: {@link #startDetached(Path, Options)} leaves them
 *       running after this JVM exits; {@link #status(Path)} and {@link #stopDetached(Path)} find
 *       them again through the state files in the directory.</li>
 * </ul>
 */
public final class LocalInfrastructure implements AutoCloseable {

    /**
     * @param cleanStart delete the nodes' data (topics, objects, logs) before starting them
     */
    public record Options(KafkaNode.Options kafka, S3Node.Options s3, boolean cleanStart) {

        public Options {
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(s3, "s3");
        }

        /** Free ports, default heaps, data kept between starts. */
        public static Options defaults() {
            return new Options(KafkaNode.Options.defaults(), S3Node.Options.defaults(), false);
        }

        public Options withKafka(KafkaNode.Options kafka) {
            return new Options(kafka, s3, cleanStart);
        }

        public Options withS3(S3Node.Options s3) {
            return new Options(kafka, s3, cleanStart);
        }

        public Options withCleanStart(boolean cleanStart) {
            return new Options(kafka, s3, cleanStart);
        }
    }

    private final Path stateDir;
    private final KafkaNode kafka;
    private final S3Node s3;

    private LocalInfrastructure(Path stateDir, KafkaNode kafka, S3Node s3) {
        this.stateDir = stateDir;
        this.kafka = kafka;
        this.s3 = s3;
    }

    /** Starts both nodes attached to this JVM, with {@link Options#defaults()}. */
    public static LocalInfrastructure start(Path stateDir) {
        return start(stateDir, Options.defaults());
    }

    /**
     * Starts both nodes attached to this JVM (in parallel) and waits until both answer. Orphans of a
     * killed earlier JVM in the same directory are stopped first.
     *
     * @throws StateDirectoryInUseException when nodes someone else owns run in {@code stateDir}
     */
    public static LocalInfrastructure start(Path stateDir, Options options) {
        Path dir = stateDir.toAbsolutePath().normalize();
        prepare(dir, options, true, true);
        StartedNodes started = startNodes(
                () -> KafkaNode.start(kafkaDir(dir), options.kafka(), Lifecycle.ATTACHED),
                () -> S3Node.start(s3Dir(dir), options.s3(), Lifecycle.ATTACHED));
        return new LocalInfrastructure(dir, started.kafka(), started.s3());
    }

    /**
     * Makes sure both nodes run detached from this JVM, starting those that do not; nodes already
     * running are left untouched (and not wiped by {@code cleanStart}). Returns when both answer.
     */
    public static InfraStatus startDetached(Path stateDir, Options options) {
        Path dir = stateDir.toAbsolutePath().normalize();
        InfraStatus current = status(dir);
        boolean startKafka = !current.kafka().running();
        boolean startS3 = !current.s3().running();
        prepare(dir, options, startKafka, startS3);
        startNodes(
                startKafka ? () -> KafkaNode.start(kafkaDir(dir), options.kafka(), Lifecycle.DETACHED) : null,
                startS3 ? () -> S3Node.start(s3Dir(dir), options.s3(), Lifecycle.DETACHED) : null);
        return status(dir);
    }

    /** Reads the state directory and checks the recorded processes against the OS; starts nothing. */
    public static InfraStatus status(Path stateDir) {
        Path dir = stateDir.toAbsolutePath().normalize();
        Optional<NodeRecord> kafkaRecord = NodeRecord.read(kafkaDir(dir));
        Optional<NodeRecord> s3Record = NodeRecord.read(s3Dir(dir));
        NodeStatus kafka = nodeStatus(KafkaNode.NAME, kafkaRecord, "bootstrap-servers");
        NodeStatus s3 = nodeStatus(S3Node.NAME, s3Record, "endpoint");
        Optional<InfraEndpoints> endpoints = Optional.empty();
        if (kafka.running() && s3.running()) {
            NodeRecord s3State = s3Record.orElseThrow();
            endpoints = Optional.of(new InfraEndpoints(kafka.endpoint(), s3.endpoint(),
                    s3State.endpoint().get("access-key"), s3State.endpoint().get("secret-key")));
        }
        return new InfraStatus(dir, kafka, s3, endpoints);
    }

    /** Stops whatever runs in {@code stateDir}, attached or detached; data and logs stay. */
    public static boolean stopDetached(Path stateDir) {
        return stopDetached(stateDir, NodeProcess.DEFAULT_STOP_GRACE);
    }

    /**
     * Stops whatever runs in {@code stateDir}: SIGTERM, SIGKILL after {@code grace}; then removes the
     * state files. Data and logs stay.
     *
     * @return whether a running node was stopped
     */
    public static boolean stopDetached(Path stateDir, Duration grace) {
        Path dir = stateDir.toAbsolutePath().normalize();
        boolean kafkaStopped = stopRecorded(KafkaNode.NAME, kafkaDir(dir), grace);
        boolean s3Stopped = stopRecorded(S3Node.NAME, s3Dir(dir), grace);
        return kafkaStopped || s3Stopped;
    }

    private static boolean stopRecorded(String name, Path nodeDir, Duration grace) {
        Optional<NodeRecord> record = NodeRecord.read(nodeDir);
        if (record.isEmpty()) {
            return false;
        }
        boolean stopped = record.get().liveProcess()
                .map(process -> NodeProcess.terminate(process, name, grace))
                .orElse(false);
        NodeRecord.delete(nodeDir, name);
        return stopped;
    }

    public InfraEndpoints endpoints() {
        return new InfraEndpoints(kafka.bootstrapServers(), s3.endpoint(), s3.accessKey(), s3.secretKey());
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String s3Endpoint() {
        return s3.endpoint();
    }

    public String s3AccessKey() {
        return s3.accessKey();
    }

    public String s3SecretKey() {
        return s3.secretKey();
    }

    public KafkaNode kafka() {
        return kafka;
    }

    public S3Node s3() {
        return s3;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Creates the topics that do not exist yet, with replication factor 1. */
    public void createTopics(Collection<String> names, int partitions) {
        kafka.createTopics(names, partitions);
    }

    /** Stops both nodes; data and logs stay in the state directory. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable node : new AutoCloseable[] {kafka, s3}) {
            try {
                node.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e); // the nodes' close() throws no checked exception
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    static Path kafkaDir(Path stateDir) {
        return stateDir.resolve(KafkaNode.NAME);
    }

    static Path s3Dir(Path stateDir) {
        return stateDir.resolve(S3Node.NAME);
    }

    private static void prepare(Path dir, Options options, boolean kafka, boolean s3) {
        // Orphans first: wiping the files of a node that still runs would leave it writing into nothing.
        if (kafka) {
            NodeProcess.reapOrphan(KafkaNode.NAME, kafkaDir(dir));
        }
        if (s3) {
            NodeProcess.reapOrphan(S3Node.NAME, s3Dir(dir));
        }
        if (options.cleanStart()) {
            if (kafka) {
                deleteRecursively(kafkaDir(dir));
            }
            if (s3) {
                deleteRecursively(s3Dir(dir));
            }
        }
    }

    private record StartedNodes(KafkaNode kafka, S3Node s3) {
    }

    /**
     * Starts s3 on a second thread while kafka starts on this one (about 2 s and 4-6 s on two cores);
     * if either fails, the other is stopped again. A null supplier means: leave that node alone.
     */
    private static StartedNodes startNodes(Supplier<KafkaNode> kafkaStart, Supplier<S3Node> s3Start) {
        CompletableFuture<S3Node> s3 = s3Start == null
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(s3Start, task -> {
                    Thread thread = new Thread(task, "verdant-start-s3");
                    thread.setDaemon(true);
                    thread.start();
                });
        KafkaNode kafka;
        try {
            kafka = kafkaStart == null ? null : kafkaStart.get();
        } catch (RuntimeException e) {
            try {
                S3Node started = s3.join();
                if (started != null) {
                    started.close();
                }
            } catch (CompletionException | LocalInfrastructureException s3Failure) {
                e.addSuppressed(s3Failure.getCause() != null ? s3Failure.getCause() : s3Failure);
            }
            throw e;
        }
        try {
            return new StartedNodes(kafka, s3.join());
        } catch (CompletionException e) {
            if (kafka != null) {
                kafka.close();
            }
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + " for a clean start", e);
        }
    }

    private static NodeStatus nodeStatus(String name, Optional<NodeRecord> record, String endpointKey) {
        if (record.isEmpty()) {
            return new NodeStatus(name, NodeStatus.State.STOPPED, -1, null, null);
        }
        NodeRecord r = record.get();
        NodeStatus.State state = r.liveProcess().isPresent() ? NodeStatus.State.RUNNING : NodeStatus.State.EXITED;
        return new NodeStatus(name, state, r.process().pid(), r.endpoint().get(endpointKey), r.logFile());
    }
}
