package dev.herald.engine;

import dev.herald.sdk.Operation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** tidy (and services/, whose sequence it must not change). */
class TidyPathTest {
    private final PublishingFixture mount = new PublishingFixture();
    private final TestKeys first = mount.first;

    @Test
    void tidyDropsExpiredPublicationsButNotTheirHistoryNorTheSequence() {
        mount.publish(mount.body(first));
        mount.engine.clock.advance(Duration.ofHours(2));
        long seq = (Long) ((Map<?, ?>) ((Map<?, ?>) mount.engine.send(Operation.LIST, "services/", Map.of()).data()
                .get("key_info")).get("web")).get("sequence");
        assertEquals(2L, seq, "expiry counts as a change");
        assertEquals(1L, mount.engine.send(Operation.UPDATE, "tidy", Map.of()).data().get("publications_removed"));
        Map<?, ?> info = (Map<?, ?>) ((Map<?, ?>) mount.engine.send(Operation.LIST, "services/", Map.of()).data()
                .get("key_info")).get("web");
        assertEquals(2L, info.get("sequence"));
        assertEquals(0L, info.get("live_instances"));
        assertEquals(1, ((List<?>) mount.engine.send(Operation.READ, "history/web", Map.of()).data().get("events")).size());
    }


    @Test
    void thePeriodicTickTidiesToo() {
        mount.publish(mount.body(first));
        mount.engine.clock.advance(Duration.ofHours(2));
        mount.engine.send(Operation.ROLLBACK, "", Map.of());
        assertEquals(0L, mount.engine.send(Operation.UPDATE, "tidy", Map.of()).data().get("publications_removed"),
                "the rollback tick removed it already");
        assertEquals(2L, ((Map<?, ?>) ((Map<?, ?>) mount.engine.send(Operation.LIST, "services/", Map.of()).data()
                .get("key_info")).get("web")).get("sequence"));
    }

    /** A tick reads at most 20 services from storage; cached ones cost no read, and the next ticks go on. */
    @Test
    void thePeriodicTickReadsFewServicesFromStorage() {
        java.util.List<String> loads = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        DelegatingStorage storage = new DelegatingStorage(new dev.herald.sdk.testing.InMemoryStorage()) {
            @Override
            public List<String> list(String prefix) {
                if (prefix.startsWith(ServiceStore.INSTANCE_PREFIX) && !prefix.equals(ServiceStore.INSTANCE_PREFIX)) {
                    loads.add(prefix);
                }
                return super.list(prefix);
            }
        };
        Registry registry = Registries.withOwnLog(storage, 5, 1000); // 5 services cached
        for (int i = 0; i < 60; i++) {
            String service = String.format("svc-%02d", i);
            registry.change(service, state -> new Registry.Change<>(state.changed("pod", List.of(TestValues.publication("pod", 1,
                    PublisherKeys.fromPublicKey(TestKeys.generate("ed25519").publicKeyPem())))), List.of(), null));
        }
        java.time.Clock later = java.time.Clock.fixed(TestValues.NOW.plus(Duration.ofHours(3)), java.time.ZoneOffset.UTC);
        loads.clear();
        String cursor = TidyPath.tidySome(registry, later, "");
        assertEquals(20, loads.size(), "20 services read: " + loads);
        assertEquals("svc-19", cursor, "it stopped before the 21st it would have read");
        int ticks = 1;
        while (!cursor.isEmpty()) {
            cursor = TidyPath.tidySome(registry, later, cursor);
            ticks++;
        }
        assertEquals(4, ticks, "three ticks for 60 services, and one that starts again");
        for (int i = 0; i < 60; i++) {
            assertEquals(0, registry.state(String.format("svc-%02d", i)).publicationCount(), "every service tidied");
        }
    }
}
