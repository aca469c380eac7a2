package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.plugin.testkit.Client;
import dev.herald.plugin.testkit.DevServer;
import dev.herald.plugin.testkit.DevServerExtension;
import dev.herald.plugin.testkit.PluginUnderTest;
import dev.herald.plugin.testkit.ServerTest;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The plugin test kit as a plugin's author uses it, on Herald: the packaged plugin given as a
 * plugin directory ({@code target/plugin}: the shim, its hash, its payload), copied, registered
 * and mounted by the kit on each server; the test gets a client and the server. (The rest of the
 * integration tests use the kit through {@link OnEachServer}, but register Herald with
 * scripts/register-plugin.sh, which they test too.)
 */
@Timeout(180)
class PluginTestKitTest {

    @RegisterExtension
    static final DevServerExtension SERVERS = kit();

    private static DevServerExtension kit() {
        DevServerExtension.Builder builder = DevServerExtension.builder()
                .plugin(PluginUnderTest.packaged(Herald.packagedPlugin(), "herald").name("herald-kit").mount("kit")
                        .build())
                .requireProperty(ServerKind.REQUIRE_PROPERTY)
                .outputDirectory(Project.outputDir());
        for (ServerKind kind : ServerKind.values()) {
            builder.binaryProperty(kind.type(), kind.binaryProperty());
        }
        return builder.build();
    }

    @ServerTest
    void thePackagedPluginIsRegisteredWithTheShimsHashAndMounted(Client client, DevServer server) throws Exception {
        String shipped = Files.readString(Herald.packagedPlugin().resolve("herald.sha256")).trim().split("\\s+")[0];
        // Registered without a version, the servers ask the plugin for its own, and keep it under that.
        String version = Herald.versionOf(Herald.packagedPlugin());
        Map<String, Object> entry = client.get("sys/plugins/catalog/secret/herald-kit?version=" + version)
                .assertStatus(200).data();
        assertEquals(shipped, entry.get("sha256"));
        assertEquals(version, entry.get("version"));
        assertEquals("herald", entry.get("command"));
        assertEquals("herald-kit", Json.at(client.get("sys/mounts").assertStatus(200).data(), "kit/", "type"));
        assertTrue(Files.isDirectory(server.pluginDirectory().resolve("herald.d")), "the payload beside the shim");
    }

    @ServerTest
    void theTestTalksToThePluginThroughTheClient(Client client, DevServer server) {
        client.post("kit/config", Map.of("issuer", "test-kit")).assertStatus(200);
        assertEquals("test-kit", client.get("kit/config").assertStatus(200).data().get("issuer"));
        assertEquals(403, client.withoutToken().get("kit/config").status(), "no token, no config");
        assertTrue(server.descendants().stream().anyMatch(Herald::isPluginJvm),
                () -> "the plugin JVM runs under the server: " + DevServer.describe(server.descendants()));
        assertTrue(server.log().contains("herald-kit"), "the server log names the plugin it runs");
    }
}
