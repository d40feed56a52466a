package dev.verdant.cli;

import dev.verdant.infra.ChildProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs each service as its own detached JVM (own session via setsid, so Ctrl-C in the terminal that
 * ran {@code verdant up} does not stop it), with its log in {@code <workspace>/logs/<service>.log} and
 * its pid and start time in {@code <workspace>/services/<service>.pid}. The start time guards against
 * a recycled pid: a process is ours only if both match.
 */
final class ServiceProcesses {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Path workspace;
    private final Path home;

    ServiceProcesses(Path workspace, Path home) {
        this.workspace = workspace;
        this.home = home;
    }

    record Running(ServiceCatalog.Service service, long pid, Instant started) {
    }

    Optional<Running> running(ServiceCatalog.Service service) {
        Path pidFile = pidFile(service);
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            String[] parts = Files.readString(pidFile).trim().split(" ");
            long pid = Long.parseLong(parts[0]);
            Instant started = Instant.parse(parts[1]);
            return ProcessHandle.of(pid)
                    .filter(ChildProcesses::isRunning)
                    .filter(h -> h.info().startInstant().map(s -> Duration.between(s, started).abs().toSeconds() < 2)
                            .orElse(false))
                    .map(h -> new Running(service, pid, started));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts the service unless it runs from its current build (one started before the last build
     * is restarted, so a rebuilt service is never left running old code); returns once it is ready.
     */
    Running start(ServiceCatalog.Service service, Endpoints endpoints) {
        Optional<Running> current = running(service);
        if (current.isPresent()) {
            if (!builtAfter(service, current.get().started())) {
                return current.get();
            }
            stop(service);
        }
        if (!portFree(service.port())) {
            throw new CliException("port " + service.port() + " for " + service.name() + " is taken by another"
                    + " process (another Verdant? ./verdant status --workspace DIR, or ./verdant down there)");
        }
        Path log = workspace.resolve("logs").resolve(service.name() + ".log");
        try {
            Files.createDirectories(log.getParent());
            Files.createDirectories(pidFile(service).getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(setsid))) {
                command.add(setsid);
                break;
            }
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + service.maxHeap(), "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-jar", service.jar(home).toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", endpoints.kafkaBootstrapServers());
        env.put("VERDANT_S3_ENDPOINT", endpoints.s3Endpoint());
        env.put("VERDANT_S3_ACCESS_KEY", endpoints.accessKey());
        env.put("VERDANT_S3_SECRET_KEY", endpoints.secretKey());
        // PyTorch's OpenMP threads (distillation) otherwise spin while waiting: on a busy 2-core machine
        // that made a training step about 4x slower (docs/distillation.md). The user's own value wins.
        env.putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        env.put("VERDANT_S3_BUCKET", endpoints.bucket());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(service.port()));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CliException("cannot start " + service.name() + ": " + e.getMessage());
        }
        ProcessHandle handle = process.toHandle();
        Instant started = handle.info().startInstant().orElse(Instant.now());
        try {
            Files.writeString(pidFile(service), handle.pid() + " " + started + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady(service, process, log);
        return new Running(service, handle.pid(), started);
    }

    private static boolean portFree(int port) {
        try (var socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean builtAfter(ServiceCatalog.Service service, Instant started) {
        try {
            return Files.getLastModifiedTime(service.jar(home)).toInstant().isAfter(started);
        } catch (IOException e) {
            return false;
        }
    }

    private void awaitReady(ServiceCatalog.Service service, Process process, Path log) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + service.port() + "/q/health/ready");
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new CliException(service.name() + " exited during start-up (code " + process.exitValue()
                        + "); its log " + log + " ends with:\n" + tail(log));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted while waiting for " + service.name());
            }
            sleep(300);
        }
        throw new CliException(service.name() + " did not report ready on " + ready + " within "
                + READY_TIMEOUT.toSeconds() + " s; its log " + log + " ends with:\n" + tail(log));
    }

    /** SIGTERM (Quarkus shuts down cleanly, committing offsets), SIGKILL after a grace period. */
    boolean stop(ServiceCatalog.Service service) {
        Optional<Running> running = running(service);
        boolean stopped = false;
        if (running.isPresent()) {
            stopped = ProcessHandle.of(running.get().pid())
                    .map(handle -> ChildProcesses.terminate(handle, service.name(), STOP_GRACE))
                    .orElse(false);
        }
        try {
            Files.deleteIfExists(pidFile(service));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return stopped;
    }

    Path logFile(ServiceCatalog.Service service) {
        return workspace.resolve("logs").resolve(service.name() + ".log");
    }

    private Path pidFile(ServiceCatalog.Service service) {
        return workspace.resolve("services").resolve(service.name() + ".pid");
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
