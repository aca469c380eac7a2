package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Lease;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.herald.engine.PublishingFixture.POD_CALLER;
import static dev.herald.engine.PublishingFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Response republished = mount.publish(mount.body(TestKeys.generate("ed25519")));
        assertEquals(2L, republished.data().get("generation"), "generations keep counting");
    }

}
