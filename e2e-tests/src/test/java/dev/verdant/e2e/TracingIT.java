package dev.verdant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.e2e.OtlpReceiver.ReceivedSpan;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.RunReported;
import dev.verdant.events.Topics;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VerdantEvent;
import dev.verdant.infra.InfraEndpoints;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import dev.verdant.testsupport.SharedLocalInfrastructure;
import dev.verdant.testsupport.WithLocalInfrastructure;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One run is one trace across the services: ingest, quantization, evaluation and carbon accounting
 * run as four packaged services (target/quarkus-app, as {@code verdant up} starts them), each its
 * own JVM, against real Kafka and S3 (s3proxy), with their OTLP exporter pointed at a receiver in
 * this JVM ({@link OtlpReceiver}, what Jaeger's OTLP port does). A tiny BERT-shaped model is
 * uploaded; the test waits for its verdict, then asserts that the spans of every service's jobs for
 * that run share one trace id, that the trace is connected (every job span's parent is a span of the
 * trace), and that each service's /q/metrics counts its jobs. Then a fifth service, started as
 * {@code verdant up} starts it (no endpoint), shows that tracing is off by default: no export errors.
 */
@WithLocalInfrastructure
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TracingIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int VOCABULARY = 120;
    private static final String RECIPE = """
            apiVersion: verdant.dev/v1
            name: tracing-it
            variants:
              - name: int8
                technique: quantize
                params: { mode: dynamic-int8 }
            evaluation:
              split: test
              maxPairs: 20
              maxSequenceLength: 64
            """;

    /** name, module, heap, extra environment. */
    private record ServiceSpec(String name, String module, String heap, Map<String, String> env) {
    }

    private record Started(ServiceSpec spec, Process process, int port, Path log) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    private final String bucket = "tracing-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Started> services = new ArrayList<>();
    private final Map<String, Double> timings = new LinkedHashMap<>();
    private OtlpReceiver receiver;
    private ArtifactStore store;
    private Path dir;

    @BeforeAll
    void startServices(InfraEndpoints infra) throws IOException {
        long t0 = System.nanoTime();
        SharedLocalInfrastructure.createTopics(Topics.ALL, 1);
        dir = Path.of(System.getProperty("verdant.e2e.dir", "target/e2e"), "tracing");
        Journeys.deleteRecursively(dir);
        Files.createDirectories(dir);
        receiver = new OtlpReceiver();
        store = new ArtifactStore(new S3Settings(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), bucket));
        store.ensureBucket();
        List<ServiceSpec> specs = List.of(
                new ServiceSpec("ingest", "services/ingest", "384m", Map.of("VERDANT_INGEST_POLLER_INTERVAL", "500ms")),
                new ServiceSpec("quantization", "services/quantization", "768m",
                        Map.of("VERDANT_TECHNIQUE_WORK_DIR", dir.resolve("work").toString())),
                new ServiceSpec("evaluation", "services/evaluation", "768m",
                        Map.of("VERDANT_EVALUATION_LATENCY", "quick", "VERDANT_EVALUATION_MAX_PAIRS", "20")),
                // The report as soon as every model is evaluated: no wait for late usage.
                new ServiceSpec("carbon", "services/carbon", "256m",
                        Map.of("VERDANT_CARBON_USAGE_SETTLE", "PT0S", "VERDANT_CARBON_SWEEP_INTERVAL", "PT1S")));
        // All four start at once (about as long as the slowest alone), then each must say it is ready.
        for (ServiceSpec spec : specs) {
            services.add(start(spec, infra));
        }
        for (Started s : services) {
            awaitReady(s);
        }
        timings.put("Kafka + S3 + four services ready", (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    void stopServices() {
        for (Started s : services) {
            s.process().destroy(); // SIGTERM: Quarkus flushes its last spans and stops cleanly
        }
        for (Started s : services) {
            try {
                if (!s.process().waitFor(20, TimeUnit.SECONDS)) {
                    s.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (receiver != null) {
            receiver.close();
        }
        if (store != null) {
            store.close();
        }
        timings.forEach((k, v) -> System.out.printf("TracingIT: %-45s %6.1f s%n", k, v));
    }

    @Test
    @Order(1)
    void oneRunIsOneTraceAcrossTheServicesAndTheJobsAreCounted() throws Exception {
        long t0 = System.nanoTime();
        byte[] model = TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(VOCABULARY)
                .maxPositions(64).seed(17).toBytes();
        String prefix = BucketLayout.UPLOADS_PREFIX + "tracing-it/";
        store.putBytes(prefix + BucketLayout.TOKENIZER_FILE,
                WordPieceTokenizerJson.of(VOCABULARY).getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
        store.putBytes(prefix + BucketLayout.RECIPE_FILE, RECIPE.getBytes(StandardCharsets.UTF_8), "application/yaml",
                Map.of());
        store.putBytes(prefix + "model.onnx", model, "application/octet-stream", Map.of());

        RunReported report;
        String runId;
        try (KafkaConsumer<String, byte[]> consumer = consumer(List.of(Topics.MODELS_INGESTED, Topics.EVALUATIONS,
                Topics.REPORTS))) {
            ModelIngested run = await(consumer, "model.ingested", ModelIngested.class, e -> true);
            runId = run.runId();
            VariantEvaluated int8 = await(consumer, "int8 evaluated", VariantEvaluated.class,
                    e -> e.runId().equals(run.runId()) && e.variantId().equals("int8"));
            assertThat(int8.quality().examples()).isPositive();
            report = await(consumer, "the run's report", RunReported.class, e -> e.runId().equals(run.runId()));
        }
        timings.put("upload -> report", (System.nanoTime() - t0) / 1e9);

        // The spans come in batches (every 500 ms here): wait until each service's jobs are in.
        Map<String, Predicate<ReceivedSpan>> expected = new LinkedHashMap<>();
        expected.put("ingest", s -> s.service().equals("verdant-ingest") && s.name().equals("ingest"));
        expected.put("quantize int8", s -> s.service().equals("verdant-quantization")
                && s.name().equals("quantize int8"));
        expected.put("evaluate original", s -> s.service().equals("verdant-evaluation")
                && s.name().equals("evaluate original"));
        expected.put("evaluate int8", s -> s.service().equals("verdant-evaluation")
                && s.name().equals("evaluate int8"));
        expected.put("account verdant.evaluations", s -> s.service().equals("verdant-carbon")
                && s.name().equals("account verdant.evaluations"));
        String theRun = runId;
        Map<String, ReceivedSpan> jobs = awaitSpans(expected, s -> theRun.equals(s.attribute("verdant.run.id")));
        timings.put("report -> every job span received", (System.nanoTime() - t0) / 1e9
                - timings.get("upload -> report"));

        List<ReceivedSpan> all = receiver.spans();
        String traceId = jobs.get("ingest").traceId();
        System.out.println("TracingIT: run " + runId + ", trace " + traceId + ", " + receiver.requests()
                + " OTLP requests, " + all.size() + " spans; the run's job spans:");
        jobs.values().forEach(s -> System.out.println("  " + s));
        System.out.println("TracingIT: every span of that trace, by service: " + all.stream()
                .filter(s -> s.traceId().equals(traceId)).map(s -> s.service() + ": " + s.name()).sorted().toList());

        // One run, one trace: every job of every service, in the trace the ingest job started in.
        assertThat(jobs.values()).extracting(ReceivedSpan::traceId).containsOnly(traceId);
        assertThat(jobs.values()).extracting(ReceivedSpan::service).contains("verdant-ingest",
                "verdant-quantization", "verdant-evaluation", "verdant-carbon");
        List<ReceivedSpan> trace = all.stream().filter(s -> s.traceId().equals(traceId)).toList();
        Set<String> spanIds = trace.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
        // Connected: each job span hangs off a span of this trace that some service sent (a Kafka
        // publish span, whose parent is the job that sent the event), none is a stray root.
        for (ReceivedSpan job : jobs.values()) {
            assertThat(spanIds).as("parent of " + job).contains(job.parentSpanId());
        }
        // Every span a record of the run led to, in any service, is in that trace (none started a trace
        // of its own). The report is left out: the carbon sweeper may send it, outside any record.
        assertThat(all.stream().filter(s -> theRun.equals(s.attribute("verdant.run.id"))
                && !s.name().startsWith("report "))).extracting(ReceivedSpan::traceId).containsOnly(traceId);
        // The connector's Kafka spans carry it from service to service.
        for (String topic : List.of(Topics.MODELS_INGESTED, Topics.VARIANTS_CREATED, Topics.EVALUATIONS)) {
            assertThat(trace).as("a publish span for " + topic)
                    .anyMatch(s -> s.name().contains(topic) && s.name().contains("publish"));
        }
        assertThat(jobs.get("quantize int8").attribute("verdant.technique")).isEqualTo("quantize");
        assertThat(jobs.get("quantize int8").attribute("verdant.variant.id")).isEqualTo("int8");
        assertThat(jobs.get("quantize int8").attribute("verdant.outcome")).isEqualTo("created");
        assertThat(jobs.get("evaluate int8").attribute("verdant.outcome")).isEqualTo("evaluated");
        assertThat(Double.parseDouble(jobs.get("quantize int8").attribute("verdant.cpu.seconds"))).isPositive();
        assertThat(receiver.badRequests()).isZero();
        Optional<ReceivedSpan> reportSpan = all.stream().filter(s -> s.name().equals("report " + theRun)).findFirst();
        System.out.println("TracingIT: report " + report.status().wireName() + ", its span "
                + reportSpan.map(s -> s.traceId().equals(traceId) ? "in the run's trace" : "in trace " + s.traceId())
                        .orElse("not received"));

        // Metrics: the jobs are on each service's /q/metrics.
        String quantization = metrics("quantization");
        assertThat(sample(quantization, "verdant_jobs_total",
                Map.of("service", "quantization", "technique", "quantize", "outcome", "created"))).isEqualTo(1.0);
        assertThat(sample(quantization, "verdant_job_duration_seconds_count",
                Map.of("service", "quantization", "technique", "quantize", "outcome", "created"))).isEqualTo(1.0);
        assertThat(sample(quantization, "verdant_job_cpu_seconds_total",
                Map.of("service", "quantization", "technique", "quantize"))).isPositive();
        assertThat(sample(quantization, "verdant_job_energy_joules_total",
                Map.of("service", "quantization", "technique", "quantize"))).isPositive();
        String evaluation = metrics("evaluation");
        assertThat(sample(evaluation, "verdant_jobs_total",
                Map.of("service", "evaluation", "technique", "original", "outcome", "evaluated"))).isEqualTo(1.0);
        assertThat(sample(evaluation, "verdant_jobs_total",
                Map.of("service", "evaluation", "technique", "quantize", "outcome", "evaluated"))).isEqualTo(1.0);
        assertThat(sample(metrics("ingest"), "verdant_jobs_total",
                Map.of("service", "ingest", "technique", "ingest", "outcome", "ingested"))).isEqualTo(1.0);
        assertThat(sample(metrics("carbon"), "verdant_jobs_total",
                Map.of("service", "carbon", "technique", "report", "outcome", report.status().wireName())))
                .isEqualTo(1.0);
        for (String line : quantization.lines().filter(l -> l.startsWith("verdant_")).toList()) {
            System.out.println("TracingIT: quantization /q/metrics: " + line);
        }
        for (Started s : services) {
            assertThat(Files.readString(s.log())).as(s.spec().name() + "'s log").doesNotContainIgnoringCase(
                    "failed to export");
        }
    }

    /**
     * The default, as {@code verdant up} and the demo start a service: no endpoint, so no traces and no
     * export errors, even with spans to send. A second carbon service, in a consumer group of its own,
     * accounts the run's facts again with tracing off; its log must not mention a failed export (with
     * the SDK on it would send to localhost:4317, where nothing listens) and its metrics still count.
     */
    @Test
    @Order(2)
    void withoutAnEndpointAServiceSendsNoTracesAndLogsNoExportErrors(InfraEndpoints infra) throws Exception {
        long t0 = System.nanoTime();
        Map<String, String> env = new LinkedHashMap<>();
        for (String channel : List.of("MODELS_INGESTED", "USAGE", "EVALUATIONS", "VARIANTS_FAILED")) {
            env.put("MP_MESSAGING_INCOMING_" + channel + "_GROUP_ID", "tracing-off-" + bucket);
        }
        env.put("VERDANT_OTEL_ENDPOINT", "");
        ServiceSpec spec = new ServiceSpec("carbon-untraced", "services/carbon", "256m", env);
        Started untraced = start(spec, infra);
        services.add(untraced);
        awaitReady(untraced);
        Instant deadline = Instant.now().plus(WAIT);
        double accounted = Double.NaN;
        while (Instant.now().isBefore(deadline)) {
            accounted = sample(metrics("carbon-untraced"), "verdant_jobs_total",
                    Map.of("service", "carbon", "technique", "usage", "outcome", "recorded"));
            if (accounted >= 1) {
                break;
            }
            sleep(500);
        }
        assertThat(accounted).as("usage facts accounted by the untraced carbon service").isGreaterThanOrEqualTo(1);
        // Longer than the SDK's default batch delay (5 s): a failing export would be in the log by now.
        sleep(7000);
        String log = Files.readString(untraced.log());
        assertThat(log).doesNotContainIgnoringCase("failed to export").doesNotContain("localhost:4317")
                .doesNotContain("127.0.0.1:4317");
        timings.put("untraced carbon: start, account, 7 s quiet", (System.nanoTime() - t0) / 1e9);
    }

    private Started start(ServiceSpec spec, InfraEndpoints infra) throws IOException {
        Path jar = snapshot(spec).resolve("quarkus-run.jar");
        int port = freePort();
        Path log = dir.resolve(spec.name() + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + spec.heap(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafkaBootstrapServers());
        env.put("VERDANT_S3_ENDPOINT", infra.s3Endpoint());
        env.put("VERDANT_S3_ACCESS_KEY", infra.accessKey());
        env.put("VERDANT_S3_SECRET_KEY", infra.secretKey());
        env.put("VERDANT_S3_BUCKET", bucket);
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        // What turns tracing on: the OTLP endpoint (here over HTTP/protobuf, to the receiver in this JVM).
        env.put("VERDANT_OTEL_ENDPOINT", receiver.endpoint());
        env.put("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf");
        env.put("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "PT0.5S");
        env.remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        env.putAll(spec.env());
        env.values().removeIf(String::isEmpty); // "" in a spec: the variable is not set at all
        return new Started(spec, builder.start(), port, log);
    }

    /**
     * The service's target/quarkus-app, hard-linked into this test's folder: a rebuild of the module
     * while the test runs (the working tree is shared) replaces the files the service would still
     * load, and the JVM fails with NoSuchFileException on a jar in lib/.
     */
    private Path snapshot(ServiceSpec spec) throws IOException {
        Path home = Path.of(System.getProperty("verdant.home", ".."));
        Path app = home.resolve(spec.module()).resolve("target/quarkus-app");
        assertThat(app.resolve("quarkus-run.jar")).as("the packaged " + spec.name()
                + " (./mvnw -DskipTests install -pl " + spec.module() + ")").isRegularFile();
        Path copy = dir.resolve("apps").resolve(spec.name());
        if (Files.exists(copy)) {
            return copy;
        }
        try (var files = Files.walk(app)) {
            for (Path source : files.toList()) {
                Path target = copy.resolve(app.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    try {
                        Files.createLink(target, source);
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(source, target);
                    }
                }
            }
        }
        return copy;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitReady(Started s) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            assertThat(s.process().isAlive()).as(s.spec().name() + " exited during start-up; its log:\n" + tail(s.log()))
                    .isTrue();
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(s.url("/q/health/ready")))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(300);
        }
        throw new AssertionError(s.spec().name() + " not ready within " + WAIT.toSeconds() + " s; its log:\n"
                + tail(s.log()));
    }

    private String metrics(String service) throws IOException, InterruptedException {
        Started s = services.stream().filter(x -> x.spec().name().equals(service)).findFirst().orElseThrow();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(s.url("/q/metrics"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET /q/metrics of " + service).isEqualTo(200);
        return response.body();
    }

    /**
     * The value of the sample with this name and (at least) these labels; NaN if absent. Quarkus answers
     * in OpenMetrics, where a sample recorded inside a span carries an exemplar after the value
     * ({@code 1.0 # {span_id="...",trace_id="..."} 1.0 1795956069.549}).
     */
    static double sample(String exposition, String name, Map<String, String> labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\}\\s+(\\S+)(\\s+#.*)?$",
                Pattern.MULTILINE);
        Matcher m = line.matcher(exposition);
        while (m.find()) {
            Map<String, String> found = new LinkedHashMap<>();
            Matcher kv = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(m.group(1));
            while (kv.find()) {
                found.put(kv.group(1), kv.group(2));
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }

    private Map<String, ReceivedSpan> awaitSpans(Map<String, Predicate<ReceivedSpan>> expected,
            Predicate<ReceivedSpan> ofTheRun) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            Map<String, ReceivedSpan> found = new LinkedHashMap<>();
            for (ReceivedSpan span : receiver.spans()) {
                if (!ofTheRun.test(span)) {
                    continue;
                }
                expected.forEach((what, match) -> {
                    if (match.test(span)) {
                        found.putIfAbsent(what, span);
                    }
                });
            }
            if (found.size() == expected.size()) {
                return found;
            }
            if (Instant.now().isAfter(deadline)) {
                Set<String> seen = new TreeSet<>();
                receiver.spans().forEach(s -> seen.add(s.service() + ": " + s.name()));
                throw new AssertionError("spans missing: " + expected.keySet().stream()
                        .filter(k -> !found.containsKey(k)).toList() + "; received " + receiver.spans().size()
                        + " spans in " + receiver.requests() + " requests (elsewhere than /v1/traces: "
                        + receiver.misses() + "): " + seen);
            }
            sleep(250);
        }
    }

    private KafkaConsumer<String, byte[]> consumer(List<String> topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalInfrastructure.endpoints().kafkaBootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "tracing-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p);
        consumer.subscribe(topics);
        return consumer;
    }

    private final List<VerdantEvent> received = new ArrayList<>();

    private <T extends VerdantEvent> T await(KafkaConsumer<String, byte[]> consumer, String what, Class<T> type,
            Predicate<T> match) {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            for (VerdantEvent event : received) {
                if (type.isInstance(event) && match.test(type.cast(event))) {
                    return type.cast(event);
                }
            }
            if (Instant.now().isAfter(deadline)) {
                StringBuilder logs = new StringBuilder();
                services.forEach(s -> logs.append("\n--- ").append(s.spec().name()).append(" log:\n")
                        .append(tail(s.log())));
                throw new AssertionError(what + " did not come within " + WAIT.toSeconds() + " s; received "
                        + received.stream().map(e -> e.getClass().getSimpleName()).toList() + logs);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                received.add(CloudEventCodec.decode(name -> record.headers().lastHeader(name) == null ? null
                        : CloudEventCodec.utf8(record.headers().lastHeader(name).value()), record.value()).event());
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
