package dev.verdant.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(6, Duration.ofMillis(100), Duration.ofMillis(700));

    @Test
    void pausesDoubleUpToTheCap() {
        assertEquals(Duration.ofMillis(100), policy.ceilingBefore(1));
        assertEquals(Duration.ofMillis(200), policy.ceilingBefore(2));
        assertEquals(Duration.ofMillis(400), policy.ceilingBefore(3));
        assertEquals(Duration.ofMillis(700), policy.ceilingBefore(4));
        assertEquals(Duration.ofMillis(700), policy.ceilingBefore(100));
    }

    @Test
    void jitterStaysBetweenHalfAndAllOfTheCeiling() {
        for (int i = 0; i < 1000; i++) {
            Duration pause = policy.delayBefore(3);
            assertTrue(pause.compareTo(Duration.ofMillis(200)) >= 0 && pause.compareTo(Duration.ofMillis(400)) <= 0,
                    pause.toString());
        }
    }

    @Test
    void rejectsPoliciesThatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> policy.ceilingBefore(0));
        assertEquals(1, RetryPolicy.none().maxAttempts());
        assertEquals(5, RetryPolicy.defaults().maxAttempts());
    }
}
