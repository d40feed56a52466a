package dev.verdant.store;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently to retry transient S3 failures (connection problems, HTTP 5xx,
 * SlowDown). The pause before retry {@code n} (n = 1, 2, ...) is {@code baseDelay * 2^(n-1)}, capped at
 * {@code maxDelay}, then scaled by a random factor in [0.5, 1] so that many clients that failed together
 * do not retry together.
 *
 * @param maxAttempts total tries, the first one included; 1 means no retry
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay, got " + baseDelay + " and " + maxDelay);
        }
    }

    /** 5 attempts, 200 ms doubling up to 5 s: rides out a restarting server (about 3 s of pauses). */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(5));
    }

    /** One attempt, no retry. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    /** The longest pause before retry {@code retry} (1 for the first retry): before the random scaling. */
    public Duration ceilingBefore(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries count from 1, was " + retry);
        }
        int doublings = Math.min(retry - 1, 30); // 2^30 x any sane base delay is past every cap
        Duration exponential = baseDelay.multipliedBy(1L << doublings);
        return exponential.compareTo(maxDelay) > 0 ? maxDelay : exponential;
    }

    /** The pause before retry {@code retry}: between half of {@link #ceilingBefore} and all of it. */
    public Duration delayBefore(int retry) {
        long ceiling = ceilingBefore(retry).toNanos();
        return Duration.ofNanos(ceiling / 2 + (long) (ThreadLocalRandom.current().nextDouble() * (ceiling - ceiling / 2)));
    }
}
