package dev.verdant.infra;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The state file of a running node ({@code node.properties} in its data directory), and a plain
 * {@code <name>.pid} beside it for shell users. It lets a later JVM find, check and stop the node.
 *
 * <p>A pid alone is not an identity: after the node dies the OS may give the number to another
 * process. The start instant of the process is recorded too, and a pid only counts as the node
 * when both match.
 *
 * @param owner     the JVM that started the node; for {@link Lifecycle#ATTACHED} nodes, an owner that
 *                  no longer runs means the node is an orphan
 * @param endpoint  what clients need (bootstrap servers, URL, credentials), keyed by name
 */
record NodeRecord(String name, ProcessId process, Lifecycle lifecycle, ProcessId owner, Path logFile,
                  Map<String, String> endpoint) {

    static final String FILE_NAME = "node.properties";

    /** A pid plus the instant the process started, which tells a reused pid apart. */
    record ProcessId(long pid, Instant startedAt) {

        /** Start instants read by two JVMs may differ by the clock-tick rounding of the OS. */
        private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

        static ProcessId of(ProcessHandle handle) {
            return new ProcessId(handle.pid(), handle.info().startInstant().orElse(null));
        }

        static ProcessId current() {
            return of(ProcessHandle.current());
        }

        /** The live process with this identity, if any. */
        Optional<ProcessHandle> live() {
            return ProcessHandle.of(pid).filter(NodeProcess::isRunning).filter(this::sameStart);
        }

        private boolean sameStart(ProcessHandle handle) {
            Optional<Instant> actual = handle.info().startInstant();
            if (startedAt == null || actual.isEmpty()) {
                return true; // the OS does not tell: trust the pid
            }
            return Duration.between(startedAt, actual.get()).abs().compareTo(START_TOLERANCE) <= 0;
        }
    }

    NodeRecord {
        endpoint = Map.copyOf(endpoint);
    }

    static Path file(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    static Path pidFile(Path dataDir, String name) {
        return dataDir.resolve(name + ".pid");
    }

    void write(Path dataDir) {
        Properties properties = new Properties();
        properties.setProperty("name", name);
        properties.setProperty("pid", Long.toString(process.pid()));
        if (process.startedAt() != null) {
            properties.setProperty("started-at", process.startedAt().toString());
        }
        properties.setProperty("lifecycle", lifecycle.name().toLowerCase());
        properties.setProperty("owner.pid", Long.toString(owner.pid()));
        if (owner.startedAt() != null) {
            properties.setProperty("owner.started-at", owner.startedAt().toString());
        }
        properties.setProperty("log-file", logFile.toString());
        new TreeMap<>(endpoint).forEach((key, value) -> properties.setProperty("endpoint." + key, value));
        try {
            Path target = file(dataDir);
            Path temp = Files.createTempFile(dataDir, FILE_NAME, ".tmp");
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                // It holds the S3 secret key: readable by its owner only.
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            }
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                properties.store(writer, "Verdant local " + name + " node; written on start, removed on stop");
            }
            try {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(pidFile(dataDir, name), process.pid() + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the state of " + name + " into " + dataDir, e);
        }
    }

    static Optional<NodeRecord> read(Path dataDir) {
        Path file = file(dataDir);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        try {
            Map<String, String> endpoint = new TreeMap<>();
            for (String key : properties.stringPropertyNames()) {
                if (key.startsWith("endpoint.")) {
                    endpoint.put(key.substring("endpoint.".length()), properties.getProperty(key));
                }
            }
            return Optional.of(new NodeRecord(
                    required(properties, "name"),
                    new ProcessId(Long.parseLong(required(properties, "pid")), instant(properties, "started-at")),
                    Lifecycle.valueOf(required(properties, "lifecycle").toUpperCase()),
                    new ProcessId(Long.parseLong(required(properties, "owner.pid")),
                            instant(properties, "owner.started-at")),
                    Path.of(required(properties, "log-file")),
                    endpoint));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new LocalInfrastructureException("the node state file " + file + " is damaged (" + e.getMessage()
                    + "); stop the process yourself if it still runs, then delete the file", e);
        }
    }

    static void delete(Path dataDir, String name) {
        try {
            Files.deleteIfExists(file(dataDir));
            Files.deleteIfExists(pidFile(dataDir, name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the state of " + name + " from " + dataDir, e);
        }
    }

    Optional<ProcessHandle> liveProcess() {
        return process.live();
    }

    /** An attached node whose owning JVM is gone: nobody will stop it but us. */
    boolean isOrphan() {
        return lifecycle == Lifecycle.ATTACHED && owner.live().isEmpty();
    }

    private static String required(Properties properties, String key) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("no " + key);
        }
        return value;
    }

    private static Instant instant(Properties properties, String key) {
        String value = properties.getProperty(key);
        return value == null ? null : Instant.parse(value);
    }
}
