package dev.verdant.messaging;

import dev.verdant.store.ArtifactStoreException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.logging.Logger;

/**
 * Runs a record's job again while the store or the broker is unreachable, with back-off, before the
 * record is given up to the dead-letter topic. The store already retries each call for a few seconds
 * ({@code RetryPolicy.defaults()}); an outage longer than that (an S3 server restarting, a network
 * cut of half a minute) would otherwise send a good record to the dead letters and leave its run
 * without the variant, evaluation or fact it carried. Every job is idempotent (markers in the bucket,
 * CloudEvents ids derived from the fact), so doing it again from the start is safe.
 *
 * <p>Pauses: {@code firstPause}, doubled each time up to {@code maxPause}; the job is given up when
 * the next pause would end past {@code budget} after the first failure. Only outages are retried:
 * a record that cannot be read or a model that cannot be processed fails the same way every time and
 * goes to the dead letters at once. While the service shuts down nothing is given up either: the
 * record is held ({@link ShutdownGuard}) and delivered again after the restart.
 */
public final class OutageRetry {
    /** Rides out a 30 s store outage with room to spare, and a broker restart. */
    public static final Duration DEFAULT_BUDGET = Duration.ofMinutes(3);
    public static final Duration DEFAULT_FIRST_PAUSE = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_PAUSE = Duration.ofSeconds(20);

    private final Duration budget;
    private final Duration firstPause;
    private final Duration maxPause;
    private final Logger log;
    private final LongConsumer sleeper;

    public OutageRetry(Duration budget, Duration firstPause, Duration maxPause, Logger log) {
        this(budget, firstPause, maxPause, log, OutageRetry::sleep);
    }

    OutageRetry(Duration budget, Duration firstPause, Duration maxPause, Logger log, LongConsumer sleeper) {
        if (budget.isNegative() || firstPause.isNegative() || maxPause.compareTo(firstPause) < 0) {
            throw new IllegalArgumentException("need budget >= 0 and 0 <= firstPause <= maxPause, got " + budget + ", "
                    + firstPause + ", " + maxPause);
        }
        this.budget = budget;
        this.firstPause = firstPause;
        this.maxPause = maxPause;
        this.log = log;
        this.sleeper = sleeper;
    }

    /** {@link #DEFAULT_BUDGET}, pauses from {@link #DEFAULT_FIRST_PAUSE} up to {@link #DEFAULT_MAX_PAUSE}. */
    public static OutageRetry defaults(Logger log) {
        return new OutageRetry(DEFAULT_BUDGET, DEFAULT_FIRST_PAUSE, DEFAULT_MAX_PAUSE, log);
    }

    /**
     * Runs {@code work}; runs it again after a pause while it fails with an outage, within the budget.
     *
     * @param job named in the log lines, e.g. "record verdant.usage-0@12"
     * @throws RuntimeException what {@code work} threw: at once when it is no outage, else once the budget is spent
     */
    public void run(String job, Runnable work) {
        long waitedMs = 0;
        Duration pause = firstPause;
        for (int attempt = 1; ; attempt++) {
            try {
                work.run();
                if (attempt > 1) {
                    log.infof("%s: done on attempt %d, after %.1f s of waiting for the outage to end", job, attempt,
                            waitedMs / 1000.0);
                }
                return;
            } catch (RuntimeException e) {
                if (!isOutage(e)) {
                    throw e;
                }
                if (waitedMs + pause.toMillis() > budget.toMillis()) {
                    log.errorf("%s: still failing after %d attempts over %.1f s (%s); giving up", job, attempt,
                            waitedMs / 1000.0, e.getMessage());
                    ShutdownGuard.holdIfShuttingDown(job);
                    throw e;
                }
                log.warnf("%s: attempt %d failed, the store or the broker is unreachable (%s); doing the job again in"
                        + " %d ms", job, attempt, e.getMessage(), pause.toMillis());
                sleeper.accept(pause.toMillis());
                ShutdownGuard.holdIfShuttingDown(job);
                waitedMs += pause.toMillis();
                pause = pause.multipliedBy(2).compareTo(maxPause) > 0 ? maxPause : pause.multipliedBy(2);
            }
        }
    }

    /**
     * An outage: the store failed after retrying transient errors (its attempts say so), a connection
     * was refused, or the Kafka client says the error is retriable (a broker restarting, a timeout).
     * Not an outage: a missing object, a refused request, a record that cannot be read.
     */
    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ArtifactStoreException s && s.attempts() > 1) {
                return true;
            }
            if (t instanceof ConnectException || t instanceof RetriableException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            // Interrupted by the shutdown: the caller holds the record (ShutdownGuard) right after.
            Thread.currentThread().interrupt();
        }
    }
}
