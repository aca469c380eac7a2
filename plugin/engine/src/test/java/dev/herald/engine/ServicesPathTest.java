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
        assertEquals(Map.of("live_instances", 1L, "sequence", 1L, "pending_rotations", 0), ((Map<?, ?>) list.get("key_info")).get("web"));
        mount.engine.send(Operation.UPDATE, "revoke/web/pod-1", Map.of("reason", "test"));
        assertEquals(Map.of("live_instances", 0L, "sequence", 2L, "pending_rotations", 0), ((Map<?, ?>) mount.engine.send(Operation.LIST,
                "services/", Map.of()).data().get("key_info")).get("web"), "a service without instances stays listed");
    }

    @Test
    void aLongListComesInPagesThatChainByName() {
        mount.engine.send(Operation.CREATE, "roles/any", Map.of("services", "*", "instance", "*", "require_proof", false));
        List<String> services = List.of("s-3", "s-1", "s-5", "s-2", "s-4");
        for (String service : services) {
            mount.engine.write("publish/" + service + "/pod-1", Map.of("role", "any", "public_key",
                    TestKeys.generate("ed25519").publicKeyPem()), PublishingFixture.POD_CALLER);
        }
        List<Object> listed = new java.util.ArrayList<>();
        String after = "";
        int pages = 0;
        do {
            dev.herald.sdk.Response answer = mount.engine.send(Operation.LIST, "services/", Map.of("limit", "2", "after", after));
            List<?> keys = (List<?>) answer.data().get("keys");
            assertEquals(keys.size(), ((Map<?, ?>) answer.data().get("key_info")).size());
            listed.addAll(keys);
            after = (String) answer.data().get("next");
            assertEquals(after.isEmpty() ? List.of() : List.of("services 1-2 of 5 listed; list again with after=s-2",
                    "services 3-4 of 5 listed; list again with after=s-4").subList(pages, pages + 1), answer.warnings());
            pages++;
        } while (!after.isEmpty());
        assertEquals(3, pages);
        assertEquals(services.stream().sorted().toList(), listed);
        assertEquals(List.of("s-4", "s-5"), mount.engine.send(Operation.LIST, "services/", Map.of("after", "s-35")).data().get("keys"),
                "after need not be a listed name");
        PublishingFixture.assertStatus(400, "limit", () -> mount.engine.send(Operation.LIST, "services/", Map.of("limit", "0")));
    }
}
