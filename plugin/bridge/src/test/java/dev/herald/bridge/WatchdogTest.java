package dev.herald.bridge;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WatchdogTest {
    @Test
    void aProcessWithoutMountsIsAbandoned() throws Exception {
        CompletableFuture<String> gone = new CompletableFuture<>();
        Watchdog.start(() -> 0, Duration.ofSeconds(1), gone::complete);
        assertEquals("no mount for 1 s: the server has abandoned this process", gone.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aMountKeepsTheProcessAndItsLossStartsTheClock() throws Exception {
        AtomicInteger mounts = new AtomicInteger(1);
        CompletableFuture<String> gone = new CompletableFuture<>();
        Watchdog.start(mounts::get, Duration.ofSeconds(1), gone::complete);
        assertThrows(TimeoutException.class, () -> gone.get(2500, TimeUnit.MILLISECONDS), "a mount keeps it alive");
        mounts.set(0);
        assertEquals("no mount for 1 s: the server has abandoned this process", gone.get(5, TimeUnit.SECONDS));
    }
}
