package dev.verdant.testsupport;

import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The same round trips as {@link LocalInfrastructureExtensionIT}, against Kafka and MinIO in
 * containers. Skipped (not failed) where no Docker engine runs, such as on the build machines
 * that use the local nodes.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersSmokeIT {

    @Container
    static final ContainerInfrastructure INFRA = new ContainerInfrastructure();

    @Test
    void kafkaCarriesARecord() {
        InfraRoundTrips.kafka(INFRA.endpoints());
    }

    @Test
    void s3StoresAnObject() throws Exception {
        InfraRoundTrips.s3(INFRA.endpoints());
    }
}
