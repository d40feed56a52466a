package dev.verdant.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One S3-compatible server: s3proxy over a local directory ({@code blobs/} in its data directory;
 * one folder per bucket), in a child JVM on 127.0.0.1. Requests must be signed (AWS V2 or V4)
 * with the access and secret key; unsigned ones get 403. Objects survive restarts.
 */
public final class S3Node implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(S3Node.class.getName());
    static final String NAME = "s3";
    private static final int PORT_ATTEMPTS = 3;

    /**
     * @param port         HTTP port; 0 picks a free one
     * @param accessKey    the identity clients sign with
     * @param secretKey    the credential clients sign with
     * @param maxHeap      the child's -Xmx, e.g. {@code 256m}; objects are streamed, not held
     * @param startTimeout how long to wait for the HTTP port to answer
     */
    public record Options(int port, String accessKey, String secretKey, String maxHeap, Duration startTimeout) {

        public Options {
            LoopbackPorts.checkPort(port, "port");
            requireText(accessKey, "accessKey");
            requireText(secretKey, "secretKey");
            JvmHeap.check(maxHeap);
            Objects.requireNonNull(startTimeout, "startTimeout");
        }

        /** Fixed, well-known local credentials: the server only listens on loopback. */
        public static Options defaults() {
            return new Options(0, "verdant", "verdant-secret", "256m", Duration.ofSeconds(60));
        }

        public Options withPort(int port) {
            return new Options(port, accessKey, secretKey, maxHeap, startTimeout);
        }

        public Options withCredentials(String accessKey, String secretKey) {
            return new Options(port, accessKey, secretKey, maxHeap, startTimeout);
        }

        public Options withMaxHeap(String maxHeap) {
            return new Options(port, accessKey, secretKey, maxHeap, startTimeout);
        }

        public Options withStartTimeout(Duration startTimeout) {
            return new Options(port, accessKey, secretKey, maxHeap, startTimeout);
        }

        /** Keeps the secret out of logs. */
        @Override
        public String toString() {
            return "Options[port=" + port + ", accessKey=" + accessKey + ", secretKey=***, maxHeap=" + maxHeap
                    + ", startTimeout=" + startTimeout + "]";
        }

        private static void requireText(String value, String what) {
            if (value == null || value.isBlank() || value.chars().anyMatch(c -> c <= ' ' || c == '\\')) {
                throw new IllegalArgumentException(what + " must be non-empty, without spaces or backslashes");
            }
        }
    }

    private final Path dataDir;
    private final int port;
    private final Options options;
    private final NodeProcess process;

    private S3Node(Path dataDir, int port, Options options, NodeProcess process) {
        this.dataDir = dataDir;
        this.port = port;
        this.options = options;
        this.process = process;
    }

    /**
     * Starts s3proxy and waits until its HTTP port answers.
     *
     * @throws StateDirectoryInUseException when a node someone else owns runs in {@code dataDir}
     * @throws LocalInfrastructureException when it does not start; the message carries the log's tail
     */
    public static S3Node start(Path dataDir, Options options, Lifecycle lifecycle) {
        Path dir = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir.resolve("blobs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        NodeProcess.reapOrphan(NAME, dir);
        if (options.port() != 0 && !LoopbackPorts.isFree(options.port())) {
            throw new LocalInfrastructureException("cannot start s3: port " + options.port() + " on "
                    + LoopbackPorts.HOST + " is already in use");
        }
        ServerClasspath classpath = ServerClasspath.load("s3-server");
        Path loggingConfig = classpath.copyResource("s3-server-logback.xml", dir.resolve("logback.xml"));
        Path logFile = dir.resolve("s3proxy.log");
        long startedAt = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            int port = LoopbackPorts.resolve(options.port());
            Path properties = writeProperties(dir, port, options);
            NodeProcess process = NodeProcess.launch(NAME, dir, logFile, new NodeProcess.Command(
                    List.of("-Xmx" + options.maxHeap(), "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                            "-Djava.awt.headless=true", "-Dlogback.configurationFile=" + loggingConfig),
                    classpath, "org.gaul.s3proxy.Main", List.of("--properties", properties.toString())), lifecycle);
            String endpoint = "http://" + LoopbackPorts.HOST + ":" + port;
            try {
                process.awaitReady(options.startTimeout(), () -> answersHttp(endpoint));
            } catch (LocalInfrastructureException e) {
                process.stop(NodeProcess.DEFAULT_STOP_GRACE);
                if (options.port() == 0 && attempt < PORT_ATTEMPTS && NodeProcess.failedToBind(logFile)) {
                    LOG.log(Level.INFO, "s3 lost the port it picked to another process; retrying with another");
                    continue;
                }
                throw e;
            }
            process.writeRecord(Map.of("endpoint", endpoint, "port", Integer.toString(port),
                    "access-key", options.accessKey(), "secret-key", options.secretKey()));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
            LOG.log(Level.INFO, () -> "s3 ready at " + endpoint + " in " + millis + " ms (pid "
                    + process.pid() + ", " + lifecycle.name().toLowerCase() + ", log " + logFile + ")");
            return new S3Node(dir, port, options, process);
        }
    }

    /** {@code http://127.0.0.1:port}. */
    public String endpoint() {
        return "http://" + LoopbackPorts.HOST + ":" + port;
    }

    public String accessKey() {
        return options.accessKey();
    }

    public String secretKey() {
        return options.secretKey();
    }

    public int port() {
        return port;
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

    /** Stops the server: SIGTERM, SIGKILL after {@code grace}. */
    public void stop(Duration grace) {
        process.stop(grace);
    }

    @Override
    public void close() {
        stop(NodeProcess.DEFAULT_STOP_GRACE);
    }

    static String properties(Path dir, int port, Options options) {
        return String.join(System.lineSeparator(),
                "# Written by Verdant's S3Node on every start: edits here are overwritten.",
                "s3proxy.endpoint=http://" + LoopbackPorts.HOST + ":" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + options.accessKey(),
                "s3proxy.credential=" + options.secretKey(),
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("blobs").toString().replace("\\", "\\\\"),
                "");
    }

    private static Path writeProperties(Path dir, int port, Options options) {
        Path file = dir.resolve("s3proxy.properties");
        try {
            Files.writeString(file, properties(dir, port, options), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Any HTTP answer counts (an unsigned request gets 403): Jetty is serving. */
    private static boolean answersHttp(String endpoint) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint + "/").toURL().openConnection();
        connection.setConnectTimeout(500);
        connection.setReadTimeout(2_000);
        try {
            return connection.getResponseCode() > 0;
        } finally {
            connection.disconnect();
        }
    }
}
