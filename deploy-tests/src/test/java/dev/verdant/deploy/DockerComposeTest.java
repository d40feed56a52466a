package dev.verdant.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.verdant.deploy.Kustomize.Yamls;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.Topics;

/**
 * docker-compose.yml against the service catalog, the services' configuration and the topics. What
 * only `docker compose config` adds (schema of the compose spec, interpolation) is in
 * docs/deployment.md.
 */
class DockerComposeTest {

    private static final Map<String, Object> COMPOSE = Yamls.loadOne(Repo.ROOT.resolve("docker-compose.yml"));
    /** Set by deploy/Dockerfile's entry point, not by Quarkus. */
    private static final Set<String> IMAGE_ENV = Set.of("JAVA_MAX_HEAP");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z0-9_]+):-([^}]*)}");

    private static Map<String, Object> service(String name) {
        Object s = Yamls.map(COMPOSE.get("services")).get(name);
        assertNotNull(s, "docker-compose.yml has no service '" + name + "'");
        return Yamls.map(s);
    }

    private static Map<String, String> env(Map<String, Object> service) {
        Map<String, String> out = new HashMap<>();
        Object env = service.get("environment");
        if (env != null) {
            Yamls.map(env).forEach((k, v) -> out.put(k, String.valueOf(v)));
        }
        return out;
    }

    @Test
    void everyCatalogServiceIsBuiltFromTheGenericDockerfileWithItsPortHeapAndHealthCheck() {
        for (Repo.Service s : Repo.services()) {
            Map<String, Object> svc = service(s.name());
            Map<String, Object> build = Yamls.map(svc.get("build"));
            assertEquals(".", build.get("context"), s.name());
            assertEquals("deploy/Dockerfile", build.get("dockerfile"), s.name());
            assertEquals(s.name(), Yamls.map(build.get("args")).get("SERVICE"), s.name());
            assertEquals("services/" + s.name(), s.module(), "deploy/Dockerfile copies services/${SERVICE}/target/quarkus-app");
            assertEquals(List.of(s.port() + ":" + s.port()), svc.get("ports"), s.name() + " ports");
            assertEquals(s.maxHeap(), env(svc).get("JAVA_MAX_HEAP"), s.name() + " heap");
            List<?> test = (List<?>) Yamls.map(svc.get("healthcheck")).get("test");
            assertEquals(List.of("CMD", "curl", "-fsS", "http://localhost:" + s.port() + "/q/health/ready"), test, s.name());
            assertEquals("http://localhost:" + s.port(), "http://localhost:" + Repo.config(s).get("quarkus.http.port"),
                    s.name() + ": the health check port is the service's quarkus.http.port");
        }
    }

    @Test
    void servicesGetKafkaAndS3SettingsByNamesTheyActuallyRead() {
        for (Repo.Service s : Repo.services()) {
            Map<String, String> env = env(service(s.name()));
            assertEquals("kafka:9092", env.get("KAFKA_BOOTSTRAP_SERVERS"), s.name());
            assertEquals("http://minio:9000", env.get("VERDANT_S3_ENDPOINT"), s.name());
            for (String required : List.of("VERDANT_S3_ACCESS_KEY", "VERDANT_S3_SECRET_KEY", "VERDANT_S3_BUCKET")) {
                assertTrue(env.containsKey(required), s.name() + " lacks " + required);
            }
            Set<String> readable = Repo.envNames(s);
            for (String name : env.keySet()) {
                assertTrue(IMAGE_ENV.contains(name) || readable.contains(name), s.name() + ": " + name
                        + " matches no property of its configuration, so it would configure nothing");
            }
        }
    }

    @Test
    void ingestListensToMinioNotificationsInsteadOfPolling() {
        Repo.Service ingest = Repo.services().stream().filter(s -> s.name().equals("ingest")).findFirst().orElseThrow();
        assertEquals("true", Repo.config(ingest).get("verdant.ingest.poller.enabled"), "the property the override switches");
        assertEquals("false", env(service("ingest")).get("VERDANT_INGEST_POLLER_ENABLED"));
    }

    @Test
    void servicesStartAfterKafkaTopicsBucketAndNotificationAreReady() {
        Map<String, String> expected = Map.of("kafka", "service_healthy", "kafka-init", "service_completed_successfully",
                "minio", "service_healthy", "minio-init", "service_completed_successfully");
        for (Repo.Service s : Repo.services()) {
            Map<String, Object> dependsOn = Yamls.map(service(s.name()).get("depends_on"));
            expected.forEach((dep, condition) -> assertEquals(condition,
                    Yamls.map(dependsOn.get(dep)).get("condition"), s.name() + " depends_on " + dep));
        }
        assertEquals("service_healthy", Yamls.map(Yamls.map(service("kafka-init").get("depends_on")).get("kafka")).get("condition"));
        assertEquals("service_completed_successfully",
                Yamls.map(Yamls.map(service("minio").get("depends_on")).get("kafka-init")).get("condition"),
                "MinIO's Kafka target needs its topic before MinIO starts");
        assertEquals("service_healthy", Yamls.map(Yamls.map(service("minio-init").get("depends_on")).get("minio")).get("condition"));
        for (String name : List.of("kafka", "minio")) {
            assertNotNull(service(name).get("healthcheck"), name + " needs a health check for service_healthy");
        }
    }

    @Test
    void kafkaInitCreatesEveryTopicWithItsSettings() {
        String script = String.join("\n", strings(service("kafka-init").get("command")));
        Map<String, Map<String, String>> created = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*create (\\S+)(.*)$").matcher(script);
        while (m.find()) {
            Map<String, String> configs = new HashMap<>();
            Matcher c = Pattern.compile("--config (\\S+)=(\\S+)").matcher(m.group(2));
            while (c.find()) {
                configs.put(c.group(1), c.group(2));
            }
            created.put(m.group(1), configs);
        }
        assertEquals(new LinkedHashSet<>(Topics.ALL), created.keySet(), "topics created by kafka-init");
        for (String topic : Topics.ALL) {
            assertEquals(Topics.CONFIGS.getOrDefault(topic, Map.of()), created.get(topic), topic + " settings");
        }
        assertEquals("compact", created.get(Topics.CARBON_LEDGER).get("cleanup.policy"));
        assertTrue(script.contains("--if-not-exists"), "kafka-init must be re-runnable");
        assertEquals("false", env(service("kafka")).get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"),
                "with auto-creation a topic could appear uncompacted before kafka-init runs");
    }

    @Test
    void minioNotifiesTheBucketNotificationTopicForModelUploads() {
        Map<String, String> env = env(service("minio"));
        String target = null;
        for (String k : env.keySet()) {
            if (k.startsWith("MINIO_NOTIFY_KAFKA_ENABLE_")) {
                target = k.substring("MINIO_NOTIFY_KAFKA_ENABLE_".length());
            }
        }
        assertNotNull(target, "MinIO needs a Kafka notification target (MINIO_NOTIFY_KAFKA_ENABLE_<ID>)");
        assertEquals("on", env.get("MINIO_NOTIFY_KAFKA_ENABLE_" + target));
        assertEquals("kafka:9092", env.get("MINIO_NOTIFY_KAFKA_BROKERS_" + target));
        assertEquals(Topics.BUCKET_NOTIFICATIONS, env.get("MINIO_NOTIFY_KAFKA_TOPIC_" + target));
        String script = String.join("\n", strings(service("minio-init").get("command")));
        assertTrue(script.contains("mc mb --ignore-existing \"local/$$VERDANT_S3_BUCKET\""), script);
        String arn = "arn:minio:sqs::" + target + ":kafka";
        assertTrue(script.contains("mc event add \"local/$$VERDANT_S3_BUCKET\" " + arn
                + " --event put --prefix " + BucketLayout.UPLOADS_PREFIX + " --suffix .onnx"), script);
    }

    @Test
    void credentialsComeFromTheEnvironmentWithTheDefaultsOfEnvExample() {
        Map<String, String> example = new HashMap<>();
        for (String line : Repo.read(Repo.ROOT.resolve(".env.example")).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                example.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        List<String> secrets = new ArrayList<>();
        for (Object name : Yamls.map(COMPOSE.get("services")).keySet()) {
            env(service((String) name)).forEach((k, v) -> {
                if (k.contains("SECRET") || k.contains("PASSWORD") || k.contains("ACCESS_KEY") || k.equals("MINIO_ROOT_USER")) {
                    secrets.add(name + "." + k);
                    Matcher m = INTERPOLATION.matcher(v);
                    assertTrue(m.matches(), name + "." + k + " must be ${VAR:-default}, not a literal: " + v);
                    assertEquals(example.get(m.group(1)), m.group(2), name + "." + k + ": default differs from .env.example");
                }
            });
        }
        assertFalse(secrets.isEmpty());
        String compose = Repo.read(Repo.ROOT.resolve("docker-compose.yml"));
        Matcher all = Pattern.compile("\\$\\{([A-Z0-9_]+)(:-[^}]*)?}").matcher(compose);
        while (all.find()) {
            assertTrue(example.containsKey(all.group(1)), "${" + all.group(1) + "} is not documented in .env.example");
        }
    }

    @Test
    void jaegerReceivesOtlpAndShowsItsUi() {
        Map<String, Object> jaeger = service("jaeger");
        assertEquals("true", env(jaeger).get("COLLECTOR_OTLP_ENABLED"));
        List<String> ports = strings(jaeger.get("ports"));
        assertTrue(ports.contains("4317:4317") && ports.contains("4318:4318"), "OTLP gRPC and HTTP: " + ports);
        assertTrue(ports.stream().anyMatch(p -> p.endsWith(":16686")), "UI: " + ports);
    }

    @Test
    void everyServiceSendsItsTracesToJaeger() {
        for (Repo.Service s : Repo.services()) {
            Map<String, Object> svc = service(s.name());
            assertEquals("http://jaeger:4317", env(svc).get("VERDANT_OTEL_ENDPOINT"), s.name());
            assertTrue(Yamls.map(svc.get("depends_on")).containsKey("jaeger"), s.name() + " starts after jaeger");
            // The variable is what the service's configuration reads for its OTLP endpoint.
            String endpoint = Repo.config(s).get("quarkus.otel.exporter.otlp.traces.endpoint");
            assertTrue(endpoint != null && endpoint.contains("${VERDANT_OTEL_ENDPOINT"), s.name() + ": " + endpoint);
        }
    }

    @Test
    void everyImageIsPinned() {
        Yamls.map(COMPOSE.get("services")).forEach((name, s) -> {
            String written = (String) Yamls.map(s).get("image");
            assertNotNull(written, name + " has no image");
            // ${VAR:-default} as compose resolves it without a .env
            String image = INTERPOLATION.matcher(written).replaceAll("$2");
            assertTrue(image.matches("[^:]+:[^:]+") && !image.endsWith(":latest"), name + ": pin a tag: " + image);
        });
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        ((List<?>) o).forEach(x -> out.add(String.valueOf(x)));
        return out;
    }
}
