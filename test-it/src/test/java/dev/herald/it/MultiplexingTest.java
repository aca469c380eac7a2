package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/** Issue test 5: one plugin process serves every mount, each with its own storage. */
@Timeout(120)
class MultiplexingTest {

    @OnEachServer
    void twoMountsShareOneProcessAndKeepSeparateConfig(Herald herald) {
        herald.enable("h1");
        herald.enable("h2");
        herald.writeConfig("h1", "issuer=one", "record_ttl=1m");

        Map<String, Object> h1 = herald.readConfig("h1");
        Map<String, Object> h2 = herald.readConfig("h2");

        assertEquals("one", h1.get("issuer"));
        assertEquals(60L, h1.get("record_ttl"));
        assertTrue(String.valueOf(h2.get("issuer")).contains("h2"), () -> "h2 keeps its default issuer: " + h2);
        assertEquals(300L, h2.get("record_ttl"), "h2 keeps its default record_ttl");

        long pid = herald.pluginProcess().pid(); // exactly one
        herald.readConfig("h2");
        herald.readConfig("h1");
        assertTrue(herald.awaitPluginProcesses(1, Duration.ofSeconds(1)));
        assertEquals(pid, herald.pluginProcess().pid(), "the same process still serves both mounts");
    }
}
