package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.testing.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The storage layout of services: a head and one entry per instance, O(1) writes per change. */
class ServiceStoreTest {

    /** Storage that records the keys written to it. */
    private static final class RecordingStorage extends DelegatingStorage {
        final List<String> puts = new ArrayList<>();

        RecordingStorage(InMemoryStorage inner) {
            super(inner);
        }

        @Override
        public void put(String key, byte[] value) {
            puts.add(key);
            super.put(key, value);
        }
    }

    @Test
    void aChangeWritesTheHeadAndOnlyTheInstancesItTouchedAndLoadsBackEqual() {
        PublishingFixture mount = new PublishingFixture();
        mount.engine.send(Operation.UPDATE, "roles/web", Map.of("instance", "*", "allow_unbound", true,
                "require_proof", false));
        for (int i = 0; i < 20; i++) {
            Map<String, Object> body = mount.body(TestKeys.generate("ed25519"));
            mount.engine.write("publish/web/pod-" + i, body, PublishingFixture.POD_CALLER);
        }
        ServiceState before = ServiceStore.load(mount.engine.storage, "web");
        assertEquals(20, before.publications().size());
        assertEquals(20L, before.seq());

        RecordingStorage recording = new RecordingStorage(mount.engine.storage);
        Registry registry = new Registry(recording);
        registry.change("web", state -> {
            List<Publication> next = new ArrayList<>(state.publications());
            next.remove(state.of("pod-7").getFirst());
            return new Registry.Change<>(state.changed(next), List.of(), null);
        });
        assertEquals(List.of("instances/web/pod-7", "services/web"), recording.puts, "the one instance, then the head");

        ServiceState after = ServiceStore.load(mount.engine.storage, "web");
        assertEquals(19, after.publications().size());
        assertEquals(21L, after.seq());
        assertEquals(1L, after.generations().get("pod-7"), "the generation is kept without a publication");
        assertTrue(after.of("pod-7").isEmpty());
        assertEquals(after, registry.state("web"), "what is cached is what is stored");
    }

    @Test
    void aPublishAndARotationTouchOnlyTheirInstance() {
        PublishingFixture mount = new PublishingFixture();
        mount.engine.send(Operation.UPDATE, "roles/web", Map.of("instance", "*"));
        for (int i = 0; i < 5; i++) {
            mount.engine.write("publish/web/pod-" + i, mount.body(TestKeys.generate("ed25519")), PublishingFixture.POD_CALLER);
        }
        ServiceState five = ServiceStore.load(mount.engine.storage, "web");
        assertEquals(java.util.Set.of(), ServiceStore.touched(five, five), "no change, nothing to write");
        assertEquals(java.util.Set.of(), ServiceStore.touched(five, five.withHistoryLength(9)));
        Publication pod2 = five.of("pod-2").getFirst();
        List<Publication> rotated = new ArrayList<>(five.publications());
        rotated.set(rotated.indexOf(pod2), pod2.supersededAt(mount.engine.clock.instant(), java.time.Duration.ofMinutes(5)));
        assertEquals(java.util.Set.of("pod-2"), ServiceStore.touched(five, five.changed(rotated)));
        assertEquals(5, ServiceStore.touched(five, ServiceStore.load(mount.engine.storage, "web")).size(),
                "equal but reloaded publications count as changed: written again, never skipped");
    }

    @Test
    void storageKeysMapBackToTheirService() {
        assertEquals("web", ServiceStore.serviceOf("services/web"));
        assertEquals("web", ServiceStore.serviceOf("instances/web/pod-1"));
        assertEquals(null, ServiceStore.serviceOf("history/web/000000000001"));
        assertEquals(null, ServiceStore.serviceOf("config"));
    }
}
