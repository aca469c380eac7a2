package dev.herald.engine;

import dev.herald.sdk.testing.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The consumer index (docs/design-ack.md §4.2): who lags behind an awaited sequence, and when they stop counting. */
class ConsumersTest {
    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    private static final Duration TTL = Duration.ofHours(2);

    private final InMemoryStorage storage = new InMemoryStorage();
    private final Consumers consumers = new Consumers(storage);

    private static ConsumerEntry entry(String entity, String session, long seq, Instant ackedAt) {
        return ConsumerEntry.builder().service("web").entityId(entity).session(session)
                .aliases(List.of(new ConsumerEntry.Alias("auth_jwt_1", entity + "-sa"))).seq(seq)
                .ackedAt(ackedAt).seqSince(ackedAt).firstSeen(T).build();
    }

    /** Stores the entry as an acknowledgement does, with no check of its own. */
    private static void store(Consumers consumers, ConsumerEntry entry) {
        consumers.store(entry.service(), entry.id(), index -> entry);
    }

    private boolean lagging(Consumers index, long s, Instant now) {
        return index.with("web", c -> c.lagging(s, now, TTL));
    }

    @Test
    void aRotationWaitsUntilEveryCountedSessionHasReachedItsSequence() {
        store(consumers, entry("e1", "a", 3, T));
        store(consumers, entry("e2", "b", 5, T));
        store(consumers, entry("e3", "c", 7, T));
        assertTrue(lagging(consumers, 6, T.plusSeconds(1)), "a and b are below 6");
        store(consumers, entry("e1", "a", 6, T.plusSeconds(10)));
        assertTrue(lagging(consumers, 6, T.plusSeconds(11)), "b still is");
        store(consumers, entry("e2", "b", 5, T.plusSeconds(20))); // a heartbeat of the old seq
        assertTrue(lagging(consumers, 6, T.plusSeconds(21)));
        assertEquals(List.of("e2.b"), consumers.with("web", c -> c.laggards(6, T.plusSeconds(21), TTL, 10))
                .stream().map(ConsumerEntry::id).toList());
        store(consumers, entry("e2", "b", 7, T.plusSeconds(30)));
        assertFalse(lagging(consumers, 6, T.plusSeconds(31)), "everyone has reached 6");
    }

    /** Overlapping rotations: each awaited S sees the sessions below it, with nothing kept per rotation. */
    @Test
    void everyAwaitedSequenceSeesTheSessionsBelowItAtOnce() {
        store(consumers, entry("e1", "a", 3, T));
        store(consumers, entry("e2", "b", 5, T.plusSeconds(1)));
        store(consumers, entry("e3", "c", 7, T.plusSeconds(2)));
        assertTrue(lagging(consumers, 4, T.plusSeconds(3)), "a is below 4");
        assertTrue(lagging(consumers, 6, T.plusSeconds(3)), "a and b are below 6");
        assertFalse(lagging(consumers, 3, T.plusSeconds(3)), "nobody is below 3");
        store(consumers, entry("e1", "a", 8, T.plusSeconds(4)));
        assertFalse(lagging(consumers, 4, T.plusSeconds(5)));
        assertTrue(lagging(consumers, 6, T.plusSeconds(5)), "b still is");
        assertEquals(List.of("e2.b"), consumers.with("web", c -> c.laggards(8, T.plusSeconds(5), TTL, 1)).stream()
                .map(ConsumerEntry::id).toList(), "the oldest acknowledgement first, at most the limit");
    }

    @Test
    void aLaggardStopsCountingConsumerTtlAfterItsLastAcknowledgement() {
        store(consumers, entry("e1", "a", 3, T));
        store(consumers, entry("e2", "b", 9, T.plusSeconds(100)));
        assertTrue(lagging(consumers, 6, T.plus(TTL).minusSeconds(1)));
        assertFalse(lagging(consumers, 6, T.plus(TTL)), "not counted from ackedAt + consumer_ttl on");
        assertEquals(Optional.of(T.plus(TTL)), consumers.with("web", c -> c.lastLaggardStopped(6, TTL)),
                "the completion time of a rotation whose laggards all went away");
        boolean bCounts = consumers.with("web", c -> c.anyCounted(T.plus(TTL), TTL));
        assertTrue(bCounts, "b still counts");
        assertEquals(List.of("e2.b"), consumers.with("web", c -> c.counted(T.plus(TTL), TTL)).stream()
                .map(ConsumerEntry::id).toList());
    }

    @Test
    void aSessionArrivingBelowAnAwaitedSequenceJoinsItsLaggardsAndALeaveRemovesIt() {
        store(consumers, entry("e1", "a", 7, T));
        assertFalse(lagging(consumers, 6, T));
        store(consumers, entry("e2", "new", 4, T.plusSeconds(5)));
        assertTrue(lagging(consumers, 6, T.plusSeconds(6)), "a consumer that came after the rotation still counts");
        assertTrue(consumers.remove("web", "e2.new"));
        assertFalse(lagging(consumers, 6, T.plusSeconds(7)));
        assertFalse(storage.keys().contains("consumers/web/e2.new"), "its entry is gone");
        assertFalse(consumers.remove("web", "e2.new"), "a second leave finds nothing");
    }

    @Test
    void anIndexReadAgainFromStorageIsTheSame() {
        store(consumers, entry("e1", "a", 3, T));
        store(consumers, entry("e1", "b", 8, T.plusSeconds(1)));
        store(consumers, entry("e2", "c", 5, T.plusSeconds(2)));
        consumers.remove("web", "e1.a");
        Consumers reloaded = new Consumers(storage); // another node taking over, or an eviction
        for (Consumers index : List.of(consumers, reloaded)) {
            assertEquals(List.of("e1.b", "e2.c"), index.with("web", c -> c.counted(T.plusSeconds(3), TTL)).stream()
                    .map(ConsumerEntry::id).sorted().toList());
            int sessionsOfE1 = index.with("web", c -> c.sessionsOf("e1"));
            assertEquals(1, sessionsOfE1);
            assertEquals(Optional.of(ConsumerEntry.decode("web", storage.get("consumers/web/e2.c").orElseThrow())),
                    index.with("web", c -> c.entry("e2.c")));
            assertTrue(lagging(index, 6, T.plusSeconds(3)));
        }
    }

    @Test
    void evictedServicesAreLoadedAgainWhole() {
        Consumers small = new Consumers(storage, 3);
        for (String service : List.of("web", "api")) {
            for (int i = 0; i < 2; i++) {
                store(small, entry("e" + i, "s", 1, T).toBuilder().service(service).build());
            }
        }
        // "web" was pushed out by "api": its sessions come back from storage.
        assertEquals(2, small.with("web", ServiceConsumersSize::of));
        store(small, entry("e9", "s", 1, T));
        assertEquals(3, small.with("web", ServiceConsumersSize::of));
        assertEquals(2, small.with("api", ServiceConsumersSize::of));
    }

    /** Names the size getter for the tests above. */
    private static final class ServiceConsumersSize {
        static int of(Consumers.ServiceConsumers index) {
            return index.size();
        }
    }

    @Test
    void anEntryKeepsAtMostFourAliasesAndReadsBackAsWritten() {
        List<ConsumerEntry.Alias> many = List.of(new ConsumerEntry.Alias("a1", "n1"), new ConsumerEntry.Alias("a2", "n2"),
                new ConsumerEntry.Alias("a3", "n3"), new ConsumerEntry.Alias("a4", "n4"), new ConsumerEntry.Alias("a5", "n5"));
        ConsumerEntry entry = entry("e1", "a", 3, T).toBuilder().aliases(many).build();
        assertEquals(4, entry.aliases().size());
        assertEquals(entry, ConsumerEntry.decode("web", entry.encode()));
        assertEquals("consumers/web/e1.a", entry.storageKey());
        assertEquals("web", ConsumerEntry.serviceOf(entry.storageKey()));
    }

    /**
     * Acknowledgements of different sessions are written in parallel, and a new session counts
     * toward the bounds while it is being written: a second newcomer sees the first.
     */
    @Test
    void aNewSessionBeingWrittenCountsTowardTheBoundsAndDoesNotHoldOthersBack() throws Exception {
        java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        dev.herald.sdk.Storage slow = new DelegatingStorage(new InMemoryStorage()) {
            @Override
            public void put(String key, byte[] value) {
                if (key.endsWith("e1.a")) {
                    writing.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.put(key, value);
            }
        };
        Consumers parallel = new Consumers(slow);
        store(parallel, entry("e0", "z", 1, T)); // the index is loaded, one session
        Thread first = Thread.ofVirtual().start(() -> store(parallel, entry("e1", "a", 3, T)));
        writing.await();
        // while e1.a is being written: its service's index is free, and counts it
        assertEquals(2, parallel.with("web", ServiceConsumersSize::of));
        store(parallel, entry("e2", "b", 5, T)); // another session is written meanwhile
        release.countDown();
        first.join();
        assertEquals(3, parallel.with("web", ServiceConsumersSize::of));
        assertEquals(List.of("e0", "e1", "e2"), parallel.with("web", c -> c.all().stream().map(ConsumerEntry::entityId)
                .sorted().toList()));
    }


    @Test
    void anAliasNameOverTwoHundredFiftySixBytesIsKeptAsItsHash() throws Exception {
        String longName = "system:serviceaccount:" + "x".repeat(300);
        ConsumerEntry.Alias alias = new ConsumerEntry.Alias("auth_jwt_1", longName);
        String expected = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(longName.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(expected, alias.name());
        assertEquals("short", new ConsumerEntry.Alias("auth_jwt_1", "short").name());
        ConsumerEntry entry = entry("e1", "a", 3, T).toBuilder().aliases(List.of(alias)).build();
        assertEquals(List.of(alias), ConsumerEntry.decode("web", entry.encode()).aliases(), "and it reads back as stored");
    }
}
