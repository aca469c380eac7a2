package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The harness itself, proven with the builtin {@code kv} engine (no Herald needed): servers start
 * and answer, the CLI and HTTP helpers work, mounts are cleaned between tests. (That closing a
 * server leaves no process behind, and that a required server fails instead of skipping, are the
 * test kit's own tests.)
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
     * CI requires both servers (scripts/test.sh sets herald.it.require): Herald's names find the
     * binaries and the required servers, and the kit's extension, which fails a required server's
     * tests when its binary is missing, reads the same list. Shown with a PATH that has no server
     * binary on it, without touching the real ones.
     */
    @Test
    void heraldsNamesFindTheBinariesAndTheRequiredServers() throws Exception {
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

                assertEquals(ServerExtension.SERVERS.required(kind.type()), kind.required(),
                        "the kit's extension requires what herald.it.require names");
            }
        } finally {
            Files.delete(emptyDirectory);
        }
    }
}
