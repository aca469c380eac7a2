package dev.herald.plugin.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A server the test starts and closes itself: closing leaves no process, port or work directory. */
@Timeout(120)
class DevServerTest {

    /** Only to find the binaries and to skip (or fail) a server that is missing. */
    @RegisterExtension
    static final DevServerExtension SERVERS = DevServerExtension.builder().build();

    @TempDir
    Path output;

    private Path script(String name, String text) throws Exception {
        Path file = output.resolve("bin").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /**
     * A plugin command that never completes its handshake and has a child of its own: closing the
     * server ends the server, the plugin process and the plugin's child (which a plain stop of the
     * server would orphan), frees the port and deletes the work directory; the log stays.
     */
    @ServerTest
    void closeLeavesNoProcessPortOrWorkDirectoryBehind(ServerType type) throws Exception {
        Path lingerer = script("lingerer", "#!/bin/sh\nsleep 300 &\nwait\n");
        DevServer server = DevServer.builder(type, SERVERS.binary(type).orElseThrow()).label("close")
                .outputDirectory(output).start();
        Process register = null;
        try {
            Files.copy(lingerer, server.pluginDirectory().resolve("lingerer"),
                    java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            // Registration runs the command and waits for its handshake: do not wait for it.
            register = server.clientProcess(List.of(server.binary().toString(), "plugin", "register",
                            "-sha256=" + PluginUnderTest.sha256Of(lingerer), "-command=lingerer", "secret", "lingerer"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertTrue(DevServer.await(Duration.ofSeconds(20), () -> server.descendants().stream()
                            .anyMatch(p -> p.info().command().orElse("").endsWith("sleep"))),
                    () -> "the plugin command's child should be running: " + DevServer.describe(server.descendants()));
            List<ProcessHandle> started = server.descendants();
            ProcessHandle serverProcess = server.processHandle();
            int port = URI.create(server.address()).getPort();

            server.close();

            assertFalse(serverProcess.isAlive(), "server process");
            for (ProcessHandle process : started) {
                assertFalse(process.isAlive(), () -> "left behind: " + DevServer.describe(List.of(process)));
            }
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, socket.getLocalPort(), "the port is free again");
            }
            assertFalse(Files.exists(server.workDirectory()), "the work directory is deleted");
            assertTrue(Files.exists(server.logFile()), "the log is kept");
        } finally {
            server.close();
            if (register != null) {
                register.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** A plugin that dies at once: the start fails saying why, and the half-started server is gone. */
    @ServerTest
    void aPluginThatCannotStartFailsTheStartAndLeavesNothingBehind(ServerType type) throws Exception {
        Path broken = script("broken", "#!/bin/sh\necho 'broken plugin: cannot start' >&2\nexit 3\n");
        List<ProcessHandle> before = ProcessHandle.current().descendants().toList();

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DevServer.builder(type, SERVERS.binary(type).orElseThrow()).label("broken")
                        .outputDirectory(output).plugin(PluginUnderTest.command(broken).build()).start());

        assertTrue(e.getMessage().contains("secret plugin broken from " + broken), e::getMessage);
        assertTrue(e.getMessage().contains("last lines of "), e::getMessage);
        List<ProcessHandle> left = ProcessHandle.current().descendants()
                .filter(p -> !before.contains(p) && p.isAlive()).toList();
        assertTrue(left.isEmpty(), () -> "left behind: " + DevServer.describe(left));
        try (var work = Files.list(output.resolve("work"))) {
            assertEquals(List.of(), work.toList(), "no work directory left");
        }
    }
}
