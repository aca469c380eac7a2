package dev.herald.bridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.net.StandardProtocolFamily.UNIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StaleSocketsTest {
    private static Path socket(Path directory, String name) throws Exception {
        Path path = directory.resolve(name);
        try (ServerSocketChannel channel = ServerSocketChannel.open(UNIX)) {
            channel.bind(UnixDomainSocketAddress.of(path)); // the file outlives the channel, as after SIGKILL
        }
        return path;
    }

    @Test
    void removesOnlySocketsOfProcessesThatAreGone(@TempDir Path directory) throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        long deadPid = finished.pid();
        long livePid = ProcessHandle.current().pid();

        Path stale = socket(directory, StaleSockets.name(deadPid, "ab12"));
        Path live = socket(directory, StaleSockets.name(livePid, "cd34"));
        Path notOurs = socket(directory, "plugin12345");
        Path regularFile = Files.writeString(directory.resolve(StaleSockets.name(deadPid, "ef56")), "not a socket");

        assertEquals(1, StaleSockets.remove(directory));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(live), "the socket of a living process stays");
        assertTrue(Files.exists(notOurs), "another plugin's socket stays");
        assertTrue(Files.exists(regularFile), "only sockets are removed");
    }
}
