package dev.verdant.testsupport;

import dev.verdant.infra.InfraEndpoints;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startable;
import org.testcontainers.utility.DockerImageName;

/**
 * The Docker alternative to the local nodes, for machines with a Docker engine: Apache Kafka and
 * real MinIO (which, unlike s3proxy, can send bucket notifications) in containers. Same
 * {@link InfraEndpoints}, so a test can run against either.
 *
 * <p>Needs {@code org.testcontainers:testcontainers-kafka} and {@code testcontainers-minio} on the
 * test classpath (test-support declares them optional). As a {@link Startable} it works with
 * Testcontainers' JUnit extension:
 * <pre>
 * &#64;Testcontainers(disabledWithoutDocker = true)
 * class SomethingIT {
 *     &#64;Container
 *     static final ContainerInfrastructure INFRA = new ContainerInfrastructure();
 * }
 * </pre>
 */
public final class ContainerInfrastructure implements Startable {

    /** The same Kafka version as the local broker (kafka.version in the parent pom). */
    public static final String KAFKA_IMAGE = "apache/kafka:4.1.2";
    /** Docker Hub stopped serving minio/minio; the same images are on quay.io. Pinned, never latest. */
    public static final String MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z";

    private final KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE));
    private final MinIOContainer minio = new MinIOContainer(
            DockerImageName.parse(MINIO_IMAGE).asCompatibleSubstituteFor("minio/minio"));

    @Override
    public void start() {
        kafka.start();
        try {
            minio.start();
        } catch (RuntimeException e) {
            kafka.stop();
            throw e;
        }
    }

    @Override
    public void stop() {
        try {
            minio.stop();
        } finally {
            kafka.stop();
        }
    }

    public InfraEndpoints endpoints() {
        return new InfraEndpoints(kafka.getBootstrapServers(), minio.getS3URL(), minio.getUserName(), minio.getPassword());
    }
}
