package dev.herald.engine;

import dev.herald.sdk.testing.InMemoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service cache cannot be poisoned: a change always builds on the service's current state. */
@Timeout(60)
class RegistryTest {
    private static final Instant NOW = TestValues.NOW;

    /** Storage that holds one chosen thread inside its list call, after the listing was taken. */
    private static final class PausingStorage extends DelegatingStorage {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        volatile Thread pausing;
        volatile String failingPut;
        /** The failing put reaches storage before it throws: an answer lost, not a write. */
        volatile boolean failAfterWriting;
        final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());

        PausingStorage() {
            super(new InMemoryStorage());
        }

        @Override
        public void put(String key, byte[] value) {
            calls.add("put " + key);
            if (key.equals(failingPut)) {
                if (failAfterWriting) {
                    super.put(key, value);
                }
                throw new dev.herald.sdk.StorageException("storage failed writing " + key);
            }
            super.put(key, value);
        }

        @Override
        public java.util.Optional<byte[]> get(String key) {
            calls.add("get " + key);
            return super.get(key);
        }

        @Override
        public List<String> list(String prefix) {
            calls.add("list " + prefix);
            List<String> listed = super.list(prefix);
            if (Thread.currentThread() == pausing && prefix.startsWith(ServiceStore.INSTANCE_PREFIX)) {
                paused.countDown();
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return listed;
        }
    }

    private static PublisherKey newKey() {
        return PublisherKeys.fromPublicKey(TestKeys.generate("ed25519").publicKeyPem());
    }

    private static Publication publication(String instance, long generation, PublisherKey key) {
        return TestValues.publication(instance, generation, key);
    }

    /** Publishes the first generation of an instance, as publish does: one more publication, seq + 1. */
    private static ServiceState publish(Registry registry, String service, String instance) {
        return publish(registry, service, instance, newKey());
    }

    private static ServiceState publish(Registry registry, String service, String instance, PublisherKey key) {
        return registry.change(service, state -> {
            List<Publication> next = new ArrayList<>(state.of(instance));
            next.add(publication(instance, state.nextGeneration(instance), key));
            ServiceState changed = state.changed(instance, next);
            return new Registry.Change<>(changed, List.of(), changed);
        });
    }

    @Test
    void aLoadThatRacedAChangeAndAnEvictionIsNotCached() throws Exception {
        PausingStorage storage = new PausingStorage();
        Registry registry = new Registry(storage, 1, 100); // one service in memory: any other read evicts
        publish(registry, "web", "pod-1");
        publish(registry, "other", "x"); // evicts web: the next read of web loads it

        // A reader starts loading web and is held after listing its instances (only pod-1)...
        storage.pausing = Thread.ofPlatform().unstarted(() -> registry.snapshot("web"));
        storage.pausing.start();
        storage.paused.await();
        // ...meanwhile a change publishes pod-2: it either completes (a load without the lock) or
        // waits for the load to finish (a load under the service's lock)...
        PublisherKey key = newKey(); // made here: the change thread blocks on nothing but the registry
        Thread change = Thread.ofPlatform().start(() -> publish(registry, "web", "pod-2", key));
        while (change.getState() != Thread.State.BLOCKED && change.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        // ...a read of another service evicts web...
        registry.snapshot("other");
        // ...then the reader finishes with what it read before the change.
        storage.resume.countDown();
        storage.pausing.join();
        change.join();

        ServiceState read = registry.state("web");
        assertEquals(2, read.seq(), "a read sees the change");
        ServiceState builtOn = registry.change("web", state -> Registry.Change.none(state));
        assertEquals(2, builtOn.seq(), "a change builds on the current state, never the raced load");
        assertTrue(builtOn.current("pod-2", NOW).isPresent());
        assertEquals(2, builtOn.nextGeneration("pod-2"), "pod-2 is not publishable as generation 1 again");
    }

    @Test
    void unknownNamesTakeNoRoomFromPublishedServices() {
        PausingStorage storage = new PausingStorage();
        Registry registry = new Registry(storage, 1, 100);
        publish(registry, "web", "pod-1");
        ServiceState cached = registry.state("web");
        for (int i = 0; i < 50; i++) {
            assertTrue(registry.state("nobody-" + i).isEmpty());
        }
        assertTrue(cached == registry.state("web"), "still the cached state: unknown names evicted nothing");
    }

    /** A publish into a new service: its existence check reads the service, then the publish changes it. */
    @Test
    void theChangeAfterAReadOfANewServiceDoesNotListItAgain() {
        PausingStorage storage = new PausingStorage();
        Registry registry = new Registry(storage, 16, 100);
        assertTrue(registry.state("new").isEmpty());
        assertEquals(List.of("list " + ServiceStore.INSTANCE_PREFIX + "new/"), storage.calls);
        storage.calls.clear();
        ServiceState published = publish(registry, "new", "pod-1");
        assertTrue(storage.calls.stream().allMatch(call -> call.startsWith("put ")), "only the change's writes: " + storage.calls);
        assertEquals(1, published.seq());
        assertEquals(ServiceStore.load(storage, "new"), registry.state("new"), "and what is read after it is stored");
    }

    /** Another node published into a service this one had read as empty: its invalidation comes. */
    @Test
    void anInvalidationForgetsThatAServiceWasEmpty() {
        PausingStorage storage = new PausingStorage();
        Registry elsewhere = new Registry(storage, 16, 100); // the other node, on the same storage
        Registry registry = new Registry(storage, 16, 100);
        assertTrue(registry.state("new").isEmpty());
        publish(elsewhere, "new", "pod-1");
        assertTrue(registry.invalidate(ServiceStore.instanceKey("new", "pod-1")));
        assertEquals(1, registry.state("new").seq(), "read again after the invalidation");
        assertEquals(2, publish(registry, "new", "pod-2").seq(), "and a change builds on what the other node wrote");
    }

    /** A first publish whose writes failed part-way may have left entries: the service is listed again. */
    @Test
    void aFailedFirstChangeForgetsThatTheServiceWasEmpty() {
        PausingStorage storage = new PausingStorage();
        Registry registry = new Registry(storage, 16, 100);
        assertTrue(registry.state("new").isEmpty());
        storage.failingPut = ServiceStore.instanceKey("new", "pod-1");
        storage.failAfterWriting = true; // the answer was lost, the entry written
        org.junit.jupiter.api.Assertions.assertThrows(dev.herald.sdk.StorageException.class,
                () -> publish(registry, "new", "pod-1"));
        storage.failingPut = null;
        ServiceState read = registry.state("new");
        assertEquals(1, read.seq(), "the written instance is seen");
        assertEquals(ServiceStore.load(storage, "new"), read);
    }

    @Test
    void aChangeWhoseWritesFailedLeavesNothingCachedThatStorageDoesNotHold() {
        PausingStorage storage = new PausingStorage();
        Registry registry = new Registry(storage, 16, 100);
        publish(registry, "web", "pod-1");
        storage.failingPut = ServiceStore.instanceKey("web", "pod-2"); // after the history entry and the head
        org.junit.jupiter.api.Assertions.assertThrows(dev.herald.sdk.StorageException.class,
                () -> publish(registry, "web", "pod-2"));
        storage.failingPut = null;
        ServiceState stored = ServiceStore.load(storage, "web");
        assertEquals(stored.seq(), registry.state("web").seq(), "what is read is what is stored");
        assertEquals(stored.historyLength(), registry.change("web", state -> Registry.Change.none(state)).historyLength(),
                "the next change builds on what is stored");
    }

    /** A cancelled publish into a large cached service costs a get of its instance, not a load of the service. */
    @Test
    void aFailedChangeRereadsOnlyTheInstancesItTouched() {
        for (boolean written : new boolean[] {false, true}) {
            PausingStorage storage = new PausingStorage();
            Registry registry = new Registry(storage, 16, 1000);
            for (int i = 0; i < 50; i++) {
                publish(registry, "web", "pod-" + i);
            }
            ServiceState before = registry.state("web");
            storage.failingPut = ServiceStore.instanceKey("web", "pod-x");
            storage.failAfterWriting = written;
            org.junit.jupiter.api.Assertions.assertThrows(dev.herald.sdk.StorageException.class,
                    () -> publish(registry, "web", "pod-x"));
            storage.failingPut = null;
            storage.calls.clear();
            ServiceState read = registry.state("web");
            assertEquals(List.of("get " + ServiceStore.instanceKey("web", "pod-x")), storage.calls,
                    "one get, of the instance the change touched");
            assertEquals(ServiceStore.load(storage, "web"), read, "what is read is what is stored");
            assertEquals(written ? before.seq() + 1 : before.seq(), read.seq());
            assertEquals(written, read.current("pod-x", NOW).isPresent(), "the change is there if it was written");
            storage.calls.clear();
            assertTrue(read == registry.state("web"), "and cached again");
            assertEquals(List.of(), storage.calls);
            ServiceState after = publish(registry, "web", "pod-y");
            assertEquals(read.seq() + 1, after.seq(), "the next change builds on it");
            assertEquals(ServiceStore.load(storage, "web"), registry.state("web"));
        }
    }

    /**
     * The history entry and the instance entry of a change are written together: when only the
     * instance entry lands (the history write failed, or a crash came between them), the event it
     * carries is written when the entry is next read, whether by this process or after a restart.
     */
    @Test
    void anEventWhoseHistoryEntryWasNotWrittenIsRestoredFromTheInstanceEntry() {
        for (boolean restart : new boolean[] {false, true}) {
            PausingStorage storage = new PausingStorage();
            Registry registry = new Registry(storage, 16, 1000);
            publish(registry, "web", "pod-1");
            storage.failingPut = History.serviceKey("web", 0);
            org.junit.jupiter.api.Assertions.assertThrows(dev.herald.sdk.StorageException.class, () ->
                    registry.change("web", state -> {
                        ServiceState changed = state.changed("pod-2", List.of(publication("pod-2", 1, newKey())));
                        return new Registry.Change<>(changed, List.of(History.Event.builder().type("publish").time(NOW)
                                .instance("pod-2").generation(1).fingerprint("sha256:02").actor(TestValues.PUBLISHER)
                                .sequence(changed.seq()).build()), changed);
                    }));
            storage.failingPut = null;
            assertTrue(storage.inner.get(History.serviceKey("web", 0)).isEmpty(), "the history entry is missing");
            ServiceState read = (restart ? new Registry(storage) : registry).state("web");
            assertEquals(1, read.historyLength(), "counted by the instance entry's stamp");
            assertTrue(read.current("pod-2", NOW).isPresent());
            byte[] restored = storage.inner.get(History.serviceKey("web", 0)).orElseThrow();
            assertTrue(new String(restored, java.nio.charset.StandardCharsets.UTF_8).contains("\"fingerprint\":\"sha256:02\""),
                    "and written back from the event the entry carries");
            assertEquals(1, History.read(storage, "web", read.historyLength(), 0, 10).events().size());
        }
    }

    /** A crash between two instance entries of one change: what is loaded is the whole change. */
    @Test
    void aChangeCutOffBetweenItsInstanceEntriesIsLoadedWholeWithItsHistory() {
        PausingStorage storage = new PausingStorage();
        Registry registry = new Registry(storage, 16, 100);
        publish(registry, "web", "pod-1");
        storage.failingPut = ServiceStore.instanceKey("web", "pod-3");
        org.junit.jupiter.api.Assertions.assertThrows(dev.herald.sdk.StorageException.class, () ->
                registry.change("web", state -> {
                    ServiceState changed = state.changed("pod-2",
                            List.of(publication("pod-2", state.nextGeneration("pod-2"), newKey())));
                    changed = changed.changed("pod-3", List.of(publication("pod-3", 1, newKey())));
                    return new Registry.Change<>(changed, List.of(History.Event.builder().type("publish").time(NOW)
                            .instance("pod-2").generation(1).fingerprint("sha256:00").actor(TestValues.PUBLISHER)
                            .sequence(changed.seq()).build()), changed);
                }));
        storage.failingPut = null;
        ServiceState restarted = new Registry(storage).state("web"); // a new process over the same storage
        assertEquals(3, restarted.seq(), "the change's sequence, never served for another live set");
        assertTrue(restarted.current("pod-2", NOW).isPresent(), "the entry written is there");
        assertTrue(restarted.current("pod-3", NOW).isEmpty(), "the one cut off is not");
        assertEquals(1, restarted.historyLength(), "with the change's history entry");
        // and the next change appends after it instead of writing over it
        ServiceState after = publish(new Registry(storage), "web", "pod-4");
        assertEquals(4, after.seq());
        assertEquals(1, after.historyLength(), "publish() here writes no event: the length stays");
    }
}
