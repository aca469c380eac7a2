package dev.herald.plugin.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The extension on real servers, without a plugin (the kit has none of its own; the integration
 * tests of the project that uses the kit are the proof with one): servers start, answer the client
 * and the CLI, log, are shared by a class, and the mounts a test adds are gone after it.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevServerExtensionTest {

    @RegisterExtension
    static final DevServerExtension SERVERS = DevServerExtension.builder().build();

    private static final Map<ServerType, DevServer> SEEN = new java.util.EnumMap<>(ServerType.class);

    @ServerTest
    @Order(1)
    void theServerAnswersTheClientAndTheCliAndLogs(DevServer server, Client client, ServerType type) {
        assertEquals(type, server.type());
        assertEquals(false, client.get("sys/health").assertStatus(200).json().get("sealed"));
        assertEquals(server.address(), client.address());
        assertTrue(server.address().startsWith("http://127.0.0.1:"), server::address);
        assertEquals(403, client.withoutToken().get("sys/mounts").status(), "no token, no answer");
        assertEquals(403, client.withToken("not-a-token").get("sys/mounts").status());

        CommandResult status = server.cli("status", "-format=json").assertSuccess();
        assertTrue(status.stdout().contains("\"sealed\": false"), status::toString);
        assertTrue(server.awaitLog("127.0.0.1", java.time.Duration.ofSeconds(10)), "the server log is captured");
        assertTrue(server.logFile().startsWith(java.nio.file.Path.of("target/testkit/logs").toAbsolutePath()),
                () -> "logs under target/testkit: " + server.logFile());
        assertFalse(client.toString().contains(server.rootToken()), "the token stays out of reports");
        SEEN.put(type, server);
    }

    @ServerTest
    @Order(2)
    void aMountAddedByATestIsThere(Client client) {
        client.post("sys/mounts/kv-left", Map.of("type", "kv")).assertStatus(204);
        client.post("kv-left/greeting", Map.of("text", "hello")).assertStatus(204);
        assertEquals("hello", client.get("kv-left/greeting").assertStatus(200).data().get("text"));
    }

    @ServerTest
    @Order(3)
    void andIsGoneForTheNextTestOfTheClassWhichSharesTheServer(DevServer server, ServerType type) {
        assertSame(SEEN.get(type), server, "one server per type for the class");
        assertFalse(server.mounts().contains("kv-left/"), () -> "disabled after the test: " + server.mounts());
        assertTrue(server.mounts().contains("sys/"), "the server's own mounts stay");
    }
}
