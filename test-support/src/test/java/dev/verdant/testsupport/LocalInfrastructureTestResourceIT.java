package dev.verdant.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.verdant.infra.InfraEndpoints;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The resource's contract as Quarkus calls it: init, start, the config it returns. */
class LocalInfrastructureTestResourceIT {

    @Test
    void returnsTheSharedEndpointsAsConfiguration() {
        LocalInfrastructureTestResource resource = new LocalInfrastructureTestResource();
        resource.init(Map.of());
        Map<String, String> config = resource.start();
        resource.stop();

        InfraEndpoints shared = SharedLocalInfrastructure.endpoints();
        assertEquals(Map.of(
                "kafka.bootstrap.servers", shared.kafkaBootstrapServers(),
                "verdant.s3.endpoint", shared.s3Endpoint(),
                "verdant.s3.access-key", shared.accessKey(),
                "verdant.s3.secret-key", shared.secretKey(),
                "verdant.s3.bucket", "verdant"), config);
    }

    @Test
    void givesUniqueBucketsAndCreatesTopicsOnRequest() throws Exception {
        String topic = "resource-" + UUID.randomUUID();
        Map<String, String> args = Map.of("bucket", "models", "unique-bucket", "true", "topics", topic + ", ",
                "partitions", "3");
        LocalInfrastructureTestResource first = new LocalInfrastructureTestResource();
        first.init(args);
        LocalInfrastructureTestResource second = new LocalInfrastructureTestResource();
        second.init(args);

        String firstBucket = first.start().get("verdant.s3.bucket");
        String secondBucket = second.start().get("verdant.s3.bucket");

        assertTrue(firstBucket.startsWith("models-"), firstBucket);
        assertNotEquals(firstBucket, secondBucket);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedLocalInfrastructure.endpoints().kafkaBootstrapServers()))) {
            assertEquals(3, admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions().size());
        }
    }
}
