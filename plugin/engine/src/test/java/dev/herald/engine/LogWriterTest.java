package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.testing.InMemoryStorage;
import dev.herald.tlog.Appended;
import dev.herald.tlog.Ed25519Keys;
import dev.herald.tlog.NoteSigner;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.TileData;
import dev.herald.tlog.TreeTail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class LogWriterTest {
    private static final String ORIGIN = "herald.invalid/test/log";
    private static final KeyPair KEY = Ed25519Keys.generate();
    private static final NoteSigner SIGNER = NoteSigner.ed25519(ORIGIN, KEY.getPrivate(), KEY.getPublic());
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC);
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** One change of the plan: its leaves, its own entry, and the shared entry every change overwrites. */
    private record Planned(int number, List<byte[]> leaves) {
        LogWriter.Encoded encode(long first) {
            Map<String, byte[]> writes = new LinkedHashMap<>();
            writes.put("history/s/" + number, bytes("change " + number + " at " + first));
            writes.put("instances/s/shared", bytes(Integer.toString(number)));
            return new LogWriter.Encoded(leaves, writes);
        }

        String ownKey() {
            return "history/s/" + number;
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Leaves per change, in turn: 0 is a renewal or tidy, and two of them come in a row. */
    private static final int[] LEAVES = {0, 13, 0, 0, 26, 39};

    /**
     * Changes of 0, 13, 26 or 39 leaves, 312 leaves in all: a full bundle and tile crossed, in 24
     * changes (few, so that a crash at each of their writes stays cheap).
     */
    private static List<Planned> plan() {
        List<Planned> plan = new ArrayList<>();
        long leaves = 0;
        for (int number = 0; leaves < 300; number++) {
            int count = LEAVES[number % LEAVES.length];
            List<byte[]> own = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                own.add(bytes("{\"change\":" + number + ",\"leaf\":" + i + "}"));
            }
            plan.add(new Planned(number, own));
            leaves += count;
        }
        return plan;
    }

    @Test
    void aChangeIsAcknowledgedWithItsIndexOnceASignedCheckpointHoldsIt() throws Exception {
        CountingDeletes storage = new CountingDeletes();
        List<Planned> plan = plan();
        List<byte[]> leaves = new ArrayList<>();
        try (LogWriter writer = LogWriter.open(storage, SIGNER, CLOCK, key -> { })) {
            for (Planned change : plan) {
                LogWriter.Committed committed = writer.submit(change.leaves().size(), change::encode, LogWriter.Outcome.NONE).await(WAIT);
                assertEquals(leaves.size(), committed.firstIndex());
                leaves.addAll(change.leaves());
                SignedCheckpoint checkpoint = SignedCheckpoint.open(committed.checkpoint(), ORIGIN, List.of(SIGNER.verifier()));
                assertEquals(leaves.size(), checkpoint.checkpoint().size());
                assertArrayEquals(bytes("change " + change.number() + " at " + committed.firstIndex()),
                        storage.get(change.ownKey()).orElseThrow());
            }
        }
        assertStoredTree(storage, leaves);
        // The head names the records of the leaves after the full bundle, each in its slot; nothing is deleted.
        LogTree.Head head = storage.get(LogStore.HEAD).map(LogTree.Head::decode).orElseThrow();
        assertFalse(head.records().isEmpty());
        long covered = 256;
        for (long start : head.records()) {
            LogStore.Batch record = LogStore.batch(storage, start).orElseThrow();
            assertTrue(record.end() > 256, "record " + start + " named after its bundle was stored");
            assertTrue(record.start() <= covered, "the named records leave no gap");
            covered = Math.max(covered, record.end());
        }
        assertEquals(leaves.size(), covered, "the named records hold every leaf after the bundle");
        assertEquals(0, storage.deletes(), "no storage delete");
    }

    @Test
    void aRunOfChangesWithoutLeavesMarksTheBatchBeforeItWholeOnce() throws Exception {
        List<String> puts = new ArrayList<>();
        Storage storage = new DelegatingStorage(new InMemoryStorage()) {
            @Override
            public synchronized void put(String key, byte[] value) {
                puts.add(key);
                super.put(key, value);
            }
        };
        List<Integer> marks = new ArrayList<>();
        try (LogWriter writer = LogWriter.open(storage, SIGNER, CLOCK, key -> { })) {
            int change = 0;
            for (int leaves : new int[]{0, 0, 1, 0, 0, 0, 2, 0, 0}) {
                List<byte[]> own = new ArrayList<>();
                for (int i = 0; i < leaves; i++) {
                    own.add(bytes("{\"change\":" + change + ",\"leaf\":" + i + "}"));
                }
                String key = "renewed/" + change++;
                writer.submit(leaves, first -> new LogWriter.Encoded(own, Map.of(key, bytes("x"))), LogWriter.Outcome.NONE).await(WAIT);
                synchronized (storage) {
                    marks.add((int) puts.stream().filter(LogStore.COMPLETE::equals).count());
                }
            }
        }
        // None before the first batch; then one with the first renewal after each batch.
        assertEquals(List.of(0, 0, 0, 1, 1, 1, 1, 2, 2), marks);
        assertEquals("1", new String(storage.get(LogStore.COMPLETE).orElseThrow(), StandardCharsets.UTF_8),
                "the mark names the last batch, which starts at index 1");
    }

    @Test
    void concurrentChangesGetDenseIndicesInOneTree() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        ConcurrentLinkedQueue<long[]> spans = new ConcurrentLinkedQueue<>();
        Map<Long, byte[]> byIndex = new java.util.concurrent.ConcurrentHashMap<>();
        try (LogWriter writer = LogWriter.open(storage, SIGNER, CLOCK, key -> { }); ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int n = 0; n < 60; n++) {
                        int i = n;
                        List<byte[]> leaves = new ArrayList<>();
                        for (int j = 0; j <= i % 3; j++) {
                            leaves.add(bytes("{\"thread\":" + thread + ",\"i\":" + i + ",\"j\":" + j + "}"));
                        }
                        LogWriter.Committed committed = writer.submit(leaves.size(),
                                first -> new LogWriter.Encoded(leaves, Map.of("t/" + thread + "/" + i, bytes(Long.toString(first)))), LogWriter.Outcome.NONE).await(WAIT);
                        spans.add(new long[]{committed.firstIndex(), leaves.size()});
                        for (int j = 0; j < leaves.size(); j++) {
                            byIndex.put(committed.firstIndex() + j, leaves.get(j));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        }
        long total = spans.stream().mapToLong(span -> span[1]).sum();
        assertEquals(total, byIndex.size(), "every index given once");
        List<byte[]> ordered = new ArrayList<>();
        for (long i = 0; i < total; i++) {
            ordered.add(Optional.ofNullable(byIndex.get(i)).orElseThrow(() -> new AssertionError("an index skipped")));
        }
        assertStoredTree(storage, ordered);
    }

    /**
     * A crash at every storage write of a run, then a restart: every acknowledged change is in the
     * tree with its writes, every change is all there or not at all, and the tree goes on.
     */
    @ParameterizedTest(name = "the rest of the crashing putAll lands: {0}")
    @ValueSource(booleans = {false, true})
    void aCrashAtAnyWriteLosesNothingAcknowledgedAndRollsForwardWhole(boolean restLands) throws Exception {
        crashAtEvery(plan(), 1, restLands);
    }

    /**
     * As above past the records' ring: 1,300 leaves in changes of 1 to 4, so slots are overwritten
     * many times (a crash at every 13th write, to stay quick).
     */
    @ParameterizedTest(name = "the rest of the crashing putAll lands: {0}")
    @ValueSource(booleans = {false, true})
    void aCrashAfterTheRecordsRingWrapsLosesNothing(boolean restLands) throws Exception {
        List<Planned> plan = new ArrayList<>();
        long leaves = 0;
        for (int number = 0; leaves < 1300; number++) {
            List<byte[]> own = new ArrayList<>();
            for (int i = 0; i < number % 4 + 1; i++) {
                own.add(bytes("{\"change\":" + number + ",\"leaf\":" + i + "}"));
            }
            plan.add(new Planned(number, own));
            leaves += own.size();
        }
        crashAtEvery(plan, 13, restLands);
    }

    /**
     * As above with changes of up to 511 leaves, unaligned: the ring's closest case (records that
     * start 510 leaves apart), and changes too large for it (a revoke of many listed keys), whose
     * records are kept apart and deleted once redundant. A crash at every 5th write.
     */
    @ParameterizedTest(name = "the rest of the crashing putAll lands: {0}")
    @ValueSource(booleans = {false, true})
    void aCrashWithChangesUpToAndPastTheRingsLimitLosesNothing(boolean restLands) throws Exception {
        // First 213, then 300 to 513, then 212 to 725: the change at 725 takes the slot of 213 while
        // that record still holds leaves 512 on, so it must not be in the ring; ten more of one leaf.
        List<Integer> sizes = new ArrayList<>(List.of(213, 300, 212, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
        int[] cycle = {1, 255, 256, 3, 300, 2, 256, 0, 511, 254};
        List<Planned> plan = new ArrayList<>();
        long leaves = 0;
        for (int number = 0; leaves < 2400; number++) {
            List<byte[]> own = new ArrayList<>();
            int size = number < sizes.size() ? sizes.get(number) : cycle[number % cycle.length];
            for (int i = 0; i < size; i++) {
                own.add(bytes("{\"change\":" + number + ",\"leaf\":" + i + "}"));
            }
            plan.add(new Planned(number, own));
            leaves += own.size();
        }
        InMemoryStorage storage = new InMemoryStorage();
        assertEquals(plan, run(new CrashingStorage(storage, Integer.MAX_VALUE, false), plan));
        // Only the oversized record of the last batch may be left, until the next batch.
        LogTree.Head head = storage.get(LogStore.HEAD).map(LogTree.Head::decode).orElseThrow();
        for (String slot : storage.list(LogStore.RECORD_PREFIX)) {
            if (slot.startsWith("x")) {
                long start = Long.parseLong(slot.substring(1));
                assertTrue(start == head.batch() || head.records().contains(start), "oversized record " + start + " left");
            }
        }
        crashAtEvery(plan, 5, restLands);
    }

    /**
     * A crash after the first write of the batch that fills a level-1 tile (at 65,536 leaves): the
     * stored partial tile of level 1 has moved on to the next tile, so the one the stored
     * checkpoint needs is made again from the full level-0 tiles, and the batch rolls forward.
     */
    @Test
    void aCrashAfterTheBatchThatFillsALevelOneTileRollsForward() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        List<byte[]> leaves = new ArrayList<>();
        byte[] headBefore;
        try (LogWriter writer = LogWriter.open(storage, SIGNER, CLOCK, key -> { })) {
            while (leaves.size() < 65_536 - 10) {
                List<byte[]> own = new ArrayList<>();
                for (int i = 0; i < Math.min(256, 65_536 - 10 - leaves.size()); i++) {
                    own.add(bytes("{\"leaf\":" + (leaves.size() + i) + "}"));
                }
                int number = leaves.size();
                writer.submit(own.size(), first -> new LogWriter.Encoded(own, Map.of("c/" + number, bytes("x"))), LogWriter.Outcome.NONE).await(WAIT);
                leaves.addAll(own);
            }
            headBefore = storage.get(LogStore.HEAD).orElseThrow();
            List<byte[]> crossing = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                crossing.add(bytes("{\"leaf\":" + (leaves.size() + i) + "}"));
            }
            writer.submit(20, first -> new LogWriter.Encoded(crossing, Map.of("crossing", bytes("y"))), LogWriter.Outcome.NONE).await(WAIT);
            leaves.addAll(crossing);
        }
        // As storage is when the second write of that batch never happened.
        storage.put(LogStore.HEAD, headBefore);
        storage.delete("crossing");
        LogTree.Head head = LogTree.Head.decode(headBefore);
        assertEquals(65_526, head.size());
        try (LogWriter restarted = LogWriter.open(storage, SIGNER, CLOCK, key -> { })) {
            assertArrayEquals(bytes("y"), storage.get("crossing").orElseThrow(), "rolled forward");
            assertStoredTree(storage, leaves);
            List<byte[]> after = List.of(bytes("{\"after\":true}"));
            assertEquals(65_546, restarted.submit(1, first -> new LogWriter.Encoded(after, Map.of()), LogWriter.Outcome.NONE).await(WAIT).firstIndex());
            leaves.addAll(after);
            assertStoredTree(storage, leaves);
        }
    }

    private void crashAtEvery(List<Planned> plan, int stride, boolean restLands) throws Exception {
        CrashingStorage clean = new CrashingStorage(new InMemoryStorage(), Integer.MAX_VALUE, false);
        assertEquals(plan, run(clean, plan));
        int writes = clean.writes();
        for (int crashAt = 1; crashAt <= writes + 1; crashAt += stride) {
            InMemoryStorage inner = new InMemoryStorage();
            CrashingStorage crashing = new CrashingStorage(inner, crashAt, restLands);
            List<Planned> acknowledged = run(crashing, plan);
            String at = "crash at write " + crashAt;
            try (LogWriter restarted = LogWriter.open(inner, SIGNER, CLOCK, key -> { })) {
                long size = inner.get(LogStore.HEAD).map(LogTree.Head::decode).map(LogTree.Head::size).orElse(0L);
                List<byte[]> inTree = new ArrayList<>();
                int last = -1;
                for (Planned change : plan) {
                    if (inTree.size() + change.leaves().size() > size || change.leaves().isEmpty() && inTree.size() == size) {
                        break;
                    }
                    inTree.addAll(change.leaves());
                    last = change.number();
                }
                assertEquals(size, inTree.size(), at + ": the tree is a prefix of whole changes");
                for (Planned change : plan) {
                    boolean logged = change.number() <= last;
                    if (acknowledged.contains(change)) {
                        assertTrue(logged || change.leaves().isEmpty(), at + ": acknowledged change " + change.number() + " is in the tree");
                        assertTrue(inner.get(change.ownKey()).isPresent(), at + ": acknowledged change " + change.number() + " was written");
                    }
                    if (!change.leaves().isEmpty()) {
                        assertEquals(logged, inner.get(change.ownKey()).isPresent(),
                                at + ": change " + change.number() + " is written exactly when it is in the tree");
                    }
                }
                assertStoredTree(inner, inTree);
                // The roll-forward never writes back an older value over a later acknowledged change's
                // (a renewal, which has no leaves and so no batch record, after the last batch).
                int lastAcknowledged = acknowledged.stream().mapToInt(Planned::number).max().orElse(-1);
                if (lastAcknowledged >= 0) {
                    int shared = Integer.parseInt(new String(inner.get("instances/s/shared").orElseThrow(), StandardCharsets.UTF_8));
                    assertTrue(shared >= lastAcknowledged, at + ": the shared entry holds change " + shared
                            + ", older than the last acknowledged one, " + lastAcknowledged);
                }
                List<byte[]> after = List.of(bytes("{\"after\":" + crashAt + "}"));
                LogWriter.Committed next = restarted.submit(1, first -> new LogWriter.Encoded(after, Map.of("after", bytes("x"))), LogWriter.Outcome.NONE).await(WAIT);
                assertEquals(size, next.firstIndex(), at + ": the next change takes the next index");
                inTree.addAll(after);
                assertStoredTree(inner, inTree);
            }
        }
    }

    /** Runs the plan change by change until the storage crashes; returns the changes acknowledged. */
    private static List<Planned> run(CrashingStorage storage, List<Planned> plan) throws InterruptedException {
        List<Planned> acknowledged = new ArrayList<>();
        try (LogWriter writer = LogWriter.open(storage, SIGNER, CLOCK, key -> { })) {
            for (Planned change : plan) {
                LogWriter.Ticket ticket = writer.submit(change.leaves().size(), change::encode, LogWriter.Outcome.NONE);
                while (!ticket.isDone() && !storage.crashed()) {
                    Thread.sleep(0, 100_000);
                }
                if (storage.crashed()) {
                    break;
                }
                ticket.await(WAIT);
                acknowledged.add(change);
            }
        }
        return acknowledged;
    }

    /**
     * The stored log is the tree of {@code leaves}: its checkpoint is signed and has their root,
     * and every full tile and bundle of that tree is stored with the same bytes.
     */
    private static void assertStoredTree(Storage storage, List<byte[]> leaves) throws Exception {
        Optional<LogTree.Head> stored = storage.get(LogStore.HEAD).map(LogTree.Head::decode);
        if (stored.isEmpty()) {
            assertEquals(List.of(), leaves, "no checkpoint stored");
            return;
        }
        LogTree.Head head = stored.get();
        SignedCheckpoint checkpoint = SignedCheckpoint.open(head.note(), ORIGIN, List.of(SIGNER.verifier()));
        Appended whole = TreeTail.empty().append(leaves);
        assertEquals(leaves.size(), checkpoint.checkpoint().size());
        assertEquals(whole.root(), checkpoint.checkpoint().root());
        assertEquals(whole.edge(), head.edge());
        for (TileData tile : whole.fullTiles()) {
            assertArrayEquals(tile.bytes(), storage.get(LogStore.tileKey(tile.id().level(), tile.id().index()))
                    .orElseThrow(() -> new AssertionError("tile " + tile.id() + " missing")), tile.id().toString());
        }
        for (TileData bundle : whole.fullBundles()) {
            assertArrayEquals(bundle.bytes(), storage.get(LogStore.bundleKey(bundle.id().index()))
                    .orElseThrow(() -> new AssertionError("bundle " + bundle.id() + " missing")), bundle.id().toString());
        }
    }

    /** Storage in memory that counts its deletes. */
    private static final class CountingDeletes extends DelegatingStorage {
        private int deletes;

        CountingDeletes() {
            super(new InMemoryStorage());
        }

        synchronized int deletes() {
            return deletes;
        }

        @Override
        public synchronized void delete(String key) {
            deletes++;
            super.delete(key);
        }
    }

    /**
     * Storage that dies at its n-th write (put or delete): that write and every call after it fail.
     * With {@code restLands}, the other entries of the putAll it dies in still land, as writes sent
     * concurrently would: a putAll is not atomic.
     */
    private static final class CrashingStorage extends DelegatingStorage {
        private final int crashAt;
        private final boolean restLands;
        private int writes;
        private volatile boolean crashed;

        CrashingStorage(InMemoryStorage inner, int crashAt, boolean restLands) {
            super(inner);
            this.crashAt = crashAt;
            this.restLands = restLands;
        }

        @Override
        public void putAll(Map<String, byte[]> entries) {
            IllegalStateException died = null;
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                if (died != null) {
                    if (restLands) {
                        inner.put(entry.getKey(), entry.getValue());
                    }
                    continue;
                }
                try {
                    put(entry.getKey(), entry.getValue());
                } catch (IllegalStateException e) {
                    died = e;
                }
            }
            if (died != null) {
                throw died;
            }
        }

        boolean crashed() {
            return crashed;
        }

        synchronized int writes() {
            return writes;
        }

        private synchronized void write() {
            if (crashed || ++writes >= crashAt) {
                crashed = true;
                throw new IllegalStateException("crashed");
            }
        }

        @Override
        public Optional<byte[]> get(String key) {
            if (crashed) {
                throw new IllegalStateException("crashed");
            }
            return super.get(key);
        }

        @Override
        public void put(String key, byte[] value) {
            write();
            super.put(key, value);
        }

        @Override
        public void delete(String key) {
            write();
            super.delete(key);
        }
    }
}
