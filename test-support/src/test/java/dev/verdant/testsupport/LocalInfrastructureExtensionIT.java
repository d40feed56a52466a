package dev.verdant.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.verdant.infra.InfraEndpoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@WithLocalInfrastructure
class LocalInfrastructureExtensionIT {

    private static InfraEndpoints fromBeforeAll;

    @BeforeAll
    static void rememberEndpoints(InfraEndpoints infra) {
        fromBeforeAll = infra;
    }

    @Test
    void injectsTheSharedEndpointsEverywhere(InfraEndpoints infra) {
        assertEquals(fromBeforeAll, infra);
        assertEquals(SharedLocalInfrastructure.endpoints(), infra);
        assertTrue(infra.kafkaBootstrapServers().startsWith("127.0.0.1:"), infra.toString());
        assertTrue(infra.s3Endpoint().startsWith("http://127.0.0.1:"), infra.toString());
    }

    @Test
    void kafkaCarriesARecord(InfraEndpoints infra) {
        InfraRoundTrips.kafka(infra);
    }

    @Test
    void s3StoresAnObject(InfraEndpoints infra) throws Exception {
        InfraRoundTrips.s3(infra);
    }
}
