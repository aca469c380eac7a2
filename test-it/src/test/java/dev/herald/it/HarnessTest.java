package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The harness itself, proven with the builtin {@code kv} engine (no Herald needed): servers start
 * and answer, the CLI and HTTP helpers work, mounts are cleaned between tests, and closing a server
 * leaves no process behind.
 */
@Timeout(120)
class HarnessTest {

    @OnEachServer
    void serverIsUnsealedAndAnswersCliAndHttp(DevServer server) {
        HttpResult health = server.http("GET", "sys/health", null).assertStatus(200);
        assertEquals(false, health.json().get("sealed"));

        CliResult status = server.cli("status", "-format=json").assertSuccess();
        assertEquals(false, status.json().get("sealed"));
        assertTrue(server.processHandle().isAlive());
        assertEquals(server.pid(), server.processHandle().pid());
        assertTrue(server.log().contains("127.0.0.1"), "the server log is captured");
    }

    @OnEachServer
    void kvRoundTripThroughCliAndHttp(DevServer server) {
        server.cli("secrets", "enable", "-path=kv-harness", "kv").assertSuccess();
        server.cli("write", "kv-harness/greeting", "text=hello", "count=3").assertSuccess();

        Map<String, Object> read = server.cli("read", "-format=json", "kv-harness/greeting").assertSuccess().json();
        assertEquals(Map.of("text", "hello", "count", "3"), read.get("data"));

        server.http("POST", "kv-harness/other", Map.of("n", 7)).assertStatus(204);
        assertEquals(7L, server.http("GET", "kv-harness/other", null).assertStatus(200).data().get("n"));

        Map<String, Object> mounts = server.cli("secrets", "list", "-format=json").assertSuccess().json();
        assertEquals("kv", Json.at(mounts, "kv-harness/", "type"));
    }

    @OnEachServer
    void errorsCarryStatusAndMessage(DevServer server) {
        HttpResult missing = server.http("GET", "no-such-mount/x", null);
        assertEquals(404, missing.status(), missing::toString);
        assertFalse(missing.errors().isEmpty(), missing::toString);

        CliResult cli = server.cli("read", "no-such-mount/x").assertFailure();
        assertTrue(cli.stderr().contains("no-such-mount"), cli::toString);
    }

    @OnEachServer
    void mountsAddedByATestAreDisabled(DevServer server) {
        server.cli("secrets", "enable", "-path=kv-temp", "kv").assertSuccess();
        assertTrue(server.mounts().contains("kv-temp/"));

        assertEquals(List.of("kv-temp/"), server.disableMountsAddedSinceStart());
        assertFalse(server.mounts().contains("kv-temp/"));
        assertTrue(server.mounts().contains("sys/"), "the server's own mounts stay");
    }

    @OnEachServer
    void serversOfOneClassAreShared(DevServer server, Herald herald) {
        assertTrue(herald.server() == server, "Herald is bound to the class's shared server");
    }

    /**
     * A plugin command that never completes the handshake and has a child of its own: closing the
     * server must end the server, the plugin process and the plugin's child (which a plain stop of
     * the server would orphan).
     */
    @OnEachServer
    void closeLeavesNoProcessBehind(ServerKind kind) throws Exception {
        DevServer server = DevServer.start(kind, "HarnessTest-close");
        Process register = null;
        try {
            Path command = server.pluginDir().resolve("lingerer");
            Files.writeString(command, "#!/bin/sh\nsleep 300 &\nwait\n");
            Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwxr-xr-x"));
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(command)));

            // Registration runs the command and waits up to 60 s for its handshake: do not wait for it.
            register = server.clientProcess(List.of(server.binary().toString(), "plugin", "register",
                            "-sha256=" + sha256, "-command=lingerer", "secret", "lingerer"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            assertTrue(DevServer.await(Duration.ofSeconds(20), () -> server.descendants().stream()
                            .anyMatch(p -> p.info().command().orElse("").endsWith("sleep"))),
                    () -> "the plugin command's child should be running: " + DevServer.describe(server.descendants()));
            List<ProcessHandle> started = server.descendants();
            ProcessHandle serverProcess = server.processHandle();

            server.close();

            assertFalse(serverProcess.isAlive(), "server process");
            for (ProcessHandle process : started) {
                assertFalse(process.isAlive(), () -> "left behind: " + DevServer.describe(List.of(process)));
            }
            assertFalse(Files.exists(server.pluginDir()), "the work directory is deleted");
            assertTrue(Files.exists(server.logFile()), "the log is kept");
        } finally {
            server.close();
            if (register != null) {
                register.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * CI requires both servers (scripts/test.sh sets herald.it.require): a required server whose
     * binary is missing must fail its tests, never skip them. Shown with a PATH that has no server
     * binary on it, without touching the real ones.
     */
    @Test
    void aRequiredServerWithoutItsBinaryFailsItsTestsInsteadOfSkippingThem() throws Exception {
        Path emptyDirectory = Files.createTempDirectory("herald-no-servers");
        try {
            UnaryOperator<String> none = name -> null;
            UnaryOperator<String> noServerOnPath = name -> name.equals("PATH") ? emptyDirectory.toString() : null;
            UnaryOperator<String> requireBoth = name -> name.equals("herald.it.require") ? "bao,vault" : null;
            for (ServerKind kind : ServerKind.values()) {
                Optional<Path> missing = kind.binary(none, noServerOnPath);
                assertEquals(Optional.empty(), missing);
                assertTrue(kind.required(requireBoth, none), "herald.it.require=bao,vault requires " + kind);
                assertTrue(kind.required(none, name -> name.equals("HERALD_IT_REQUIRE") ? " " + kind.cli() : null));
                assertFalse(kind.required(none, none));

                IllegalStateException failure = assertThrows(IllegalStateException.class,
                        () -> ServerExtension.condition(kind, missing, true), "a required server that is missing");
                assertTrue(failure.getMessage().startsWith(kind.missingReason()), failure::getMessage);
                assertTrue(ServerExtension.condition(kind, missing, false).isDisabled(), "an optional one is skipped");
                assertFalse(ServerExtension.condition(kind, Optional.of(Path.of("/bin/true")), true).isDisabled());
            }
        } finally {
            Files.delete(emptyDirectory);
        }
    }
}
