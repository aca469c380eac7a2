package dev.herald.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How often and how patiently a request is sent again: only after a connection failure or a 5xx
 * (or 429) answer, never after another 4xx, which would only be refused again. Exponential backoff
 * from {@code base}, capped at {@code max}, with full jitter so that many clients restarted together
 * do not retry in step.
 *
 * @param attempts how many times a request is sent at most (1: never again)
 */
public record Retry(int attempts, Duration base, Duration max) {
    /** Five attempts, 100 ms doubling up to 5 s: rides out a leader election (about 10 s). */
    public static final Retry DEFAULT = new Retry(5, Duration.ofMillis(100), Duration.ofSeconds(5));
    /** One attempt. */
    public static final Retry NONE = new Retry(1, Duration.ZERO, Duration.ZERO);

    public Retry {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
        if (base.isNegative() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 <= base <= max");
        }
    }

    /** Whether an answer with this status is worth sending again. */
    static boolean retryable(int status) {
        return status >= 500 || status == 429;
    }

    /** The pause before attempt {@code attempt} + 1 (attempt counts from 1): uniform in [0, min(max, base * 2^(attempt-1))]. */
    Duration delayAfter(int attempt, RandomGenerator random) {
        long cap = base.toMillis() << Math.min(attempt - 1, 20);
        long bound = Math.min(max.toMillis(), cap);
        return Duration.ofMillis(bound <= 0 ? 0 : random.nextLong(bound + 1));
    }
}
