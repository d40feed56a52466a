package dev.verdant.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * One Apache Kafka node in KRaft mode, broker and controller in one child JVM, listening on
 * 127.0.0.1 only. Its data directory holds the log segments ({@code data/}), the generated
 * {@code server.properties}, the log file {@code kafka.log} and, while it runs, its state file.
 *
 * <p>Storage is formatted on the first start and kept afterwards; a later start may use other
 * ports (the single voter finds itself by id).
 */
public final class KafkaNode implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KafkaNode.class.getName());
    static final String NAME = "kafka";
    private static final int PORT_ATTEMPTS = 3;

    /**
     * @param port              PLAINTEXT listener (clients); 0 picks a free one
     * @param controllerPort    CONTROLLER listener (KRaft quorum); 0 picks a free one
     * @param maxHeap           the child's -Xmx, e.g. {@code 512m}
     * @param defaultPartitions partitions of auto-created topics ({@code num.partitions}); more than
     *                          one, so that consumers in one group can share a topic
     * @param startTimeout      how long to wait for the broker to answer
     */
    public record Options(int port, int controllerPort, String maxHeap, int defaultPartitions, Duration startTimeout) {

        public Options {
            LoopbackPorts.checkPort(port, "port");
            LoopbackPorts.checkPort(controllerPort, "controllerPort");
            if (port != 0 && port == controllerPort) {
                throw new IllegalArgumentException("port and controllerPort must differ, both were " + port);
            }
            JvmHeap.check(maxHeap);
            if (defaultPartitions < 1) {
                throw new IllegalArgumentException("defaultPartitions must be at least 1, was " + defaultPartitions);
            }
            Objects.requireNonNull(startTimeout, "startTimeout");
        }

        public static Options defaults() {
            return new Options(0, 0, "512m", 2, Duration.ofSeconds(90));
        }

        public Options withPort(int port) {
            return new Options(port, controllerPort, maxHeap, defaultPartitions, startTimeout);
        }

        public Options withControllerPort(int controllerPort) {
            return new Options(port, controllerPort, maxHeap, defaultPartitions, startTimeout);
        }

        public Options withMaxHeap(String maxHeap) {
            return new Options(port, controllerPort, maxHeap, defaultPartitions, startTimeout);
        }

        public Options withDefaultPartitions(int defaultPartitions) {
            return new Options(port, controllerPort, maxHeap, defaultPartitions, startTimeout);
        }

        public Options withStartTimeout(Duration startTimeout) {
            return new Options(port, controllerPort, maxHeap, defaultPartitions, startTimeout);
        }
    }

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final NodeProcess process;

    private KafkaNode(Path dataDir, int port, int controllerPort, NodeProcess process) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.process = process;
    }

    /**
     * Formats the storage if needed, starts the broker and waits until it answers an AdminClient.
     *
     * @throws StateDirectoryInUseException when a node someone else owns runs in {@code dataDir}
     * @throws LocalInfrastructureException when it does not start; the message carries the log's tail
     */
    public static KafkaNode start(Path dataDir, Options options, Lifecycle lifecycle) {
        Path dir = dataDir.toAbsolutePath().normalize();
        createDirectories(dir);
        NodeProcess.reapOrphan(NAME, dir);
        for (int fixed : new int[] {options.port(), options.controllerPort()}) {
            if (fixed != 0 && !LoopbackPorts.isFree(fixed)) {
                throw new LocalInfrastructureException("cannot start kafka: port " + fixed + " on "
                        + LoopbackPorts.HOST + " is already in use");
            }
        }
        ServerClasspath classpath = ServerClasspath.load("kafka-server");
        Path loggingConfig = classpath.copyResource("kafka-server-log4j2.properties", dir.resolve("log4j2.properties"));
        Path logFile = dir.resolve("kafka.log");
        boolean picksPorts = options.port() == 0 || options.controllerPort() == 0;
        long startedAt = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            int[] free = LoopbackPorts.pickFree(4);
            int port = options.port() != 0 ? options.port() : firstOtherThan(free, options.controllerPort());
            int controllerPort = options.controllerPort() != 0
                    ? options.controllerPort() : firstOtherThan(free, options.port(), port);
            Path serverProperties = writeServerProperties(dir, port, controllerPort, options.defaultPartitions());
            formatStorageIfNeeded(dir, serverProperties, classpath, loggingConfig, logFile);

            NodeProcess process = NodeProcess.launch(NAME, dir, logFile, new NodeProcess.Command(
                    List.of("-Xmx" + options.maxHeap(), "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                            "-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + loggingConfig),
                    classpath, "kafka.Kafka", List.of(serverProperties.toString())), lifecycle);
            String bootstrapServers = LoopbackPorts.HOST + ":" + port;
            try (BrokerProbe probe = new BrokerProbe(port, bootstrapServers)) {
                process.awaitReady(options.startTimeout(), probe);
            } catch (LocalInfrastructureException e) {
                process.stop(NodeProcess.DEFAULT_STOP_GRACE);
                if (picksPorts && attempt < PORT_ATTEMPTS && NodeProcess.failedToBind(logFile)) {
                    LOG.log(Level.INFO, "kafka lost a port it picked to another process; retrying with other ports");
                    continue;
                }
                throw e;
            }
            process.writeRecord(Map.of("bootstrap-servers", bootstrapServers,
                    "port", Integer.toString(port), "controller-port", Integer.toString(controllerPort)));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
            LOG.log(Level.INFO, () -> "kafka ready at " + bootstrapServers + " in " + millis + " ms (pid "
                    + process.pid() + ", " + lifecycle.name().toLowerCase() + ", log " + logFile + ")");
            return new KafkaNode(dir, port, controllerPort, process);
        }
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return LoopbackPorts.HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public long pid() {
        return process.pid();
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return process.logFile();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Creates the topics that do not exist yet, with replication factor 1. */
    public void createTopics(Collection<String> names, int partitions) {
        KafkaTopics.create(bootstrapServers(), names, partitions);
    }

    /** Stops the broker: SIGTERM (controlled shutdown), SIGKILL after {@code grace}. */
    public void stop(Duration grace) {
        process.stop(grace);
    }

    @Override
    public void close() {
        stop(NodeProcess.DEFAULT_STOP_GRACE);
    }

    /**
     * The broker's configuration, rewritten on every start. Replication factors and min ISR are 1
     * because there is one broker; consumer groups start without the default 3 s rebalance delay.
     */
    static String serverProperties(Path dir, int port, int controllerPort, int defaultPartitions) {
        String host = LoopbackPorts.HOST;
        String logDirs = dir.resolve("data").toString().replace("\\", "\\\\");
        return String.join(System.lineSeparator(),
                "# Written by Verdant's KafkaNode on every start: edits here are overwritten.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=" + host + ":" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + logDirs,
                "num.partitions=" + defaultPartitions,
                "auto.create.topics.enable=true",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                // 50 by default: creating them costs seconds when the first consumer group of a
                // fresh broker commits, and one local broker gains nothing from them.
                "offsets.topic.num.partitions=5",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=5",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    private static Path writeServerProperties(Path dir, int port, int controllerPort, int defaultPartitions) {
        Path file = dir.resolve("server.properties");
        try {
            Files.writeString(file, serverProperties(dir, port, controllerPort, defaultPartitions), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * KRaft storage must be formatted once with a cluster id; {@code --standalone} makes this node the
     * single voter of the metadata quorum. A formatted directory has {@code meta.properties}.
     */
    private static void formatStorageIfNeeded(Path dir, Path serverProperties, ServerClasspath classpath,
                                              Path loggingConfig, Path logFile) {
        if (Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        NodeProcess.runTool("kafka storage format", dir, logFile, new NodeProcess.Command(
                // A short-lived tool: C1 only starts faster.
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                        "-Dlog4j2.configurationFile=" + loggingConfig),
                classpath, "kafka.tools.StorageTool",
                List.of("format", "--standalone", "-t", clusterId, "-c", serverProperties.toString())),
                Duration.ofSeconds(60));
    }

    private static int firstOtherThan(int[] candidates, int... taken) {
        outer:
        for (int candidate : candidates) {
            for (int t : taken) {
                if (candidate == t) {
                    continue outer;
                }
            }
            return candidate;
        }
        throw new IllegalStateException("no free port left among the candidates");
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** Ready means: the port accepts connections and the broker answers describeCluster. */
    private static final class BrokerProbe implements NodeProcess.Probe, AutoCloseable {

        private final int port;
        private final String bootstrapServers;
        private Admin admin;

        BrokerProbe(int port, String bootstrapServers) {
            this.port = port;
            this.bootstrapServers = bootstrapServers;
        }

        @Override
        public boolean ready() throws Exception {
            if (!LoopbackPorts.isAcceptingConnections(port)) {
                return false;
            }
            if (admin == null) {
                // Created only once the port answers, so it does not log connection failures.
                admin = Admin.create(Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                        AdminClientConfig.CLIENT_ID_CONFIG, "verdant-readiness",
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000));
            }
            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        }

        @Override
        public void close() {
            if (admin != null) {
                admin.close(Duration.ofSeconds(2));
            }
        }
    }
}
