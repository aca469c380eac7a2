package dev.herald.bridge;

/**
 * Ends the process when the server that started it is gone. A Go plugin dies of SIGPIPE at its
 * next write to the closed stderr pipe; the JVM ignores SIGPIPE, so without this an orphaned
 * plugin JVM would live on. The kernel re-parents an orphan, so a changed parent id means the
 * server has exited.
 */
final class ParentWatchdog {
    private ParentWatchdog() {
    }

    static void start(Runnable onOrphaned) {
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        Thread.ofPlatform().daemon().name("herald-parent-watchdog").start(() -> {
            while (true) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                long now = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
                if (now != parent) {
                    onOrphaned.run();
                    return;
                }
            }
        });
    }
}
