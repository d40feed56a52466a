package dev.verdant.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.verdant.deploy.Kustomize.Yamls;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * Every overlay of k8s/ rendered (by {@link Kustomize}), every core object read into the fabric8
 * Kubernetes model with unknown fields refused, the KEDA and Strimzi resources checked for the
 * fields they need, and all of it cross-checked against the service catalog, the services' own
 * configuration (ports, consumer groups, properties) and {@link Topics}.
 */
class KubernetesManifestsTest {

    static final List<String> OVERLAYS = List.of("dev", "prod");
    private static final String SECRET = "verdant-s3";
    private static final String CONFIG = "verdant-config";
    /** Room above the heap for metaspace, thread stacks and native buffers (ONNX Runtime, DJL). */
    private static final long NATIVE_HEADROOM_MIB = 256;
    private static final Set<String> IMAGE_ENV = Set.of("JAVA_MAX_HEAP");

    /** One rendered overlay, its core objects typed. */
    record Rendered(String overlay, List<Map<String, Object>> objects, List<HasMetadata> core) {
        static Rendered of(String overlay) {
            List<Map<String, Object>> objects = Kustomize.render(Repo.ROOT.resolve("k8s/overlays/" + overlay));
            List<HasMetadata> core = new ArrayList<>();
            for (Map<String, Object> o : objects) {
                if (KubernetesModel.isCoreKind(o)) {
                    core.add(KubernetesModel.read(o));
                }
            }
            return new Rendered(overlay, objects, core);
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return core.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type, String name) {
            return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": no " + type.getSimpleName() + " " + name));
        }

        List<Map<String, Object>> custom(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        Map<String, Object> custom(String kind, String name) {
            return custom(kind).stream().filter(o -> name.equals(Kustomize.name(o))).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": no " + kind + " " + name));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyObjectIsAKnownKindAndFitsItsSchema(String overlay) {
        Rendered r = Rendered.of(overlay);
        Set<String> custom = Set.of("keda.sh/v1alpha1/ScaledObject", "kafka.strimzi.io/v1beta2/KafkaTopic",
                "kafka.strimzi.io/v1beta2/Kafka", "kafka.strimzi.io/v1beta2/KafkaNodePool");
        Set<String> ids = new HashSet<>();
        for (Map<String, Object> o : r.objects()) {
            String kind = o.get("apiVersion") + "/" + o.get("kind");
            assertTrue(KubernetesModel.isCoreKind(o) || custom.contains(kind), overlay + ": unexpected kind " + kind);
            assertTrue(ids.add(kind + "/" + Kustomize.name(o)), overlay + ": duplicate " + kind + " " + Kustomize.name(o));
            assertNotNull(Yamls.map(o.get("metadata")).get("namespace"), overlay + ": " + kind + " without namespace");
        }
        assertEquals(r.objects().stream().filter(KubernetesModel::isCoreKind).count(), r.core().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyServiceHasDeploymentServiceProbesAndResourcesForItsHeap(String overlay) {
        Rendered r = Rendered.of(overlay);
        for (Repo.Service s : Repo.services()) {
            Deployment d = r.one(Deployment.class, s.name());
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertEquals(d.getSpec().getSelector().getMatchLabels(),
                    subset(d.getSpec().getTemplate().getMetadata().getLabels(), d.getSpec().getSelector().getMatchLabels().keySet()),
                    s.name() + ": the selector must match the pod labels");
            assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), s.name());
            assertEquals(1, pod.getContainers().size(), s.name());
            Container c = pod.getContainers().get(0);
            assertTrue(c.getImage().contains("/" + s.name() + ":"), s.name() + " image " + c.getImage());
            assertEquals(s.port(), c.getPorts().get(0).getContainerPort(), s.name() + " container port");
            assertEquals(String.valueOf(s.port()), Repo.config(s).get("quarkus.http.port"), s.name());
            assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath(), s.name());
            assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath(), s.name());
            assertEquals("http", c.getLivenessProbe().getHttpGet().getPort().getStrVal(), s.name());
            assertEquals("http", c.getReadinessProbe().getHttpGet().getPort().getStrVal(), s.name());
            assertEquals("http", c.getPorts().get(0).getName(), s.name());

            String heap = env(c).get("JAVA_MAX_HEAP");
            assertNotNull(heap, s.name() + ": JAVA_MAX_HEAP");
            if (overlay.equals("dev")) {
                assertEquals(s.maxHeap(), heap, s.name() + ": dev runs the catalog's heap");
            }
            long limit = mib(c.getResources().getLimits().get("memory"));
            long request = mib(c.getResources().getRequests().get("memory"));
            assertTrue(limit >= Repo.heapMiB(heap) + NATIVE_HEADROOM_MIB, s.name() + ": memory limit " + limit
                    + " MiB leaves under " + NATIVE_HEADROOM_MIB + " MiB above the heap " + heap);
            assertEquals(limit, request, s.name() + ": memory request = limit, so the scheduler reserves what the JVM may use");
            assertNotNull(c.getResources().getRequests().get("cpu"), s.name());

            Service svc = r.one(Service.class, s.name());
            assertEquals(d.getSpec().getSelector().getMatchLabels(), svc.getSpec().getSelector(), s.name() + " service selector");
            assertEquals(s.port(), svc.getSpec().getPorts().get(0).getPort(), s.name() + " service port");
            assertEquals("http", svc.getSpec().getPorts().get(0).getTargetPort().getStrVal(), s.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void servicesReadConfigFromTheConfigMapAndTheSecretByNamesTheyUnderstand(String overlay) {
        Rendered r = Rendered.of(overlay);
        ConfigMap config = r.one(ConfigMap.class, CONFIG);
        Set<String> secretKeys = Set.of("VERDANT_S3_ACCESS_KEY", "VERDANT_S3_SECRET_KEY");
        for (Repo.Service s : Repo.services()) {
            Container c = r.one(Deployment.class, s.name()).getSpec().getTemplate().getSpec().getContainers().get(0);
            Set<String> refs = new HashSet<>();
            Set<String> names = new LinkedHashSet<>(env(c).keySet());
            for (EnvFromSource from : c.getEnvFrom()) {
                if (from.getConfigMapRef() != null) {
                    refs.add("configmap/" + from.getConfigMapRef().getName());
                    names.addAll(r.one(ConfigMap.class, from.getConfigMapRef().getName()).getData().keySet());
                }
                if (from.getSecretRef() != null) {
                    refs.add("secret/" + from.getSecretRef().getName());
                    names.addAll(secretKeys);
                }
            }
            assertEquals(Set.of("configmap/" + CONFIG, "secret/" + SECRET), refs, s.name());
            assertTrue(names.containsAll(List.of("KAFKA_BOOTSTRAP_SERVERS", "VERDANT_S3_ENDPOINT", "VERDANT_S3_BUCKET",
                    "VERDANT_S3_ACCESS_KEY", "VERDANT_S3_SECRET_KEY")), s.name() + ": " + names);
            Set<String> readable = Repo.envNames(s);
            for (String name : names) {
                assertTrue(IMAGE_ENV.contains(name) || readable.contains(name),
                        s.name() + ": " + name + " matches no property of its configuration");
            }
        }
        Map<String, Object> kafka = r.custom("Kafka").get(0);
        int port = plainListenerPort(kafka);
        assertEquals(Kustomize.name(kafka) + "-kafka-bootstrap:" + port, config.getData().get("KAFKA_BOOTSTRAP_SERVERS"),
                "Strimzi's bootstrap Service for the plain listener");
        assertEquals("http://jaeger-collector:4317", config.getData().get("VERDANT_OTEL_ENDPOINT"),
                "traces over OTLP/gRPC to the Jaeger operator's collector Service");
        assertEquals("false", env(r.one(Deployment.class, "ingest").getSpec().getTemplate().getSpec().getContainers().get(0))
                .get("VERDANT_INGEST_POLLER_ENABLED"), "MinIO notifies ingest: no polling");
    }

    @Test
    void devGeneratesTheSecretWithLocalDefaultsAndProdOnlyReferencesIt() {
        Secret dev = Rendered.of("dev").one(Secret.class, SECRET);
        assertEquals(Set.of("VERDANT_S3_ACCESS_KEY", "VERDANT_S3_SECRET_KEY"), dev.getData().keySet());
        assertTrue(Rendered.of("prod").all(Secret.class).isEmpty(), "prod must not carry secret values in git");
        assertFalse(Repo.read(Repo.ROOT.resolve("k8s/base/kustomization.yaml")).contains("secretGenerator"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyConsumerScalesOnTheLagOfItsOwnGroupAndTopics(String overlay) {
        Rendered r = Rendered.of(overlay);
        String bootstrap = r.one(ConfigMap.class, CONFIG).getData().get("KAFKA_BOOTSTRAP_SERVERS");
        Map<String, Integer> partitions = new HashMap<>();
        r.custom("KafkaTopic").forEach(t -> partitions.put((String) spec(t).get("topicName"), (Integer) spec(t).get("partitions")));
        for (Repo.Service s : Repo.services()) {
            Map<String, Object> so = r.custom("ScaledObject", s.name());
            Map<String, Object> spec = spec(so);
            assertTrue(Set.of("scaleTargetRef", "minReplicaCount", "maxReplicaCount", "pollingInterval", "cooldownPeriod",
                    "triggers", "advanced", "fallback", "idleReplicaCount").containsAll(spec.keySet()), "ScaledObject fields " + spec.keySet());
            assertEquals(s.name(), Yamls.map(spec.get("scaleTargetRef")).get("name"));
            r.one(Deployment.class, s.name());
            int min = (Integer) spec.get("minReplicaCount");
            int max = (Integer) spec.get("maxReplicaCount");
            assertTrue(1 <= min && min <= max, s.name() + ": replicas " + min + ".." + max);
            Set<Repo.Consumer> triggers = new HashSet<>();
            for (Object t : (List<?>) spec.get("triggers")) {
                Map<String, Object> trigger = Yamls.map(t);
                assertEquals("kafka", trigger.get("type"));
                Map<String, Object> md = Yamls.map(trigger.get("metadata"));
                md.forEach((k, v) -> assertTrue(v instanceof String, s.name() + ": KEDA trigger metadata values are strings: " + k));
                assertTrue(Set.of("bootstrapServers", "consumerGroup", "topic", "lagThreshold", "activationLagThreshold",
                        "offsetResetPolicy", "allowIdleConsumers").containsAll(md.keySet()), s.name() + " trigger fields " + md.keySet());
                assertEquals(bootstrap, md.get("bootstrapServers"), s.name());
                assertTrue(Integer.parseInt((String) md.get("lagThreshold")) >= 1, s.name());
                String topic = (String) md.get("topic");
                assertNotNull(partitions.get(topic), s.name() + ": trigger on " + topic + ", which has no KafkaTopic");
                assertTrue(max <= partitions.get(topic), s.name() + ": maxReplicaCount " + max + " > partitions of " + topic
                        + " (" + partitions.get(topic) + "): the extra replicas would idle");
                triggers.add(new Repo.Consumer(topic, (String) md.get("consumerGroup")));
            }
            assertEquals(Repo.consumers(s), triggers, s.name() + ": triggers = the (topic, group.id) of its incoming channels");
            assertTrue(triggers.stream().allMatch(c -> c.group().equals("verdant-" + s.name())), s.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyTopicIsAStrimziKafkaTopicOfTheClusterWithItsSettings(String overlay) {
        Rendered r = Rendered.of(overlay);
        Map<String, Object> kafka = r.custom("Kafka").get(0);
        assertEquals(1, r.custom("Kafka").size());
        Map<String, Object> annotations = Yamls.map(Yamls.map(kafka.get("metadata")).get("annotations"));
        assertEquals("enabled", annotations.get("strimzi.io/node-pools"));
        assertEquals("enabled", annotations.get("strimzi.io/kraft"));
        assertTrue(Set.of("kafka", "entityOperator", "cruiseControl", "kafkaExporter").containsAll(spec(kafka).keySet()));
        Map<String, Object> kafkaSpec = Yamls.map(spec(kafka).get("kafka"));
        assertTrue(Set.of("version", "metadataVersion", "listeners", "config", "authorization", "rack", "resources",
                "template", "logging", "metricsConfig").containsAll(kafkaSpec.keySet()), "spec.kafka fields " + kafkaSpec.keySet());
        assertNotNull(Yamls.map(spec(kafka).get("entityOperator")).get("topicOperator"), "KafkaTopics need the topic operator");
        int brokers = 0;
        for (Map<String, Object> pool : r.custom("KafkaNodePool")) {
            assertEquals(Kustomize.name(kafka), labels(pool).get("strimzi.io/cluster"));
            List<?> roles = (List<?>) spec(pool).get("roles");
            assertTrue(Set.of("controller", "broker").containsAll(roles) && !roles.isEmpty(), "roles " + roles);
            assertNotNull(Yamls.map(spec(pool).get("storage")).get("type"));
            if (roles.contains("broker")) {
                brokers += (Integer) spec(pool).get("replicas");
            }
        }
        assertTrue(brokers >= 1, overlay + ": no broker");
        Map<String, Object> kafkaConfig = Yamls.map(kafkaSpec.get("config"));
        int rf = ((Number) kafkaConfig.get("default.replication.factor")).intValue();
        assertTrue(rf <= brokers && ((Number) kafkaConfig.get("min.insync.replicas")).intValue() <= rf, overlay + ": replication settings");
        assertTrue(((Number) kafkaConfig.get("offsets.topic.replication.factor")).intValue() <= brokers);

        Map<String, Map<String, Object>> byTopic = new HashMap<>();
        for (Map<String, Object> t : r.custom("KafkaTopic")) {
            assertEquals(Kustomize.name(kafka), labels(t).get("strimzi.io/cluster"), "topic " + Kustomize.name(t));
            Map<String, Object> spec = spec(t);
            assertTrue(Set.of("topicName", "partitions", "replicas", "config").containsAll(spec.keySet()), "KafkaTopic fields " + spec.keySet());
            assertTrue((Integer) spec.get("partitions") >= 1);
            int replicas = (Integer) spec.get("replicas");
            assertTrue(replicas >= 1 && replicas <= brokers, overlay + ": " + spec.get("topicName") + " replicas " + replicas + " > brokers " + brokers);
            assertTrue(Kustomize.name(t).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), "a DNS-1123 resource name: " + Kustomize.name(t));
            byTopic.put((String) spec.get("topicName"), spec);
        }
        assertEquals(new HashSet<>(Topics.ALL), byTopic.keySet(), overlay + ": KafkaTopics = Topics.ALL");
        for (String topic : Topics.ALL) {
            Map<String, Object> config = byTopic.get(topic).get("config") == null ? Map.of() : Yamls.map(byTopic.get(topic).get("config"));
            Map<String, String> expected = Topics.CONFIGS.getOrDefault(topic, Map.of());
            expected.forEach((k, v) -> assertEquals(v, config.get(k), topic + " " + k));
            assertEquals(expected.containsKey("cleanup.policy"), config.containsKey("cleanup.policy"), topic + " cleanup.policy");
        }
        assertEquals("compact", Yamls.map(byTopic.get(Topics.CARBON_LEDGER).get("config")).get("cleanup.policy"));
    }

    @Test
    void devRunsMinioThatNotifiesKafkaAndAJobThatCreatesTheBucketAndSubscription() {
        Rendered r = Rendered.of("dev");
        Deployment minio = r.one(Deployment.class, "minio");
        Container c = minio.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = env(c);
        String target = env.keySet().stream().filter(k -> k.startsWith("MINIO_NOTIFY_KAFKA_ENABLE_")).findFirst()
                .map(k -> k.substring("MINIO_NOTIFY_KAFKA_ENABLE_".length())).orElseThrow();
        assertEquals("on", env.get("MINIO_NOTIFY_KAFKA_ENABLE_" + target));
        assertEquals(Topics.BUCKET_NOTIFICATIONS, env.get("MINIO_NOTIFY_KAFKA_TOPIC_" + target));
        assertEquals(r.one(ConfigMap.class, CONFIG).getData().get("KAFKA_BOOTSTRAP_SERVERS"), env.get("MINIO_NOTIFY_KAFKA_BROKERS_" + target));
        assertEquals(SECRET, c.getEnv().stream().filter(e -> e.getName().equals("MINIO_ROOT_USER")).findFirst().orElseThrow()
                .getValueFrom().getSecretKeyRef().getName());
        String claim = minio.getSpec().getTemplate().getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName();
        assertEquals(claim, r.all(io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class).get(0).getMetadata().getName());
        Service svc = r.one(Service.class, "minio");
        assertEquals("http://minio:" + svc.getSpec().getPorts().get(0).getPort(),
                r.one(ConfigMap.class, CONFIG).getData().get("VERDANT_S3_ENDPOINT"));
        Job init = r.one(Job.class, "minio-init");
        String script = String.join("\n", init.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
        assertTrue(script.contains("mc event add \"local/$VERDANT_S3_BUCKET\" arn:minio:sqs::" + target + ":kafka --event put --prefix "
                + BucketLayout.UPLOADS_PREFIX + " --suffix .onnx"), script);
        assertTrue(script.contains("mc mb --ignore-existing"), script);
        assertEquals(Boolean.TRUE, init.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
    }

    @Test
    void prodRunsReleasedImagesWithMoreReplicasAndAnExternalStore() {
        Rendered dev = Rendered.of("dev");
        Rendered prod = Rendered.of("prod");
        for (Repo.Service s : Repo.services()) {
            Deployment d = prod.one(Deployment.class, s.name());
            String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
            assertTrue(image.matches("[a-z0-9.-]+/verdant/" + s.name() + ":\\d+\\.\\d+\\.\\d+"), "a released, registry-qualified tag: " + image);
            assertTrue(d.getSpec().getReplicas() >= 2, s.name());
            int devMax = (Integer) spec(dev.custom("ScaledObject", s.name())).get("maxReplicaCount");
            int prodMax = (Integer) spec(prod.custom("ScaledObject", s.name())).get("maxReplicaCount");
            assertTrue(prodMax > devMax, s.name() + ": prod max replicas " + prodMax + " vs dev " + devMax);
            assertTrue((Integer) spec(prod.custom("ScaledObject", s.name())).get("minReplicaCount") >= d.getSpec().getReplicas());
            long devMem = mib(dev.one(Deployment.class, s.name()).getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().get("memory"));
            long prodMem = mib(d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().get("memory"));
            assertTrue(prodMem > devMem, s.name() + " memory");
        }
        assertTrue(prod.all(Deployment.class).stream().noneMatch(d -> d.getMetadata().getName().equals("minio")), "prod uses an external S3");
        assertFalse(prod.one(ConfigMap.class, CONFIG).getData().get("VERDANT_S3_ENDPOINT").contains("minio:9000"));
    }

    private static int plainListenerPort(Map<String, Object> kafka) {
        for (Object l : (List<?>) Yamls.map(spec(kafka).get("kafka")).get("listeners")) {
            Map<String, Object> listener = Yamls.map(l);
            assertTrue(listener.keySet().containsAll(Set.of("name", "port", "type", "tls")), "listener " + listener);
            if ("internal".equals(listener.get("type")) && Boolean.FALSE.equals(listener.get("tls"))) {
                return (Integer) listener.get("port");
            }
        }
        throw new AssertionError("the Kafka cluster has no internal plain listener");
    }

    private static Map<String, Object> spec(Map<String, Object> o) {
        return Yamls.map(o.get("spec"));
    }

    private static Map<String, Object> labels(Map<String, Object> o) {
        return Yamls.map(Yamls.map(o.get("metadata")).get("labels"));
    }

    private static Map<String, String> env(Container c) {
        return c.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    private static Map<String, String> subset(Map<String, String> m, Set<String> keys) {
        Map<String, String> out = new HashMap<>();
        keys.forEach(k -> out.put(k, m.get(k)));
        return out;
    }

    private static long mib(Quantity q) {
        return Quantity.getAmountInBytes(q).longValueExact() / (1024 * 1024);
    }
}
