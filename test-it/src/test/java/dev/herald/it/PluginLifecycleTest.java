package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;

/** Issue tests 6, 7 and 8: reload, disable, and a killed plugin process. */
@Timeout(120)
class PluginLifecycleTest {

    @OnEachServer
    void reloadKeepsTheConfig(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable("reload");
        herald.writeConfig(mount, "issuer=before-reload", "default_ttl=2h");
        Map<String, Object> before = herald.readConfig(mount);
        long pidBefore = herald.pluginProcess().pid();

        server.cli("plugin", "reload", "-plugin=" + Herald.PLUGIN).assertSuccess();

        assertEquals(before, herald.readConfig(mount));
        assertEquals("before-reload", before.get("issuer"));
        assertNotEquals(pidBefore, herald.pluginProcess().pid(), "reload starts a new plugin process");
    }

    @OnEachServer
    void disableRemovesThePathAndTheLastMountEndsTheProcess(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable("disable");
        herald.readConfig(mount);
        ProcessHandle plugin = herald.pluginProcess();
        int logBefore = server.log().length();

        server.cli("secrets", "disable", mount).assertSuccess();

        HttpResult gone = server.http("GET", mount + "/config", null);
        assertEquals(404, gone.status(), gone::toString);
        assertFalse(server.mounts().contains(mount + "/"));
        // The server asks the plugin to shut down (the controller's Shutdown) and kills it 2 s later
        // if it has not exited. Its go-plugin client logs which it was: "plugin failed to exit
        // gracefully" before a kill, and "plugin process exited: ... id=PID" with error="signal:
        // killed" (or "exit status N") unless the process exited with status 0.
        assertTrue(DevServer.await(Duration.ofSeconds(60), () -> exitLine(server, logBefore, plugin.pid()).isPresent()),
                () -> "the server logs the plugin process's exit:\n" + server.log().substring(logBefore));
        String exited = exitLine(server, logBefore, plugin.pid()).orElseThrow();
        assertFalse(exited.contains("error="), () -> "the plugin exits with status 0: " + exited);
        assertFalse(server.log().substring(logBefore).contains("plugin failed to exit gracefully"),
                () -> "the plugin honours Shutdown, the server does not have to kill it:\n" + server.log().substring(logBefore));
        assertFalse(plugin.isAlive());
        assertTrue(herald.pluginProcesses().isEmpty(), () -> DevServer.describe(herald.pluginProcesses()));
    }

    /** The server's log line of the plugin process {@code pid} ending, logged after {@code from}. */
    private static Optional<String> exitLine(DevServer server, int from, long pid) {
        return server.log().substring(from).lines()
                .filter(line -> line.contains("plugin process exited:") && (line + " ").contains(" id=" + pid + " "))
                .findFirst();
    }

    @OnEachServer
    void killedPluginIsRestartedByTheNextRequest(Herald herald) {
        String mount = herald.enable("crash");
        herald.writeConfig(mount, "issuer=survivor", "record_ttl=90s");
        ProcessHandle plugin = herald.pluginProcess();

        plugin.destroyForcibly(); // SIGKILL
        assertTrue(DevServer.await(Duration.ofSeconds(10), () -> !plugin.isAlive()), "SIGKILL ends the plugin");

        Map<String, Object> config = herald.readConfig(mount);
        assertEquals("survivor", config.get("issuer"));
        assertEquals(90L, config.get("record_ttl"));
        assertNotEquals(plugin.pid(), herald.pluginProcess().pid());
    }
}
