package dev.verdant.store;

import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * Writes that must not be given up quickly: a job's marker, written after the job's outcome is
 * published. Were the marker write to fail, the record would come back and the job would be done
 * again, publishing a second outcome with other figures under the same ids (found by OutageIT: S3
 * went away right after an evaluation was published). So while the store fails after its own
 * retries ({@link RetryPolicy}), the write is tried again after 1 s, 2 s, 4 s ... up to 20 s, for at
 * most {@link #PATIENCE}; then the failure propagates. A refusal that was not retried (a bad key, a
 * missing bucket) propagates at once.
 */
public final class PatientWrite {
    /** Rides out a 30 s store outage with room to spare. */
    public static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final long FIRST_PAUSE_MS = 1_000;
    private static final long MAX_PAUSE_MS = 20_000;

    private PatientWrite() {
    }

    public static void run(Runnable write) {
        run(write, PATIENCE, PatientWrite::sleep);
    }

    static void run(Runnable write, Duration patience, LongConsumer sleeper) {
        long waitedMs = 0;
        long pauseMs = FIRST_PAUSE_MS;
        while (true) {
            try {
                write.run();
                return;
            } catch (ArtifactStoreException e) {
                if (e.attempts() <= 1 || waitedMs + pauseMs > patience.toMillis()) {
                    throw e;
                }
                sleeper.accept(pauseMs);
                if (Thread.currentThread().isInterrupted()) {
                    throw e; // shutting down: the record is held and comes back after the restart
                }
                waitedMs += pauseMs;
                pauseMs = Math.min(pauseMs * 2, MAX_PAUSE_MS);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
