package dev.verdant.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.events.CloudEventCodec;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.ArtifactStoreException;
import dev.verdant.store.RetryPolicy;
import dev.verdant.store.S3Settings;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression: a store outage longer than the store's own retries (about 3 s) sent good records to the
 * dead letters; now the job is done again with back-off, within a budget.
 */
class OutageRetryTest {
    private static final Logger LOG = Logger.getLogger(OutageRetryTest.class);
    /** What the real store throws when nothing listens on its port (its retries spent). */
    private static ArtifactStoreException unreachable;

    @BeforeAll
    static void realStoreFailure() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        try (ArtifactStore store = new ArtifactStore(new S3Settings("http://127.0.0.1:" + port, "k", "secret-key",
                "verdant", "us-east-1"), new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1)))) {
            store.exists("runs/x/run.json");
        } catch (ArtifactStoreException e) {
            unreachable = e;
        }
        assertThat(unreachable).as("an unreachable store throws").isNotNull();
    }

    private static OutageRetry retry(Duration budget, List<Long> pauses) {
        return new OutageRetry(budget, Duration.ofSeconds(1), Duration.ofSeconds(4), LOG, pauses::add);
    }

    @Test
    void anOutageThatEndsWithinTheBudgetEndsInTheJobDone() {
        List<Long> pauses = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        retry(Duration.ofSeconds(30), pauses).run("job", () -> {
            if (calls.incrementAndGet() < 5) {
                throw unreachable;
            }
        });
        assertThat(calls).hasValue(5);
        assertThat(pauses).containsExactly(1000L, 2000L, 4000L, 4000L);
    }

    @Test
    void anOutageLongerThanTheBudgetEndsInTheStoreFailureAfterBoundedWaiting() {
        List<Long> pauses = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry(Duration.ofSeconds(14), pauses).run("job", () -> {
            calls.incrementAndGet();
            throw unreachable;
        })).isSameAs(unreachable);
        // 1 + 2 + 4 + 4 = 11 s waited; another 4 s would end past 14 s.
        assertThat(pauses).containsExactly(1000L, 2000L, 4000L, 4000L);
        assertThat(calls).hasValue(5);
    }

    @Test
    void whatIsNoOutageFailsAtOnce() {
        List<Long> pauses = new ArrayList<>();
        RuntimeException unreadable = new CloudEventCodec.MalformedEventException("not a CloudEvent");
        assertThatThrownBy(() -> retry(Duration.ofSeconds(30), pauses).run("job", () -> {
            throw unreadable;
        })).isSameAs(unreadable);
        assertThat(pauses).isEmpty();
    }

    @Test
    void outagesAreTheStoreAfterItsRetriesAndRetriableKafkaErrors() {
        assertThat(OutageRetry.isOutage(unreachable)).isTrue();
        assertThat(OutageRetry.isOutage(new IllegalStateException("publishing failed",
                new NotLeaderOrFollowerException("broker restarting")))).isTrue();
        assertThat(OutageRetry.isOutage(new IllegalStateException("no run marker"))).isFalse();
        assertThat(OutageRetry.isOutage(new IllegalArgumentException("bad recipe"))).isFalse();
    }
}
