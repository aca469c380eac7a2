package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.testing.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The storage layout of services: one stamped entry per instance, O(1) writes per change. */
class ServiceStoreTest {

    /** Storage that records the keys written to it. */
    private static final class RecordingStorage extends DelegatingStorage {
        final List<String> puts = java.util.Collections.synchronizedList(new ArrayList<>());

        RecordingStorage(InMemoryStorage inner) {
            super(inner);
        }

        @Override
        public void put(String key, byte[] value) {
            if (!Registries.isLogs(key)) {
                puts.add(key);
            }
            super.put(key, value);
        }
    }

    /** Storage that records every call, with its key. */
    private static final class CountingStorage extends DelegatingStorage {
        final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());

        CountingStorage(InMemoryStorage inner) {
            super(inner);
        }

        private void record(String call, String key) {
            if (!Registries.isLogs(key)) {
                calls.add(call + " " + key);
            }
        }

        @Override
        public java.util.Optional<byte[]> get(String key) {
            record("get", key);
            return super.get(key);
        }

        @Override
        public void put(String key, byte[] value) {
            record("put", key);
            super.put(key, value);
        }

        @Override
        public List<String> list(String prefix) {
            record("list", prefix);
            return super.list(prefix);
        }
    }

    /** A mount whose role web publishes any instance name, for unbound callers. */
    private static PublishingFixture anyInstance() {
        PublishingFixture mount = new PublishingFixture();
        mount.engine.send(Operation.UPDATE, "roles/web", Map.of("instance", "*", "allow_unbound", true,
                "require_proof", false));
        return mount;
    }

    /**
     * Opens the registry's log before the writes a test counts: opening writes again the entries of
     * the batch the stored checkpoint applied (the mount's last publish here), in case a crash left
     * some of them unwritten.
     */
    private static void opened(Registry registry, RecordingStorage recording) {
        registry.change("other", state -> Registry.Change.none(null));
        recording.puts.clear();
    }

    @Test
    void aChangeWritesOnlyTheInstancesItTouchedAndLoadsBackEqual() {
        PublishingFixture mount = anyInstance();
        for (int i = 0; i < 20; i++) {
            Map<String, Object> body = mount.body(TestKeys.generate("ed25519"));
            mount.engine.write("publish/web/pod-" + i, body, PublishingFixture.POD_CALLER);
        }
        ServiceState before = ServiceStore.load(mount.engine.storage, "web");
        assertEquals(20, before.publications().size());
        assertEquals(20L, before.seq());

        RecordingStorage recording = new RecordingStorage(mount.engine.storage);
        Registry registry = Registries.withOwnLog(recording);
        opened(registry, recording);
        registry.change("web", state -> new Registry.Change<>(state.changed("pod-7", List.of()), List.of(), null));
        assertEquals(List.of("instances/web/pod-7"), recording.puts, "the one instance, nothing else");

        ServiceState after = ServiceStore.load(mount.engine.storage, "web");
        assertEquals(19, after.publications().size());
        assertEquals(21L, after.seq());
        assertEquals(1L, after.generation("pod-7"), "the generation is kept without a publication");
        assertTrue(after.tombstone("pod-7").isPresent(), "and the key, as the tombstone");
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
        assertTrue(five.isStored());
        assertEquals(List.of(), five.touched(), "as loaded: nothing to write");
        assertEquals(List.of(), five.withHistoryLength(9).touched());
        Publication pod2 = five.of("pod-2").getFirst();
        ServiceState rotated = five.changed("pod-2", List.of(
                pod2.supersededAt(mount.engine.clock.instant(), java.time.Duration.ofMinutes(5)),
                pod2.toBuilder().generation(2).build()));
        assertEquals(List.of("pod-2"), rotated.touched());
        assertEquals(List.of("pod-0", "pod-2"), rotated.changed("pod-0", List.of()).touched(), "in name order");
        assertEquals(List.of(), rotated.saved().touched(), "written: nothing left to write");
        assertEquals(rotated, rotated.saved());
    }

    @Test
    void aChangeOfOneInstanceWritesThatInstanceAndTheExpiredOnesAndNoOther() {
        PublishingFixture mount = anyInstance();
        for (int i = 0; i < 6; i++) {
            Map<String, Object> body = mount.body(TestKeys.generate("ed25519"));
            body.put("ttl", i % 2 == 0 ? "10m" : "1h");
            mount.engine.write("publish/web/pod-" + i, body, PublishingFixture.POD_CALLER);
        }
        mount.engine.clock.advance(java.time.Duration.ofMinutes(20)); // pod-0, pod-2 and pod-4 expire
        RecordingStorage recording = new RecordingStorage(mount.engine.storage);
        Registry registry = Registries.withOwnLog(recording);
        opened(registry, recording);
        registry.change("web", state -> {
            ServiceState pruned = state.pruned(mount.engine.clock.instant());
            return new Registry.Change<>(pruned.changed("pod-9",
                    List.of(state.of("pod-1").getFirst().toBuilder().instance("pod-9").build())), List.of(), null);
        });
        assertEquals(List.of("instances/web/pod-0", "instances/web/pod-2", "instances/web/pod-4", "instances/web/pod-9"),
                recording.puts, "the pruned instances and the new one, in name order");
        assertEquals(ServiceStore.load(mount.engine.storage, "web"), registry.state("web"), "what is cached is what is stored");
    }

    /** A publish into a new service: one list to find it empty, its history entry and its instance entry. */
    @Test
    void aFirstPublishReadsOneListingAndWritesTwoEntries() {
        PublishingFixture mount = anyInstance();
        CountingStorage counting = new CountingStorage(mount.engine.storage);
        Registry registry = Registries.withOwnLog(counting);
        registry.change("other", state -> Registry.Change.none(null)); // opens the log: its key is named from the config
        counting.calls.clear();
        registry.change("web", state -> {
            ServiceState changed = state.changed("pod-1", List.of(TestValues.publication("pod-1", 1, PublisherKeys.fromPublicKey(TestKeys.generate("ed25519").publicKeyPem()))));
            return new Registry.Change<>(changed, List.of(History.Event.builder().type("publish")
                    .time(mount.engine.clock.instant()).instance("pod-1").generation(1).fingerprint("sha256:00")
                    .actor(TestValues.PUBLISHER).sequence(changed.seq()).build()), null);
        });
        assertEquals(List.of("list instances/web/", "put history/web/000000000000", "put instances/web/pod-1"), counting.calls);
        assertEquals(List.of("web"), ServiceStore.names(mount.engine.storage));
    }

    /** Mounts written before the head left the change path: its head still counts, as a lower bound. */
    @Test
    void aHeadOfTheFirstLayoutIsALowerBoundAndItsServiceIsListed() {
        PublishingFixture mount = anyInstance();
        for (int i = 0; i < 3; i++) {
            mount.engine.write("publish/web/pod-" + i, mount.body(TestKeys.generate("ed25519")), PublishingFixture.POD_CALLER);
        }
        InMemoryStorage storage = mount.engine.storage;
        // As the first layout left it: entries without stamps, the sequence and history length in the head.
        for (String instance : List.of("pod-0", "pod-1", "pod-2")) {
            Map<String, Object> entry = new java.util.LinkedHashMap<>(dev.herald.sdk.json.Json.parseObject(new String(
                    storage.get(ServiceStore.instanceKey("web", instance)).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8)));
            entry.remove("seq");
            entry.remove("history_length");
            storage.put(ServiceStore.instanceKey("web", instance), dev.herald.sdk.json.Json.write(entry).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        storage.put(ServiceStore.headKey("web"), "{\"seq\":40,\"history_length\":3}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        storage.put(ServiceStore.headKey("old"), "{\"seq\":1,\"history_length\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ServiceState loaded = ServiceStore.load(storage, "web");
        assertEquals(40L, loaded.seq());
        assertEquals(3L, loaded.historyLength());
        assertEquals(List.of("old", "web"), ServiceStore.names(storage), "a head alone still names its service");
        Registry registry = Registries.withOwnLog(storage);
        registry.change("web", state -> new Registry.Change<>(state.changed("pod-1", List.of()), List.of(), null));
        assertEquals(41L, ServiceStore.load(storage, "web").seq(), "the next change continues above the head");
    }

    /** A change that touches no instance but counts history (none does today) keeps its stamp in a head. */
    @Test
    void aChangeWithoutAnInstanceKeepsItsStampInAHead() {
        PublishingFixture mount = anyInstance();
        mount.engine.write("publish/web/pod-0", mount.body(TestKeys.generate("ed25519")), PublishingFixture.POD_CALLER);
        Registry registry = Registries.withOwnLog(mount.engine.storage);
        long before = registry.state("web").historyLength();
        registry.change("web", state -> new Registry.Change<>(state, List.of(History.Event.builder().type("reset")
                .time(mount.engine.clock.instant()).instance("pod-0").generation(1).fingerprint("sha256:00")
                .actor(TestValues.PUBLISHER).build()), null));
        assertEquals(before + 1, ServiceStore.load(mount.engine.storage, "web").historyLength());
    }

    @Test
    void storageKeysMapBackToTheirService() {
        assertEquals("web", ServiceStore.serviceOf("services/web"));
        assertEquals("web", ServiceStore.serviceOf("instances/web/pod-1"));
        assertEquals(null, ServiceStore.serviceOf("history/web/000000000001"));
        assertEquals(null, ServiceStore.serviceOf("config"));
    }
}
