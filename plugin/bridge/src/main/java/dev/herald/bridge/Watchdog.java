package dev.herald.bridge;

import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * Ends a plugin process that no server uses any more, which it would otherwise outlive:
 * <ul>
 *   <li>The server process is gone. A Go plugin dies of SIGPIPE at its next write to the closed
 *       stderr pipe; the JVM ignores SIGPIPE. The kernel re-parents an orphan, so a changed parent
 *       id means the server has exited.</li>
 *   <li>The server is alive but has abandoned the process: no mount for {@link #ABANDONED_AFTER}.
 *       A server sets a mount up right after starting a plugin and stops a plugin whose last
 *       mount went away; but when a start times out (a slow reload, say), it falls back to an older
 *       protocol and leaves the first process running, unused, for good.</li>
 * </ul>
 */
final class Watchdog {
    static final Duration ABANDONED_AFTER = Duration.ofSeconds(60);
    private static final long PERIOD_MS = 500;

    private Watchdog() {
    }

    /** @param onGone called once, with the reason, when the process should exit */
    static void start(IntSupplier mountCount, java.util.function.Consumer<String> onGone) {
        start(mountCount, ABANDONED_AFTER, onGone);
    }

    static void start(IntSupplier mountCount, Duration abandonedAfter, java.util.function.Consumer<String> onGone) {
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        Thread.ofPlatform().daemon().name("herald-watchdog").start(() -> {
            long unusedSince = System.nanoTime();
            while (true) {
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                if (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) != parent) {
                    onGone.accept("the server process is gone");
                    return;
                }
                if (mountCount.getAsInt() > 0) {
                    unusedSince = now;
                } else if (now - unusedSince > abandonedAfter.toNanos()) {
                    onGone.accept("no mount for " + abandonedAfter.toSeconds() + " s: the server has abandoned this process");
                    return;
                }
            }
        });
    }
}
