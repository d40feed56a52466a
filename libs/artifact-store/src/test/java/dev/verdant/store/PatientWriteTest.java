package dev.verdant.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PatientWriteTest {
    private final List<Long> pauses = new ArrayList<>();

    private static ArtifactStoreException outage(int attempts) {
        return new ArtifactStoreException("put", "runs/r/made/v.json", attempts, "store unreachable", null);
    }

    @Test
    void aWriteFailingAfterTheStoresRetriesIsTriedAgainWithDoublingPauses() {
        AtomicInteger calls = new AtomicInteger();
        PatientWrite.run(() -> {
            if (calls.incrementAndGet() < 5) {
                throw outage(5);
            }
        }, Duration.ofMinutes(3), pauses::add);
        assertEquals(5, calls.get());
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L), pauses);
    }

    @Test
    void pausesStopGrowingAt20SecondsAndTheFailurePropagatesOnceThePatienceIsSpent() {
        AtomicInteger calls = new AtomicInteger();
        ArtifactStoreException failure = outage(5);
        assertSame(failure, assertThrows(ArtifactStoreException.class, () -> PatientWrite.run(() -> {
            calls.incrementAndGet();
            throw failure;
        }, Duration.ofMinutes(3), pauses::add)));
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 20_000L), pauses.subList(0, 6));
        long waited = pauses.stream().mapToLong(Long::longValue).sum();
        assertTrue(waited <= 180_000L && waited + 20_000L > 180_000L, "waited " + waited + " ms");
        assertEquals(pauses.size() + 1, calls.get());
    }

    @Test
    void aRefusalTheStoreDidNotRetryPropagatesAtOnce() {
        ArtifactStoreException refused = outage(1);
        assertSame(refused, assertThrows(ArtifactStoreException.class, () -> PatientWrite.run(() -> {
            throw refused;
        }, Duration.ofMinutes(3), pauses::add)));
        assertTrue(pauses.isEmpty());
    }
}
