package dev.herald.bridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watchdog's decisions, told apart by what it saw: the mount counts it read, in order, and the
 * reason it gave up. The timeouts only guard against a watchdog that never gives up.
 */
@Timeout(60)
class WatchdogTest {
    /** Checks that find a mount; with the watchdog's 500 ms between checks, they span 3 s or more. */
    private static final int HELD = 6;
    private static final Duration ABANDONED = Duration.ofSeconds(2);

    @Test
    void aProcessWithoutMountsIsAbandoned() throws Exception {
        List<Integer> checks = new CopyOnWriteArrayList<>();
        CompletableFuture<String> gone = new CompletableFuture<>();
        Watchdog.start(() -> record(checks, 0), Duration.ofSeconds(1), gone::complete);
        assertEquals("no mount for 1 s: the server has abandoned this process", gone.get());
        assertTrue(checks.size() >= 1, "it looked at the mounts before giving up");
    }

    /**
     * Sleeps never end early, so the {@link #HELD} checks that find a mount span more than
     * {@link #ABANDONED}: a watchdog whose clock ran from its start, or that a mount did not hold,
     * would give up at the first check without a mount or before it. Only a single 500 ms sleep
     * overrunning by more than 1.5 s could make the correct watchdog give up that early.
     */
    @Test
    void aMountKeepsTheProcessAndItsLossStartsTheClock() throws Exception {
        List<Integer> checks = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> gone = new CompletableFuture<>();
        Watchdog.start(() -> record(checks, calls.incrementAndGet() <= HELD ? 1 : 0), ABANDONED, gone::complete);
        assertEquals("no mount for 2 s: the server has abandoned this process", gone.get());
        List<Integer> seen = List.copyOf(checks);
        assertEquals(Collections.nCopies(HELD, 1), seen.subList(0, Math.min(HELD, seen.size())),
                () -> "it gave up while a mount was there: " + seen);
        List<Integer> withoutMount = seen.subList(HELD, seen.size());
        assertTrue(withoutMount.size() >= 2 && !withoutMount.contains(1),
                () -> "it gave up after more than one check without a mount: " + seen);
    }

    private static int record(List<Integer> checks, int mounts) {
        checks.add(mounts);
        return mounts;
    }
}
