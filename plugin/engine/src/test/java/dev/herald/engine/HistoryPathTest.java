package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Operation;
import dev.herald.sdk.VaultException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.herald.engine.PublishingFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** history/:service: append-only, with the signer rotations that concern every service. */
class HistoryPathTest {
    private final PublishingFixture mount = new PublishingFixture();

    private List<?> events() {
        return (List<?>) mount.engine.send(Operation.READ, "history/web", Map.of()).data().get("events");
    }

    @Test
    void publicationsRotationsAndSignerRotationsAppearInOrderWithTheirActors() {
        assertStatus(404, "has no history", () -> mount.engine.send(Operation.READ, "history/web", Map.of()));
        mount.publish(mount.body(mount.first));
        mount.engine.clock.advance(Duration.ofMinutes(1));
        mount.engine.backend.handle(EngineFixture.request(Operation.UPDATE, "signer/rotate", Map.of(),
                new Caller("", "tok-op", "root", "")));
        mount.engine.clock.advance(Duration.ofMinutes(40));
        TestKeys second = TestKeys.generate("ed25519");
        Map<String, Object> rotation = mount.body(second);
        rotation.put("continuity", mount.first.continuityFor(second, 1));
        mount.publish(rotation);

        List<?> events = events();
        assertEquals(List.of("publish", "signer_rotate", "rotate"), events.stream().map(e -> ((Map<?, ?>) e).get("type")).toList());
        Map<?, ?> publish = (Map<?, ?>) events.getFirst();
        assertEquals("e1", ((Map<?, ?>) publish.get("actor")).get("entity_id"));
        assertEquals("tok-1", ((Map<?, ?>) publish.get("actor")).get("token_accessor"));
        assertEquals(1L, publish.get("generation"));
        assertEquals("tok-op", ((Map<?, ?>) ((Map<?, ?>) events.get(1)).get("actor")).get("token_accessor"));
        assertEquals(2L, ((Map<?, ?>) events.get(2)).get("generation"));
    }

    @Test
    void historyOutlivesThePublicationsAndTidy() {
        mount.publish(mount.body(mount.first));
        mount.engine.clock.advance(Duration.ofHours(2));
        mount.engine.send(Operation.UPDATE, "tidy", Map.of());
        assertEquals(1, events().size());
    }

    @Test
    void nothingEditsOrDeletesHistory() {
        mount.publish(mount.body(mount.first));
        for (Operation operation : List.of(Operation.DELETE, Operation.UPDATE, Operation.CREATE)) {
            VaultException e = org.junit.jupiter.api.Assertions.assertThrows(VaultException.class,
                    () -> mount.engine.send(operation, "history/web", Map.of()));
            assertEquals(405, e.status(), operation + " on history");
        }
        assertEquals(1, events().size());
    }

    @Test
    void pagesShowEveryEventOnceInOrderWithEachSignerRotationOnTheOnePageThatSpansIt() {
        mount.engine.send(Operation.CREATE, "roles/any", Map.of("services", "web", "instance", "*", "require_proof", false));
        for (int i = 0; i < 5; i++) {
            mount.engine.clock.advance(Duration.ofMinutes(1));
            if (i == 2 || i == 4) { // one between two publications, one after the last
                mount.engine.backend.handle(EngineFixture.request(Operation.UPDATE, "signer/rotate", Map.of(),
                        new Caller("", "tok-op", "root", "")));
                mount.engine.clock.advance(Duration.ofMinutes(1));
            }
            if (i < 4) {
                mount.engine.write("publish/web/pod-" + i, Map.of("role", "any", "public_key",
                        TestKeys.generate("ed25519").publicKeyPem()), PublishingFixture.POD_CALLER);
            }
        }
        List<?> whole = events();
        assertEquals(List.of("publish", "publish", "signer_rotate", "publish", "publish", "signer_rotate"),
                whole.stream().map(e -> ((Map<?, ?>) e).get("type")).toList());
        for (int limit = 1; limit <= 4; limit++) {
            List<Object> paged = new java.util.ArrayList<>();
            long from = 0;
            while (from >= 0) {
                Map<String, Object> page = mount.engine.send(Operation.READ, "history/web",
                        Map.of("from", String.valueOf(from), "limit", String.valueOf(limit))).data();
                paged.addAll((List<?>) page.get("events"));
                long next = ((Number) page.get("next")).longValue();
                assertTrue(next < 0 || next == from + limit, "next is the from of the next page");
                from = next;
            }
            assertEquals(whole, paged, "pages of " + limit);
        }
        Map<String, Object> first = mount.engine.send(Operation.READ, "history/web", Map.of("limit", "2")).data();
        assertEquals(2L, first.get("next"));
        assertStatus(400, "invalid from: service web has 4 events", () -> mount.engine.send(Operation.READ, "history/web",
                Map.of("from", "4")));
        assertStatus(400, "limit", () -> mount.engine.send(Operation.READ, "history/web", Map.of("limit", "0")));
    }
}
