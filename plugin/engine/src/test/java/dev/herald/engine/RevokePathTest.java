package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.herald.engine.PublishingFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** revoke/:service/:instance: the operator's emergency revocation. */
class RevokePathTest {
    private final PublishingFixture mount = new PublishingFixture();
    private final TestKeys first = mount.first;

    @Test
    void operatorRevokeEndsAtOnceAndHistoryKeepsWhoAndWhy() {
        mount.publish(mount.body(first));
        Caller operator = new Caller("", "tok-op", "root", "127.0.0.1");
        Response revoked = mount.engine.backend.handle(EngineFixture.request(Operation.UPDATE, "revoke/web/pod-1",
                Map.of("reason", "key leaked"), operator));
        assertEquals(List.of(1L), revoked.data().get("revoked_generations"));
        assertStatus(404, "no live instance", mount::discover);
        assertStatus(404, "no live publication", () -> mount.engine.send(Operation.UPDATE, "revoke/web/pod-1", Map.of()));
        List<?> events = (List<?>) mount.engine.send(Operation.READ, "history/web", Map.of()).data().get("events");
        Map<?, ?> last = (Map<?, ?>) events.getLast();
        assertEquals("revoke", last.get("type"));
        assertEquals("key leaked", last.get("detail"));
        assertEquals("tok-op", ((Map<?, ?>) last.get("actor")).get("token_accessor"));
        // The instance keeps its key: a new one is refused, the same one revives it, as a new generation.
        assertStatus(409, "keeps its last key", () -> mount.publish(mount.body(TestKeys.generate("ed25519"))));
        Response republished = mount.publish(mount.body(first));
        assertEquals(2L, republished.data().get("generation"), "generations keep counting");
    }

}
