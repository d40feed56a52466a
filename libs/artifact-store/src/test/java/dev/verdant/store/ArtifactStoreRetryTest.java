package dev.verdant.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.verdant.store.ScriptedHttpServer.Answer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Retries against real failures: a closed port, and an HTTP server that answers 503 on cue. */
class ArtifactStoreRetryTest {

    private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));

    @Test
    void aClosedPortIsRetriedThenReportedWithOperationKeyAndEndpoint() throws IOException {
        String endpoint = "http://127.0.0.1:" + closedPort();
        try (ArtifactStore store = new ArtifactStore(new S3Settings(endpoint, "a", "s", "verdant"), FAST)) {
            ArtifactStoreException failure = assertThrows(ArtifactStoreException.class, () -> store.stat("models/m.onnx"));

            assertEquals(3, failure.attempts());
            assertEquals("stat", failure.operation());
            assertEquals("models/m.onnx", failure.key());
            assertEquals("stat of models/m.onnx at " + endpoint + "/verdant failed after 3 attempts: cannot connect"
                    + " (Failed to connect to /127.0.0.1:" + endpoint.substring(endpoint.lastIndexOf(':') + 1) + ")",
                    failure.getMessage());
        }
    }

    @Test
    void slowDownAndServerErrorsAreRetriedUntilTheServerRecovers() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer(
                Answer.error(503, "SlowDown"), Answer.error(500, "InternalError"), Answer.objectHead(5, "ab12"));
             ArtifactStore store = new ArtifactStore(new S3Settings(server.endpoint(), "a", "s", "verdant"), FAST)) {

            Optional<ObjectInfo> info = store.stat("models/m.onnx");

            assertEquals(3, server.requests().size(), server.requests().toString());
            assertEquals(5, info.orElseThrow().size());
            assertEquals("ab12", info.get().userMetadata().get("sha256"));
        }
    }

    @Test
    void giveUpAfterTheLastAttempt() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer(Answer.error(503, "SlowDown"));
             ArtifactStore store = new ArtifactStore(new S3Settings(server.endpoint(), "a", "s", "verdant"), FAST)) {

            ArtifactStoreException failure = assertThrows(ArtifactStoreException.class, () -> store.getBytes("k", 10));

            assertEquals(3, server.requests().size());
            assertEquals(3, failure.attempts());
            assertTrue(failure.getMessage().contains("after 3 attempts"), failure.getMessage());
        }
    }

    @Test
    void clientErrorsAndMissingObjectsAreNotRetried() throws IOException {
        try (ScriptedHttpServer server = new ScriptedHttpServer(Answer.error(403, "AccessDenied"));
             ArtifactStore store = new ArtifactStore(new S3Settings(server.endpoint(), "a", "s", "verdant"), FAST)) {
            ArtifactStoreException failure = assertThrows(ArtifactStoreException.class, () -> store.list("models/", true));
            assertEquals(1, server.requests().size());
            assertTrue(failure.getMessage().startsWith("list of models/ at " + server.endpoint() + "/verdant failed: AccessDenied"),
                    failure.getMessage());
        }
        try (ScriptedHttpServer server = new ScriptedHttpServer(new Answer(404, java.util.Map.of(), null));
             ArtifactStore store = new ArtifactStore(new S3Settings(server.endpoint(), "a", "s", "verdant"), FAST)) {
            assertFalse(store.exists("models/missing.onnx"));
            assertEquals(1, server.requests().size());
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
