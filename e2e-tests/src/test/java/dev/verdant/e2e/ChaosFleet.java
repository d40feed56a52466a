package dev.verdant.e2e;

import dev.verdant.events.Topics;
import dev.verdant.infra.KafkaNode;
import dev.verdant.infra.KafkaTopics;
import dev.verdant.infra.Lifecycle;
import dev.verdant.infra.S3Node;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Verdant as the chaos tests need it: Kafka and S3 each in its own child JVM on fixed ports (so
 * either can be stopped and started again where the services expect it), and the six packaged
 * services ({@code services/*}/target/quarkus-app) each as its own JVM, exactly as {@code verdant up}
 * runs them, but on free HTTP ports (another Verdant on this machine is left alone) and with handles
 * to kill -9 and restart any of them. One fleet per test JVM ({@link #shared()}), shared by the chaos
 * test classes; each class submits its own runs.
 *
 * <p>Test-only settings, passed as system properties: evaluation measures latency quickly
 * ({@code quick}); the carbon service sweeps every 2 s and waits 5 s for late usage; consumers'
 * Kafka session timeout is 10 s instead of 45 s, so a consumer killed with -9 gives its partitions
 * up after 10 s (the figure that bounds how fast a run resumes after a crash).
 */
final class ChaosFleet {
    /** Service, heap: as {@code verdant up} (cli ServiceCatalog). */
    static final Map<String, String> SERVICES = servicesInOrder();
    static final Duration READY = Duration.ofSeconds(120);
    static final String SESSION_TIMEOUT_MS = "10000";

    private static ChaosFleet shared;

    final Path dir;
    final Path home;
    private final int kafkaPort;
    private final int kafkaControllerPort;
    private final int s3Port;
    private KafkaNode kafka;
    private S3Node s3;
    private final Map<String, Integer> httpPorts = new LinkedHashMap<>();
    private final Map<String, Process> processes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Cli cli;

    private static Map<String, String> servicesInOrder() {
        Map<String, String> services = new LinkedHashMap<>();
        services.put("ingest", "384m");
        services.put("evaluation", "768m");
        services.put("quantization", "1g");
        services.put("pruning", "1g");
        services.put("distillation", "1g");
        services.put("carbon", "256m");
        return services;
    }

    private ChaosFleet(Path dir) {
        this.dir = dir;
        this.home = Path.of(System.getProperty("verdant.home", "..")).toAbsolutePath().normalize();
        this.kafkaPort = freePort();
        this.kafkaControllerPort = freePort();
        this.s3Port = freePort();
        for (String service : SERVICES.keySet()) {
            httpPorts.put(service, freePort());
        }
        this.cli = new Cli(dir.resolve("workspace"));
    }

    /** Test classes using the fleet now: when the last lets go and no other takes it within 3 s, it stops. */
    private static int users;

    /** For a test class's @BeforeAll: the shared fleet, started if needed. Pair with {@link #release()}. */
    static synchronized ChaosFleet acquire() {
        users++;
        return shared();
    }

    /**
     * For a test class's @AfterAll. The chaos classes run one after another in one JVM; the next one
     * takes the fleet within milliseconds, while a test class that does not use it (the MiniLM journey)
     * gets a machine without it.
     */
    static synchronized void release() {
        users--;
        if (users == 0) {
            Thread closer = new Thread(() -> {
                Journeys.sleep(3_000);
                closeIfUnused();
            }, "chaos-fleet-release");
            closer.setDaemon(false);
            closer.start();
        }
    }

    private static synchronized void closeIfUnused() {
        if (users == 0 && shared != null) {
            long t0 = System.nanoTime();
            shared.stopAll(Duration.ofSeconds(15));
            shared.kafka.close();
            shared.s3.close();
            System.out.printf("chaos fleet stopped in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            shared = null;
        }
    }

    /** The fleet of this test JVM, started on first use; stopped when released or when the JVM exits. */
    static synchronized ChaosFleet shared() {
        if (shared == null) {
            Path dir = Models.e2eDir().resolve("chaos");
            Journeys.deleteRecursively(dir);
            ChaosFleet fleet = new ChaosFleet(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(fleet::stopServicesQuietly, "chaos-fleet-stop"));
            long t0 = System.nanoTime();
            fleet.startInfrastructure();
            KafkaTopics.create(fleet.kafkaBootstrapServers(), Topics.ALL, 2, Topics.CONFIGS);
            Journeys.writeEndpoints(fleet.cli.workspace(), fleet.kafkaBootstrapServers(), fleet.s3.endpoint(),
                    fleet.s3.accessKey(), fleet.s3.secretKey(), "verdant");
            try (ArtifactStore store = fleet.store()) {
                store.ensureBucket();
            }
            fleet.startAll();
            System.out.printf("chaos fleet: Kafka, S3 and 6 services ready in %.1f s (%s)%n",
                    (System.nanoTime() - t0) / 1e9, dir);
            shared = fleet;
        }
        return shared;
    }

    Cli cli() {
        return cli;
    }

    String kafkaBootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    ArtifactStore store() {
        return new ArtifactStore(new S3Settings("http://127.0.0.1:" + s3Port, "verdant", "verdant-secret", "verdant",
                "us-east-1"));
    }

    Path log(String service) {
        return dir.resolve("logs").resolve(service + ".log");
    }

    /** Where a service makes its per-job scratch folders (named after the run): a job runs while one exists. */
    Path workDir(String service) {
        // Each service adds verdant-<service> below the configured folder (carbon makes none).
        return dir.resolve("work").resolve(service).resolve("verdant-" + service);
    }

    // ---- infrastructure ----------------------------------------------------------------------------

    private void startInfrastructure() {
        startKafka();
        startS3();
    }

    void startKafka() {
        kafka = KafkaNode.start(dir.resolve("kafka"), KafkaNode.Options.defaults().withPort(kafkaPort)
                .withControllerPort(kafkaControllerPort), Lifecycle.ATTACHED);
    }

    void stopKafka() {
        kafka.stop(Duration.ofSeconds(20));
    }

    void startS3() {
        s3 = S3Node.start(dir.resolve("s3"), S3Node.Options.defaults().withPort(s3Port), Lifecycle.ATTACHED);
    }

    void stopS3() {
        s3.stop(Duration.ofSeconds(10));
    }

    // ---- services ----------------------------------------------------------------------------------

    void startAll() {
        List<String> names = new ArrayList<>(SERVICES.keySet());
        // Launch all, then wait: on two cores the JVMs start in about the time of the slowest.
        for (String name : names) {
            launch(name);
        }
        for (String name : names) {
            awaitReady(name);
        }
    }

    /** Starts the service and returns once it says it is ready. */
    void start(String service) {
        launch(service);
        awaitReady(service);
    }

    private void launch(String service) {
        Path jar = home.resolve("services").resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the service first (./mvnw package -pl services/"
                    + service + " -am -DskipTests)");
        }
        Path log = log(service);
        Path work = dir.resolve("work").resolve(service);
        try {
            Files.createDirectories(log.getParent());
            Files.createDirectories(workDir(service));
            Files.writeString(log, "===== chaos: starting " + service + " at " + Instant.now() + " =====\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + SERVICES.get(service), "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-Dkafka.session.timeout.ms=" + SESSION_TIMEOUT_MS));
        // Each service only gets its own settings: a config mapping may refuse keys it does not know.
        switch (service) {
            case "ingest" -> command.addAll(List.of("-Dverdant.ingest.work-dir=" + work,
                    "-Dverdant.ingest.poller.interval=500ms"));
            case "evaluation" -> command.addAll(List.of("-Dverdant.evaluation.work-dir=" + work,
                    "-Dverdant.evaluation.latency=quick"));
            case "carbon" -> command.addAll(List.of("-Dverdant.carbon.sweep-interval=PT2S",
                    "-Dverdant.carbon.usage-settle=PT5S"));
            default -> command.add("-Dverdant.technique.work-dir=" + work);
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers());
        env.put("VERDANT_S3_ENDPOINT", "http://127.0.0.1:" + s3Port);
        env.put("VERDANT_S3_ACCESS_KEY", "verdant");
        env.put("VERDANT_S3_SECRET_KEY", "verdant-secret");
        env.put("VERDANT_S3_BUCKET", "verdant");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPorts.get(service)));
        env.putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        try {
            processes.put(service, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + service, e);
        }
    }

    private void awaitReady(String service) {
        Process process = processes.get(service);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + httpPorts.get(service) + "/q/health/ready");
        Instant deadline = Instant.now().plus(READY);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service + " exited while starting (code " + process.exitValue()
                        + "); see " + log(service));
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + service);
            }
            Journeys.sleep(200);
        }
        throw new IllegalStateException(service + " was not ready within " + READY.toSeconds() + " s; see " + log(service));
    }

    long pid(String service) {
        return processes.get(service).pid();
    }

    boolean alive(String service) {
        Process p = processes.get(service);
        return p != null && p.isAlive();
    }

    /** kill -9: no shutdown hook, no offset commit, no flush. */
    void kill9(String service) {
        Process process = processes.get(service);
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(service + " survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, as verdant down does; SIGKILL after {@code grace}. @return seconds it took to exit */
    double stop(String service, Duration grace) {
        Process process = processes.get(service);
        if (process == null || !process.isAlive()) {
            return 0;
        }
        long t0 = System.nanoTime();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                System.out.printf("%s did not stop within %d s of SIGTERM: killed%n", service, grace.toSeconds());
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    void stopAll(Duration grace) {
        for (String service : SERVICES.keySet()) {
            stop(service, grace);
        }
    }

    private void stopServicesQuietly() {
        for (Process p : processes.values()) {
            p.destroyForcibly();
        }
    }

    /** VmRSS of the service now, in MB; -1 when unreadable. */
    long rssMb(String service) {
        return procStatusMb(pid(service), "VmRSS:");
    }

    static long procStatusMb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** Heap used and committed after a full GC is not forced: jcmd GC.heap_info, e.g. "used 83 MB of 120 MB". */
    Optional<String> heapInfo(String service) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid(service)), "GC.heap_info")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(20, TimeUnit.SECONDS);
            // Serial GC: "def new generation total 9216K, used 3391K ..." and "tenured generation total 20480K, used 11264K"
            long total = 0;
            long used = 0;
            var m = java.util.regex.Pattern.compile("generation\\s+total (\\d+)K, used (\\d+)K").matcher(out);
            while (m.find()) {
                total += Long.parseLong(m.group(1));
                used += Long.parseLong(m.group(2));
            }
            return total == 0 ? Optional.empty() : Optional.of("heap used " + used / 1024 + " MB of " + total / 1024
                    + " MB committed");
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    // ---- consumer groups ---------------------------------------------------------------------------

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    /** The services' consumer groups (verdant-SERVICE) that exist on the broker. */
    List<String> groups(Admin admin) throws Exception {
        List<String> ours = SERVICES.keySet().stream().map(s -> "verdant-" + s).toList();
        return admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                .map(ConsumerGroupListing::groupId).filter(ours::contains).sorted().toList();
    }

    /**
     * Moves every partition each group has committed back to the partition's first offset. The group
     * must have no members (the services stopped), as with kafka-consumer-groups --reset-offsets.
     *
     * @return records each group will read again
     */
    Map<String, Long> resetGroupsToEarliest() throws Exception {
        Map<String, Long> replayed = new LinkedHashMap<>();
        try (Admin admin = admin()) {
            for (String group : groups(admin)) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
                committed.keySet().forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> first = admin.listOffsets(earliest).all()
                        .get(30, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetAndMetadata> reset = new HashMap<>();
                long records = 0;
                for (var e : committed.entrySet()) {
                    if (e.getValue() == null) {
                        continue;
                    }
                    long start = first.get(e.getKey()).offset();
                    records += e.getValue().offset() - start;
                    reset.put(e.getKey(), new OffsetAndMetadata(start));
                }
                // A group whose members have only just left may still be marked non-empty: ask again.
                for (int attempt = 1; ; attempt++) {
                    try {
                        admin.alterConsumerGroupOffsets(group, reset).all().get(30, TimeUnit.SECONDS);
                        break;
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (attempt == 15) {
                            throw e;
                        }
                        Journeys.sleep(2_000);
                    }
                }
                replayed.put(group, records);
            }
        }
        return replayed;
    }

    /** Records not yet committed by the group, summed over its partitions (end offset - committed). */
    long lag(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        var end = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        long lag = 0;
        for (var e : committed.entrySet()) {
            lag += e.getValue() == null ? 0 : end.get(e.getKey()).offset() - e.getValue().offset();
        }
        return lag;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
