package dev.verdant.testsupport;

import dev.verdant.infra.InfraEndpoints;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Points a {@code @QuarkusTest} at the {@link SharedLocalInfrastructure}:
 * <pre>
 * &#64;QuarkusTest
 * &#64;WithTestResource(LocalInfrastructureTestResource.class)
 * class IngestIT { ... }
 * </pre>
 * It sets {@value #KAFKA_BOOTSTRAP_SERVERS} (the default of every Kafka channel),
 * {@value #S3_ENDPOINT}, {@value #S3_ACCESS_KEY}, {@value #S3_SECRET_KEY} and {@value #S3_BUCKET}.
 * It does not create the bucket: the application's own start-up should (ArtifactStore.ensureBucket).
 *
 * <p>Arguments ({@code initArgs = @ResourceArg(name = ..., value = ...)}):
 * <ul>
 *   <li>{@value #BUCKET_ARG}: the bucket name, default {@value #DEFAULT_BUCKET};</li>
 *   <li>{@value #UNIQUE_BUCKET_ARG} = {@code true}: a fresh bucket name per test resource instance,
 *       for tests that count or list objects;</li>
 *   <li>{@value #TOPICS_ARG}: comma-separated topics to create up front, with
 *       {@value #PARTITIONS_ARG} partitions (default 2); others are auto-created on first use.</li>
 * </ul>
 *
 * <p>{@link #stop()} leaves the nodes running: other tests of this JVM use them, and they stop when
 * the JVM exits.
 */
public final class LocalInfrastructureTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    public static final String S3_ENDPOINT = "verdant.s3.endpoint";
    public static final String S3_ACCESS_KEY = "verdant.s3.access-key";
    public static final String S3_SECRET_KEY = "verdant.s3.secret-key";
    public static final String S3_BUCKET = "verdant.s3.bucket";

    public static final String BUCKET_ARG = "bucket";
    public static final String UNIQUE_BUCKET_ARG = "unique-bucket";
    public static final String TOPICS_ARG = "topics";
    public static final String PARTITIONS_ARG = "partitions";
    public static final String DEFAULT_BUCKET = "verdant";

    private String bucket = DEFAULT_BUCKET;
    private List<String> topics = List.of();
    private int partitions = 2;

    @Override
    public void init(Map<String, String> initArgs) {
        bucket = initArgs.getOrDefault(BUCKET_ARG, DEFAULT_BUCKET);
        if (Boolean.parseBoolean(initArgs.get(UNIQUE_BUCKET_ARG))) {
            bucket = bucket + "-" + UUID.randomUUID().toString().substring(0, 8);
        }
        topics = Arrays.stream(initArgs.getOrDefault(TOPICS_ARG, "").split(","))
                .map(String::trim).filter(topic -> !topic.isEmpty()).toList();
        partitions = Integer.parseInt(initArgs.getOrDefault(PARTITIONS_ARG, "2"));
    }

    @Override
    public Map<String, String> start() {
        InfraEndpoints endpoints = SharedLocalInfrastructure.endpoints();
        if (!topics.isEmpty()) {
            SharedLocalInfrastructure.createTopics(topics, partitions);
        }
        Map<String, String> config = new HashMap<>();
        config.put(KAFKA_BOOTSTRAP_SERVERS, endpoints.kafkaBootstrapServers());
        config.put(S3_ENDPOINT, endpoints.s3Endpoint());
        config.put(S3_ACCESS_KEY, endpoints.accessKey());
        config.put(S3_SECRET_KEY, endpoints.secretKey());
        config.put(S3_BUCKET, bucket);
        return config;
    }

    @Override
    public void stop() {
        // Shared with the rest of this JVM's tests; the nodes' shutdown hooks stop them.
    }
}
