package dev.verdant.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** A real Quarkus test application configured by the resource, as the services' tests will be. */
@QuarkusTest
@WithTestResource(value = LocalInfrastructureTestResource.class,
        initArgs = @ResourceArg(name = LocalInfrastructureTestResource.BUCKET_ARG, value = "quarkus-test"))
class QuarkusTestResourceIT {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "verdant.s3.endpoint")
    String s3Endpoint;

    @ConfigProperty(name = "verdant.s3.bucket")
    String bucket;

    @Test
    void theApplicationSeesTheSharedNodes() {
        assertEquals(SharedLocalInfrastructure.endpoints().kafkaBootstrapServers(), bootstrapServers);
        assertEquals(SharedLocalInfrastructure.endpoints().s3Endpoint(), s3Endpoint);
        assertEquals("quarkus-test", bucket);
    }
}
