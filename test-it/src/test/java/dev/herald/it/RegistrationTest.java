package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/** Issue test 1: scripts/register-plugin.sh registers the packaged plugin and enables a mount. */
@Timeout(120)
class RegistrationTest {

    @OnEachServer
    void registerScriptRegistersTheShimAndEnablesTheMount(Herald herald) throws IOException {
        DevServer server = herald.server();

        herald.registerScript("herald").assertSuccess();

        Map<String, Object> mounts = server.cli("secrets", "list", "-format=json").assertSuccess().json();
        assertEquals(Herald.PLUGIN, Json.at(mounts, "herald/", "type"), () -> "herald/ in " + mounts);

        String version = Herald.versionOf(Project.packagedPlugin());
        Map<String, Object> printed = server.cli("plugin", "info", "-format=json", "-version=" + version, "secret",
                Herald.PLUGIN).assertSuccess().json();
        Object info = printed.containsKey("data") ? printed.get("data") : printed; // the CLI prints data only
        String shippedHash = Files.readString(Project.packagedPlugin().resolve("herald.sha256")).trim().split("\\s+")[0];
        assertEquals(shippedHash, Json.at(info, "sha256"), "the catalog pins the shim's hash");
        assertEquals(Herald.installedName(Herald.PLUGIN), Json.at(info, "command"), "the catalog runs the shim of that version");
        assertEquals(version, Json.at(info, "version"), "registered with the package's version");
        assertEquals(version, Json.at(mounts, "herald/", "running_plugin_version"), "the mount runs it, as the plugin reports");

        // The mount answers.
        server.cli("read", "herald/config").assertSuccess();
    }
}
