package dev.herald.engine;

import dev.herald.sdk.testing.InMemoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        /** How many more times the failing put fails (then it succeeds); negative: always. */
        final java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger(-1);
        final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        /** The failing put reaches storage before it throws: an answer lost, not a write. */
        volatile boolean failAfterWriting;
        final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());

        PausingStorage() {
            super(new InMemoryStorage());
        }

        @Override
        public void put(String key, byte[] value) {
            if (!Registries.isLogs(key)) {
                calls.add("put " + key);
            }
            if (key.equals(failingPut) && failuresLeft.getAndDecrement() != 0) {
                if (failAfterWriting) {
                    super.put(key, value);
                }
                failures.incrementAndGet();
                throw new dev.herald.sdk.StorageException("storage failed writing " + key);
            }
            super.put(key, value);
        }

        @Override
        public java.util.Optional<byte[]> get(String key) {
            if (!Registries.isLogs(key)) {
                calls.add("get " + key);
            }
            return super.get(key);
        }

        @Override
        public List<String> list(String prefix) {
            if (!Registries.isLogs(prefix)) {
                calls.add("list " + prefix);
            }
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

    /** The same with its history event, as publish makes it: a leaf of the log. */
    private static ServiceState publishLogged(Registry registry, String service, String instance) {
        PublisherKey key = newKey();
        return registry.change(service, state -> {
            long generation = state.nextGeneration(instance);
            List<Publication> next = new ArrayList<>(state.of(instance));
            next.add(publication(instance, generation, key));
            ServiceState changed = state.changed(instance, next);
            return new Registry.Change<>(changed, List.of(History.Event.builder().type("publish").time(NOW)
                    .instance(instance).generation(generation).fingerprint(key.fingerprint()).actor(TestValues.PUBLISHER)
                    .sequence(changed.seq()).build()), changed);
        });
    }

    @Test
    void aLoadThatRacedAChangeAndAnEvictionIsNotCached() throws Exception {
        PausingStorage storage = new PausingStorage();
        Registry registry = Registries.withOwnLog(storage, 1, 100); // one service in memory: any other read evicts
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
        Registry registry = Registries.withOwnLog(storage, 1, 100);
        publish(registry, "web", "pod-1");
        ServiceState cached = registry.state("web");
        for (int i = 0; i < 50; i++) {
            assertTrue(registry.state("nobody-" + i).isEmpty());
        }
        assertTrue(cached == registry.state("web"), "still the cached state: unknown names evicted nothing");
    }

    /** G6: a service with more publications than the whole budget was loaded whole for every read. */
    @Test
    void aServiceLargerThanTheBudgetIsKeptInTheOversizedSlotAndReadWithoutStorage() {
        PausingStorage storage = new PausingStorage();
        Registry registry = Registries.withOwnLog(storage, 16, 4, new CacheTable.OversizedSlot(8));
        publish(registry, "small", "pod-1");
        for (int i = 0; i < 6; i++) {
            publish(registry, "large", "pod-" + i);
        }
        registry.state("small"); // evicted while the large service grew within the budget: loaded again
        publish(registry, "large", "pod-6");
        storage.calls.clear();
        ServiceState large = registry.state("large");
        assertEquals(7, large.publicationCount());
        assertTrue(registry.isCached("small"), "the large service's change took no room from the others");
        registry.state("small");
        assertEquals(List.of(), storage.calls, "both read from memory");

        for (int i = 7; i < 9; i++) {
            publish(registry, "large", "pod-" + i);
        }
        storage.calls.clear();
        assertEquals(9, registry.state("large").publicationCount());
        assertEquals(1, storage.calls.stream().filter(call -> call.startsWith("list ")).count(),
                "past the slot's own bound it is loaded for every read, as before: " + storage.calls);
        assertTrue(registry.isCached("small"));
    }

    /** A publish into a new service: its existence check reads the service, then the publish changes it. */
    @Test
    void theChangeAfterAReadOfANewServiceDoesNotListItAgain() {
        PausingStorage storage = new PausingStorage();
        Registry registry = Registries.withOwnLog(storage, 16, 100);
        publish(registry, "other", "pod-1"); // the mount's first change: it makes the log key, named from the config
        storage.calls.clear();
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
        Registry elsewhere = Registries.withOwnLog(storage, 16, 100); // the other node, on the same storage
        Registry registry = Registries.withOwnLog(storage, 16, 100);
        assertTrue(registry.state("new").isEmpty());
        publish(elsewhere, "new", "pod-1");
        assertTrue(registry.invalidate(ServiceStore.instanceKey("new", "pod-1")));
        assertEquals(1, registry.state("new").seq(), "read again after the invalidation");
        assertEquals(2, publish(registry, "new", "pod-2").seq(), "and a change builds on what the other node wrote");
    }

    /**
     * A write that fails is retried with the same bytes until storage takes it (a storage outage
     * stalls changes, never forks the log); the change is answered once it is stored, and what is
     * read is what is stored, whether the failed attempts reached storage or not.
     */
    @Test
    void aWriteThatFailsIsRetriedAndTheChangeIsAnsweredOnceStored() {
        for (boolean written : new boolean[] {false, true}) {
            PausingStorage storage = new PausingStorage();
            Registry registry = Registries.withOwnLog(storage, 16, 100);
            assertTrue(registry.state("new").isEmpty());
            storage.failingPut = ServiceStore.instanceKey("new", "pod-1");
            storage.failAfterWriting = written;
            storage.failuresLeft.set(3);
            ServiceState published = publish(registry, "new", "pod-1");
            assertEquals(3, storage.failures.get(), "three attempts failed, the fourth was taken");
            assertEquals(1, published.seq());
            assertEquals(ServiceStore.load(storage, "new"), registry.state("new"), "what is read is what is stored");
            assertEquals(2, publish(registry, "new", "pod-2").seq(), "and the next change builds on it");
        }
    }

    /**
     * A mount that goes away while a change's writes are failing: its caller gets 503 (the change
     * may still take effect), nothing of the service stays cached, and the next start rolls the
     * change forward from its batch record, whole.
     */
    @Test
    void aChangeLeftUnwrittenWhenTheMountGoesAwayIsRolledForwardWholeAtTheNextStart() throws Exception {
        PausingStorage storage = new PausingStorage();
        MountLog log = new MountLog(storage, new Settings(storage), java.time.Clock.systemUTC(), key -> { });
        Registry registry = new Registry(storage, log);
        publishLogged(registry, "web", "pod-1");
        storage.failingPut = ServiceStore.instanceKey("web", "pod-2"); // in the batch's second write
        java.util.concurrent.atomic.AtomicReference<Throwable> answer = new java.util.concurrent.atomic.AtomicReference<>();
        Thread change = Thread.ofPlatform().start(() -> {
            try {
                publishLogged(registry, "web", "pod-2");
            } catch (Throwable e) {
                answer.set(e);
            }
        });
        while (storage.failures.get() < 2) {
            Thread.onSpinWait();
        }
        log.close();
        change.join();
        assertTrue(answer.get() instanceof dev.herald.sdk.VaultException refused && refused.status() == 503, "answered 503: " + answer.get());
        assertTrue(storage.inner.get(ServiceStore.instanceKey("web", "pod-2")).isEmpty(), "not written yet");
        assertEquals(1, registry.state("web").seq(), "nothing cached that storage does not hold");

        storage.failingPut = null;
        Registry restarted = Registries.withOwnLog(storage, 16, 100);
        assertEquals(3, publishLogged(restarted, "web", "pod-3").seq(), "the change was rolled forward before the next one");
        ServiceState read = ServiceStore.load(storage, "web");
        assertTrue(read.current("pod-2", NOW).isPresent(), "the unanswered change is there, whole");
        assertEquals(read, restarted.state("web"));
    }

    /**
     * A change's entries (its first event at history index 0) as versions before the log wrote
     * them: each instance entry also carried the change's events, with their indices.
     */
    private static Map<String, byte[]> asBeforeTheLog(Map<String, byte[]> writes, List<History.Event> events) {
        List<Map<String, Object>> carried = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            carried.add(Map.of("index", (long) i, "event", events.get(i).toData()));
        }
        Map<String, byte[]> old = new java.util.LinkedHashMap<>();
        writes.forEach((key, value) -> {
            if (key.startsWith(ServiceStore.INSTANCE_PREFIX)) {
                Map<String, Object> entry = new java.util.LinkedHashMap<>(dev.herald.sdk.json.Json.parseObject(
                        new String(value, java.nio.charset.StandardCharsets.UTF_8)));
                entry.put("events", carried);
                value = dev.herald.sdk.json.Json.write(entry).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            old.put(key, value);
        });
        return old;
    }

    /**
     * Versions before the log wrote a change's entries one by one: when only the instance entry
     * landed (the history write failed, or a crash came between them), the event it carries is
     * written back when the service is next loaded.
     */
    @Test
    void anEventWhoseHistoryEntryWasNotWrittenIsRestoredFromTheInstanceEntry() {
        PausingStorage storage = new PausingStorage();
        publish(Registries.withOwnLog(storage, 16, 1000), "web", "pod-1");
        ServiceState current = ServiceStore.load(storage, "web");
        ServiceState changed = current.changed("pod-2", List.of(publication("pod-2", 1, newKey())));
        List<History.Event> events = List.of(History.Event.builder().type("publish").time(NOW).instance("pod-2").generation(1)
                .fingerprint("sha256:02").actor(TestValues.PUBLISHER).sequence(changed.seq()).build());
        Map<String, byte[]> writes = asBeforeTheLog(ServiceStore.writes(current, changed.withHistoryLength(1), events), events);
        writes.remove(History.serviceKey("web", 0)); // as such a version left it
        storage.putAll(writes);

        ServiceState read = Registries.withOwnLog(storage).state("web");
        assertEquals(1, read.historyLength(), "counted by the instance entry's stamp");
        assertTrue(read.current("pod-2", NOW).isPresent());
        byte[] restored = storage.inner.get(History.serviceKey("web", 0)).orElseThrow();
        assertTrue(new String(restored, java.nio.charset.StandardCharsets.UTF_8).contains("\"fingerprint\":\"sha256:02\""),
                "and written back from the event the entry carries");
        assertEquals(1, History.read(storage, "web", read.historyLength(), 0, 10).events().size());
    }

    /** Versions before the log: a crash between two instance entries of one change; what is loaded is the whole change. */
    @Test
    void aChangeCutOffBetweenItsInstanceEntriesIsLoadedWholeWithItsHistory() {
        PausingStorage storage = new PausingStorage();
        publish(Registries.withOwnLog(storage, 16, 100), "web", "pod-1");
        ServiceState current = ServiceStore.load(storage, "web");
        ServiceState changed = current.changed("pod-2", List.of(publication("pod-2", 1, newKey())))
                .changed("pod-3", List.of(publication("pod-3", 1, newKey())));
        List<History.Event> events = List.of(History.Event.builder().type("publish").time(NOW).instance("pod-2").generation(1)
                .fingerprint("sha256:00").actor(TestValues.PUBLISHER).sequence(changed.seq()).build());
        Map<String, byte[]> writes = asBeforeTheLog(ServiceStore.writes(current, changed.withHistoryLength(1), events), events);
        writes.remove(ServiceStore.instanceKey("web", "pod-3")); // as such a version left it
        storage.putAll(writes);

        ServiceState restarted = Registries.withOwnLog(storage).state("web"); // a new process over the same storage
        assertEquals(3, restarted.seq(), "the change's sequence, never served for another live set");
        assertTrue(restarted.current("pod-2", NOW).isPresent(), "the entry written is there");
        assertTrue(restarted.current("pod-3", NOW).isEmpty(), "the one cut off is not");
        assertEquals(1, restarted.historyLength(), "with the change's history entry");
        // and the next change appends after it instead of writing over it
        ServiceState after = publish(Registries.withOwnLog(storage), "web", "pod-4");
        assertEquals(4, after.seq());
        assertEquals(1, after.historyLength(), "publish() here writes no event: the length stays");
    }

    /**
     * A plugin restarted after a crash between a batch's two writes may be asked to read before the
     * server sends Initialize (or after Initialize found storage unavailable): the read rolls the log
     * forward first, so that it never serves the state without a change that the next moment holds.
     */
    @Test
    void aReadBeforeTheWriterOpensRollsTheLogForwardFirst() {
        CopyingStorage storage = new CopyingStorage();
        Registry before = Registries.withOwnLog(storage);
        publishLogged(before, "web", "pod-1");
        storage.copyAtSecondWrite = true;
        publishLogged(before, "web", "pod-2");
        InMemoryStorage crashed = storage.copy;
        assertTrue(crashed != null && ServiceStore.load(crashed, "web").current("pod-2", NOW).isEmpty(),
                "the crash came after the batch record and before the change's own entries");

        ServiceState read = Registries.withOwnLog(crashed).state("web"); // a new process, no Initialize
        assertTrue(read.current("pod-2", NOW).isPresent(), "rolled forward before it was read");
        assertTrue(ServiceStore.load(crashed, "web").current("pod-2", NOW).isPresent(), "and written");
    }

    /** Storage that keeps a copy of what it held when a change's second write (its entries and checkpoint) began. */
    private static final class CopyingStorage extends DelegatingStorage {
        volatile boolean copyAtSecondWrite;
        volatile InMemoryStorage copy;

        CopyingStorage() {
            super(new InMemoryStorage());
        }

        @Override
        public void put(String key, byte[] value) {
            if (copyAtSecondWrite && copy == null && (key.equals(LogStore.HEAD) || key.startsWith(ServiceStore.INSTANCE_PREFIX))) {
                InMemoryStorage snapshot = new InMemoryStorage();
                inner.keys().forEach(k -> snapshot.put(k, inner.get(k).orElseThrow()));
                copy = snapshot;
            }
            super.put(key, value);
        }
    }
}
