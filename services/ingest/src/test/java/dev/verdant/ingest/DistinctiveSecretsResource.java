package dev.verdant.ingest;

import dev.verdant.infra.Lifecycle;
import dev.verdant.infra.S3Node;
import dev.verdant.testsupport.SharedLocalInfrastructure;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * The ingest service with credentials nobody could mistake for anything else: an s3proxy of its
 * own that accepts only {@link #S3_SECRET}, a SASL password {@link #KAFKA_SECRET} in the Kafka
 * client settings (the broker is the shared PLAINTEXT one, so the clients carry it without using
 * it), and the service's log written to {@link #LOG_FILE} at DEBUG for Verdant, MinIO's client
 * and the Kafka clients' configuration dumps. Published as system properties, which the test reads
 * whichever class loader it runs in.
 */
public final class DistinctiveSecretsResource implements QuarkusTestResourceLifecycleManager {
    static final String S3_SECRET = "s3-" + UUID.randomUUID().toString().replace("-", "");
    static final String KAFKA_SECRET = "kafka-" + UUID.randomUUID().toString().replace("-", "");
    static final Path LOG_FILE = Path.of("target", "secrets-it", "ingest.log").toAbsolutePath();
    static final String PUBLISHED = "verdant-secrets-it.";

    private S3Node node;

    @Override
    public Map<String, String> start() {
        String s3Secret = System.getProperty(PUBLISHED + "s3-secret", S3_SECRET);
        String kafkaSecret = System.getProperty(PUBLISHED + "kafka-secret", KAFKA_SECRET);
        node = S3Node.start(Path.of("target", "secrets-it", "s3-" + ProcessHandle.current().pid()),
                S3Node.Options.defaults().withCredentials("verdant-it", s3Secret), Lifecycle.ATTACHED);
        SharedLocalInfrastructure.createTopics(java.util.List.of("verdant.bucket-notifications", "verdant.uploads",
                "verdant.models.ingested", "verdant.models.rejected", "verdant.dead-letter", "verdant.usage"), 2);
        System.setProperty(PUBLISHED + "s3-secret", s3Secret);
        System.setProperty(PUBLISHED + "kafka-secret", kafkaSecret);
        System.setProperty(PUBLISHED + "s3-port", Integer.toString(node.port()));
        System.setProperty(PUBLISHED + "s3-pid", Long.toString(node.pid()));
        return Map.ofEntries(
                Map.entry("kafka.bootstrap.servers", SharedLocalInfrastructure.endpoints().kafkaBootstrapServers()),
                // What a SASL deployment sets (KAFKA_SASL_MECHANISM, KAFKA_SASL_JAAS_CONFIG in the environment);
                // security.protocol stays PLAINTEXT here, so the clients hold the password without sending it.
                Map.entry("kafka.security.protocol", "PLAINTEXT"),
                Map.entry("kafka.sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"verdant\" password=\"" + kafkaSecret + "\";"),
                Map.entry("verdant.s3.endpoint", node.endpoint()),
                Map.entry("verdant.s3.access-key", "verdant-it"),
                Map.entry("verdant.s3.secret-key", s3Secret),
                Map.entry("verdant.s3.bucket", "secrets-it"),
                Map.entry("quarkus.log.file.enabled", "true"),
                Map.entry("quarkus.log.file.path", LOG_FILE.toString()),
                Map.entry("quarkus.log.file.level", "DEBUG"),
                Map.entry("quarkus.log.category.\"dev.verdant\".level", "DEBUG"),
                Map.entry("quarkus.log.category.\"io.minio\".level", "DEBUG"),
                Map.entry("quarkus.log.category.\"org.apache.kafka.clients\".level", "INFO"),
                Map.entry("quarkus.log.category.\"io.smallrye.reactive.messaging\".level", "DEBUG"));
    }

    @Override
    public void stop() {
        if (node != null) {
            node.close();
        }
    }
}
