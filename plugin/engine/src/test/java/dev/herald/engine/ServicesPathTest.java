package dev.herald.engine;

import dev.herald.sdk.Operation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** services/: every service ever published, with live instance counts and sequences. */
class ServicesPathTest {
    private final PublishingFixture mount = new PublishingFixture();

    @Test
    void listsServicesWithLiveCountsAndSequences() {
        assertEquals(List.of(), mount.engine.send(Operation.LIST, "services/", Map.of()).data().get("keys"));
        mount.publish(mount.body(mount.first));
        Map<String, Object> list = mount.engine.send(Operation.LIST, "services/", Map.of()).data();
        assertEquals(List.of("web"), list.get("keys"));
        assertEquals(Map.of("live_instances", 1L, "sequence", 1L), ((Map<?, ?>) list.get("key_info")).get("web"));
        mount.engine.send(Operation.UPDATE, "revoke/web/pod-1", Map.of("reason", "test"));
        assertEquals(Map.of("live_instances", 0L, "sequence", 2L), ((Map<?, ?>) mount.engine.send(Operation.LIST,
                "services/", Map.of()).data().get("key_info")).get("web"), "a service without instances stays listed");
    }
}
