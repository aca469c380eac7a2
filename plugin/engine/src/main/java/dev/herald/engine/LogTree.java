package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;
import dev.herald.tlog.Appended;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.Hash;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.NoteSigner;
import dev.herald.tlog.PartialTile;
import dev.herald.tlog.RightEdge;
import dev.herald.tlog.SignedNote;
import dev.herald.tlog.TileData;
import dev.herald.tlog.TileId;
import dev.herald.tlog.Tiles;
import dev.herald.tlog.TreeTail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The tail of the mount's tree as {@link LogWriter}'s thread keeps it (design §2): the
 * {@link TreeTail}, the latest signed checkpoint, and the batch records still in storage. It turns
 * a batch into the two writes that commit it ({@link #prepare}), and moves on only once both are
 * stored ({@link #advance}). Used by one thread only.
 */
final class LogTree {
    private final Storage storage;
    private final NoteSigner signer;
    private TreeTail tail;
    private String checkpoint;
    /**
     * The batch records whose leaves are not all in a full bundle yet: start to end (the index after
     * the last leaf). The head names their starts, so that a reader finds them without a list.
     */
    private final TreeMap<Long, Long> records = new TreeMap<>();
    /** The starts of oversized records that no longer hold needed leaves, still to delete. */
    private final List<Long> oversized = new ArrayList<>();
    /** Records past the stored checkpoint, found at load: rolled forward before anything else. */
    private final List<LogStore.Batch> unapplied = new ArrayList<>();
    /**
     * The record of the batch the stored checkpoint applied, found at load: its entries are written
     * again before anything else. The checkpoint is stored in the same {@code putAll} as the
     * batch's entries, which is not atomic: a crash can leave it stored with some of them not.
     */
    private LogStore.Batch lastApplied;
    /** The start of the batch the tree's checkpoint applied; -1 before the first. */
    private long lastBatch = -1;
    /** The batch {@link LogStore#COMPLETE} names in storage; -1 if none. */
    private long completeStored = -1;

    /** The two writes that commit one batch, and what the tree is once both are stored. */
    record Step(LogStore.Batch batch, Appended appended, String checkpoint,
                Map<String, byte[]> first, Map<String, byte[]> second) {
    }

    private LogTree(Storage storage, NoteSigner signer) {
        this.storage = storage;
        this.signer = signer;
    }

    /** The log's origin: its checkpoints' first line and the log key's name. */
    String origin() {
        return signer.verifier().name();
    }

    /**
     * The tree as storage holds it: the stored checkpoint's edge, the partial tiles above level 0,
     * and the leaves since the last full bundle (from the batch records, which hold them until a
     * bundle does). Records past the checkpoint are kept for {@link #rollForward}.
     *
     * @throws IllegalStateException if storage does not hold one consistent tree
     */
    static LogTree load(Storage storage, NoteSigner signer) {
        LogTree tree = new LogTree(storage, signer);
        Head head = storage.get(LogStore.HEAD).map(Head::decode).orElse(null);
        if (head != null && !head.origin().equals(tree.origin())) {
            throw new IllegalStateException("the stored log is " + head.origin() + ", not " + tree.origin());
        }
        long size = head == null ? 0 : head.size();
        tree.lastBatch = head == null ? -1 : head.batch();
        long complete = storage.get(LogStore.COMPLETE).map(bytes -> Long.parseLong(new String(bytes, StandardCharsets.UTF_8)))
                .orElse(-1L);
        tree.completeStored = complete;
        List<LogStore.Batch> batches = head == null ? new ArrayList<>() : records(storage, head);
        batches.forEach(batch -> tree.records.put(batch.start(), batch.end()));
        // Known whole once a later commit (without leaves) was written: written again, its entries
        // would undo that commit's. Its slot still holds it: the next batch starts within 256 leaves.
        if (head != null && head.batch() != complete) {
            tree.lastApplied = LogStore.batch(storage, head.batch()).orElseThrow(() ->
                    new IllegalStateException("the record of the batch the checkpoint applied, at " + head.batch() + ", is missing"));
        }
        // A batch whose record was stored and whose checkpoint was not starts at the tree's size
        // (the writer starts a batch only once the one before is stored whole: at most one).
        for (long next = size; ; ) {
            Optional<LogStore.Batch> batch = LogStore.batch(storage, next);
            if (batch.isEmpty() || batch.get().leaves().isEmpty()) {
                break;
            }
            tree.unapplied.add(batch.get());
            next = batch.get().end();
        }
        tree.tail = restore(storage, head, batches);
        tree.checkpoint = head == null ? tree.sign(tree.tail) : head.note();
        return tree;
    }

    /**
     * The batch records {@code head} names (those holding leaves after its last full bundle), read
     * from their slots.
     *
     * @throws IllegalStateException if one is missing (storage damaged, or, read without the
     *                               writer's order, overwritten since the head was read)
     */
    static List<LogStore.Batch> records(Storage storage, Head head) {
        List<LogStore.Batch> batches = new ArrayList<>();
        for (long start : head.records()) {
            batches.add(LogStore.batch(storage, start).orElseThrow(() ->
                    new IllegalStateException("the batch record at " + start + " that the checkpoint names is not in its slot")));
        }
        return batches;
    }

    /**
     * The tail of the tree {@code head} describes (the empty tree if null): its edge, the stored
     * partial tiles above level 0, and the leaves since the last full bundle taken from
     * {@code batches} (the batch records in storage, ascending; those past the head are ignored).
     *
     * @throws IllegalStateException if storage does not hold that tree (damaged, or, read without
     *                               the writer's order, changed between the reads)
     */
    static TreeTail restore(Storage storage, Head head, List<LogStore.Batch> batches) {
        RightEdge edge = head == null ? RightEdge.EMPTY : head.edge();
        long size = edge.size();
        long bundled = bundled(size);
        List<byte[]> loose = new ArrayList<>();
        for (LogStore.Batch batch : batches) {
            if (batch.start() < size && batch.end() > bundled) {
                if (batch.end() > size) {
                    throw new IllegalStateException("the batch record at " + batch.start() + " ends past the checkpoint's size " + size);
                }
                List<byte[]> leaves = batch.leaves();
                loose.addAll(leaves.subList((int) Math.max(0, bundled - batch.start()), leaves.size()));
            }
        }
        List<PartialTile> partials = new ArrayList<>();
        // Level L has a tile once the tree has 256^L leaves; a long's size reaches level 7 at most.
        for (int level = 1; level < Long.SIZE / 8 && size >>> (8 * level) > 0; level++) {
            partial(storage, level, size).ifPresent(partials::add);
        }
        TreeTail tail;
        try {
            tail = TreeTail.restore(edge, partials, loose);
        } catch (MalformedException e) {
            throw new IllegalStateException("the stored log does not hold one tree: " + e.getMessage(), e);
        }
        if (head != null && !tail.root().equals(head.root())) {
            throw new IllegalStateException("the stored checkpoint's root is not its edge's");
        }
        return tail;
    }

    /**
     * The partial tile of {@code level} that a tree of {@code size} has (none if it is empty). The
     * stored one may be ahead of that tree: a batch writes its partial tiles before its checkpoint,
     * and a crash between the two leaves them newer. Ahead in the same tile, its first hashes are
     * the ones needed (a tile only grows); past it (that batch filled the tile), they are made
     * again from the full tiles one level down, which the tree's checkpoint covers.
     */
    private static Optional<PartialTile> partial(Storage storage, int level, long size) {
        long count = size >>> (8 * level); // hashes of this level
        int width = (int) (count % TileId.FULL);
        long index = count / TileId.FULL;
        if (width == 0) {
            return Optional.empty();
        }
        PartialTile stored = storage.get(LogStore.partialKey(level)).map(bytes -> decodePartial(level, bytes)).orElse(null);
        if (stored != null && stored.index() == index && stored.hashes().size() >= width) {
            return Optional.of(new PartialTile(level, index, stored.hashes().subList(0, width)));
        }
        List<Hash> hashes = new ArrayList<>();
        for (long below = index * TileId.FULL; below < index * TileId.FULL + width; below++) {
            TileId id = TileId.hashes(level - 1, below, TileId.FULL);
            byte[] tile = storage.get(LogStore.tileKey(level - 1, below)).orElseThrow(() ->
                    new IllegalStateException("the stored log does not hold one tree: tile " + id + " is missing"));
            try {
                hashes.add(Tiles.subtree(Tiles.decode(id, tile)));
            } catch (MalformedException e) {
                throw new IllegalStateException("the stored tile " + id + " is damaged: " + e.getMessage(), e);
            }
        }
        return Optional.of(new PartialTile(level, index, hashes));
    }

    long size() {
        return tail.size();
    }

    /** The latest checkpoint, as a signed note (for size 0, one signed now and not stored). */
    String checkpoint() {
        return checkpoint;
    }

    TreeTail tail() {
        return tail;
    }

    /**
     * Applies every batch whose record was stored and whose checkpoint was not (a crash, or a node
     * that lost leadership, between the two writes): the same writes again, the same tiles and
     * checkpoint (Ed25519 is deterministic, so even its signature is the one that was lost). The
     * entries of the batch the checkpoint applied are written again first, in case the checkpoint
     * landed and some of them did not.
     * Returns the keys of the entries it wrote.
     */
    List<String> rollForward() {
        List<String> written = new ArrayList<>();
        if (lastApplied != null) {
            storage.putAll(lastApplied.writes()); // the same bytes: idempotent
            written.addAll(lastApplied.writes().keySet());
            lastApplied = null;
        }
        for (LogStore.Batch batch : unapplied) {
            if (batch.start() != tail.size()) {
                throw new IllegalStateException("the batch record at " + batch.start() + " does not follow the log's size " + tail.size());
            }
            Step step = prepare(batch);
            Map<String, byte[]> tiles = new LinkedHashMap<>(step.first());
            tiles.remove(LogStore.recordKey(batch.start(), batch.leaves().size())); // stored already
            storage.putAll(tiles);
            storage.putAll(step.second());
            advance(step);
            written.addAll(batch.writes().keySet());
        }
        unapplied.clear();
        return written;
    }

    /** The writes that commit {@code batch} (which must start at the tree's size), in order. */
    Step prepare(LogStore.Batch batch) {
        if (batch.start() != tail.size()) {
            throw new IllegalArgumentException("a batch at " + batch.start() + " after a tree of " + tail.size());
        }
        Appended appended;
        try {
            appended = tail.append(batch.leaves());
        } catch (MalformedException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Map<String, byte[]> first = new LinkedHashMap<>();
        first.put(LogStore.recordKey(batch.start(), batch.leaves().size()), batch.encode());
        for (TileData tile : appended.fullTiles()) {
            first.put(LogStore.tileKey(tile.id().level(), tile.id().index()), tile.bytes());
        }
        for (TileData bundle : appended.fullBundles()) {
            first.put(LogStore.bundleKey(bundle.id().index()), bundle.bytes());
        }
        for (PartialTile partial : appended.changedPartials()) {
            first.put(LogStore.partialKey(partial.level()), encodePartial(partial));
        }
        String note = sign(appended.tail());
        Map<String, byte[]> second = new LinkedHashMap<>(batch.writes());
        second.put(LogStore.HEAD, new Head(origin(), appended.edge(), appended.root(), note, batch.start(),
                liveRecords(batch, appended.edge().size())).encode());
        return new Step(batch, appended, note, first, second);
    }

    /** Both writes of {@code step} are stored: the tree is the one it made. */
    void advance(Step step) {
        tail = step.appended().tail();
        checkpoint = step.checkpoint();
        records.put(step.batch().start(), step.batch().end());
        // The record of the batch just applied stays until the next one is: a load re-writes its
        // entries (lastApplied), so an oversized one is deleted only then.
        records.entrySet().removeIf(record -> {
            boolean redundant = record.getValue() <= bundled(tail.size()) && record.getKey() != step.batch().start();
            if (redundant && record.getValue() - record.getKey() > LogStore.RING_LEAVES) {
                oversized.add(record.getKey());
            }
            return redundant;
        });
        lastBatch = step.batch().start();
    }

    /**
     * Deletes the oversized records (kept apart from the ring, see {@link LogStore#RING_LEAVES})
     * that are no longer needed. A failure, or a crash, leaves them in storage, unused.
     */
    void deleteRedundantOversized() {
        while (!oversized.isEmpty()) {
            storage.delete(LogStore.oversizedKey(oversized.getFirst()));
            oversized.removeFirst();
        }
    }

    /** The starts of the records still holding leaves after the last full bundle, once {@code batch} makes the tree {@code size}. */
    private List<Long> liveRecords(LogStore.Batch batch, long size) {
        List<Long> live = new ArrayList<>();
        records.forEach((start, end) -> {
            if (end > bundled(size)) {
                live.add(start);
            }
        });
        if (batch.end() > bundled(size)) {
            live.add(batch.start());
        }
        return live;
    }

    private static long bundled(long size) {
        return size - size % TileId.FULL;
    }

    /**
     * What a commit without leaves writes beside its entries: that the last batch is whole (its
     * writes returned before this commit began), so that no roll-forward writes that batch's
     * entries over this commit's. Empty before the first batch, and once storage says so already
     * (renewals come in runs between batches: only the first of a run needs to write it).
     */
    Map<String, byte[]> completeMarker() {
        return lastBatch < 0 || lastBatch == completeStored ? Map.of()
                : Map.of(LogStore.COMPLETE, Long.toString(lastBatch).getBytes(StandardCharsets.UTF_8));
    }

    /** The writes of a {@link #completeMarker} returned: later commits without leaves need none. */
    void completeMarkerStored(Map<String, byte[]> marker) {
        if (!marker.isEmpty()) {
            completeStored = lastBatch;
        }
    }

    private String sign(TreeTail state) {
        return SignedNote.sign(Checkpoint.of(origin(), state.size(), state.root()).body(), signer).encode();
    }

    private static byte[] encodePartial(PartialTile partial) {
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("index", partial.index());
        stored.put("hashes", Base64.getEncoder().encodeToString(partial.bytes()));
        return Json.write(stored).getBytes(StandardCharsets.UTF_8);
    }

    private static PartialTile decodePartial(int level, byte[] bytes) {
        Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
        try {
            return PartialTile.parse(level, ((Number) stored.get("index")).longValue(),
                    Base64.getDecoder().decode((String) stored.get("hashes")));
        } catch (MalformedException e) {
            throw new IllegalStateException("the stored partial tile of level " + level + " is damaged: " + e.getMessage(), e);
        }
    }

    /**
     * {@code log/checkpoint}: the latest checkpoint as a signed note, with the tree's right edge (so
     * that appending needs no reads), the start of the batch it applied, and the starts of the batch
     * records that hold the leaves after its last full bundle (ascending).
     */
    record Head(String origin, RightEdge edge, Hash root, String note, long batch, List<Long> records) {
        Head {
            records = List.copyOf(records);
        }

        long size() {
            return edge.size();
        }

        byte[] encode() {
            Map<String, Object> stored = new LinkedHashMap<>();
            stored.put("origin", origin);
            stored.put("size", edge.size());
            stored.put("root", root.base64());
            stored.put("edge", edge.hashes().stream().map(Hash::base64).toList());
            stored.put("note", note);
            stored.put("batch", batch);
            stored.put("records", records);
            return Json.write(stored).getBytes(StandardCharsets.UTF_8);
        }

        @SuppressWarnings("unchecked")
        static Head decode(byte[] bytes) {
            Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
            try {
                List<Hash> edge = new ArrayList<>();
                for (Object hash : (List<Object>) stored.get("edge")) {
                    edge.add(Hash.fromBase64((String) hash));
                }
                List<Long> records = new ArrayList<>();
                for (Object start : (List<Object>) stored.get("records")) {
                    records.add(((Number) start).longValue());
                }
                return new Head((String) stored.get("origin"),
                        new RightEdge(((Number) stored.get("size")).longValue(), edge),
                        Hash.fromBase64((String) stored.get("root")), (String) stored.get("note"),
                        ((Number) stored.get("batch")).longValue(), records);
            } catch (MalformedException e) {
                throw new IllegalStateException("the stored checkpoint is damaged: " + e.getMessage(), e);
            }
        }
    }
}
