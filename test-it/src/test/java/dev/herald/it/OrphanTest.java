package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A plugin JVM must not outlive its server. A Go plugin dies of SIGPIPE at its next write once the
 * server is gone; a JVM ignores SIGPIPE, so the plugin watches its parent instead. This test kills
 * the server with SIGKILL (no chance to stop its plugins) and expects the plugin to exit by itself.
 */
@Timeout(120)
class OrphanTest {

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(ServerKind.class)
    void thePluginExitsWhenItsServerIsKilled(ServerKind kind) {
        // Like @OnEachServer: a missing binary skips the kind, unless herald.it.require names it.
        org.junit.jupiter.api.Assumptions.assumeTrue(kind.binary().isPresent() || kind.required(), kind::missingReason);
        try (DevServer server = DevServer.start(kind, "orphan")) {
            Herald herald = new Herald(server);
            String mount = herald.enable("orphan");
            herald.writeConfig(mount, "issuer=orphan");
            ProcessHandle plugin = herald.pluginProcess();

            server.processHandle().destroyForcibly();

            assertTrue(DevServer.await(Duration.ofSeconds(5), () -> !plugin.isAlive()),
                    "the plugin JVM exits within 5 s of its server's death (pid " + plugin.pid() + ")");
        }
    }
}
