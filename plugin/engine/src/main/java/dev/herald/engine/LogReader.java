package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.VaultException;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.EntryBundle;
import dev.herald.tlog.Hash;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.NoteSigner;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.Proofs;
import dev.herald.tlog.SignedNote;
import dev.herald.tlog.TileData;
import dev.herald.tlog.TileHashSource;
import dev.herald.tlog.TileId;
import dev.herald.tlog.TlogException;
import dev.herald.tlog.TlogProof;
import dev.herald.tlog.TreeTail;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The read side of the mount's log (docs/design-log.md §3.2, §5), on every node: the latest tree it
 * knows ({@link View}: a checkpoint note and the tail of its tree), and the tiles, bundles and
 * proofs of that tree and of every smaller one, never of a larger one. On the active node the
 * writer hands it each tree it commits, before the changes in it are acknowledged; elsewhere (a
 * standby, or before the writer opens) it reads the tree from storage, again after an invalidation
 * of {@code log/checkpoint}.
 */
final class LogReader {
    /** Full tiles and bundles kept in memory: immutable once a checkpoint covers them. */
    private static final long CACHE_BYTES = 16L << 20;
    /** Reads of the tree from storage before giving up: the writer may move on between them. */
    private static final int READ_ATTEMPTS = 3;
    /** At most one read of a newer tree per this interval for requests beyond the known size. */
    private static final long REREAD_NANOS = 1_000_000_000L;

    private final Storage storage;
    private final AtomicReference<View> view = new AtomicReference<>();
    /** Bumped by every invalidation: a tree read from storage before one is not kept. */
    private final AtomicLong generation = new AtomicLong();
    private final CacheTable<byte[]> tiles = new CacheTable<>(4096, CACHE_BYTES, bytes -> bytes.length);
    /**
     * The log key's signer (it signs checkpoints of older sizes for inclusion proofs) and its
     * verifier keys, read once: the key is made once, and a rotation (design-log §4.3, to come)
     * must {@link #invalidate} {@code signer/log-keys} here on the active node too.
     */
    private final AtomicReference<NoteSigner> signer = new AtomicReference<>();
    private final AtomicReference<List<NoteVerifier>> keys = new AtomicReference<>();
    /** When a request beyond the known size last made this node read the tree again (System.nanoTime), if ever. */
    private final AtomicReference<Long> lastReread = new AtomicReference<>();

    /**
     * The latest checkpoint this node knows, with the tail of its tree.
     *
     * @param fromWriter whether the writer handed it (then it is the latest: nothing commits around it)
     */
    record View(String note, TreeTail tail, boolean fromWriter) {
        long size() {
            return tail.size();
        }
    }

    LogReader(Storage storage) {
        this.storage = storage;
    }

    /** The writer committed a tree: it is the latest (never replaced by an older one). */
    void advance(View next) {
        view.accumulateAndGet(next, (current, given) -> current == null || given.size() >= current.size() ? given : current);
    }

    /** A storage key changed elsewhere: returns whether it is the log's (and forgets what it cached of it). */
    boolean invalidate(String key) {
        if (key.equals(LogKey.STORAGE_KEY)) {
            signer.set(null);
            keys.set(null);
            return false; // the signer's owner hears of it too
        }
        if (!key.startsWith(LogStore.PREFIX)) {
            return false;
        }
        // Full tiles and bundles are immutable; a batch record's slot is reused only for leaves past a newer
        // checkpoint, and a partial tile changes only with the checkpoint: reading again after the head changes is enough.
        if (key.equals(LogStore.HEAD) || key.startsWith(LogStore.PARTIAL_PREFIX)) {
            generation.incrementAndGet();
            view.set(null);
        }
        return true;
    }

    /**
     * The latest tree this node knows.
     *
     * @throws VaultException 404 if the mount has no log key yet (nothing was ever published)
     */
    View view() {
        View known = view.get();
        if (known != null) {
            return known;
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
            long before = generation.get();
            try {
                View read = read();
                if (generation.get() == before) {
                    advance(read);
                }
                return read;
            } catch (IllegalStateException e) {
                last = e; // the writer moved on between the reads (a record's slot reused, a partial tile rewritten)
            }
        }
        throw last;
    }

    /**
     * The latest tree this node knows, read again from storage if it has fewer than {@code wanted}
     * leaves and came from storage (design-log §3.2): a client that read a newer checkpoint through
     * another node asks before this node's invalidation has arrived. At most once a second, so that
     * requests for sizes the log never had cannot make every request read storage.
     */
    private View atLeast(long wanted) {
        View current = view();
        if (wanted <= current.size() || current.fromWriter()) {
            return current;
        }
        long now = System.nanoTime();
        Long last = lastReread.get();
        if ((last != null && now - last < REREAD_NANOS) || !lastReread.compareAndSet(last, now)) {
            return current;
        }
        generation.incrementAndGet();
        view.set(null);
        return view();
    }

    private View read() {
        LogTree.Head head = storage.get(LogStore.HEAD).map(LogTree.Head::decode).orElse(null);
        if (head == null) {
            // Size 0: a checkpoint of the empty tree, so that a client can pin the log before the first publish.
            TreeTail empty = TreeTail.empty();
            return new View(sign(empty.size(), empty.root()), empty, false);
        }
        return new View(head.note(), LogTree.restore(storage, head, LogTree.records(storage, head)), false);
    }

    /** The log's verifier keys, current first. @throws VaultException 404 if it has none yet */
    List<NoteVerifier> keys() {
        List<NoteVerifier> known = keys.get();
        if (known == null) {
            known = LogKey.verifiers(storage);
            if (known.isEmpty()) {
                throw noLog();
            }
            keys.set(known);
        }
        return known;
    }

    private NoteSigner signer() {
        NoteSigner known = signer.get();
        if (known == null) {
            known = LogKey.load(storage).orElseThrow(LogReader::noLog);
            signer.set(known);
        }
        return known;
    }

    private String sign(long size, Hash root) {
        NoteSigner key = signer();
        return SignedNote.sign(Checkpoint.of(key.verifier().name(), size, root).body(), key).encode();
    }

    static VaultException noLog() {
        return VaultException.notFound("no log yet: nothing has been published on this mount");
    }

    /**
     * The bytes of a tile or bundle of the tree this node knows or of a smaller one.
     *
     * @throws VaultException 404 if no tree up to the known size has it
     */
    byte[] tile(TileId id) {
        View current = atLeast(smallestTreeWith(id));
        if (!covered(id, current.size())) {
            throw VaultException.notFound(id.path() + " is beyond the log's checkpoint of size " + current.size()
                    + " on this node");
        }
        Optional<byte[]> partial = current.tail().read(id);
        if (partial.isPresent()) {
            return partial.get();
        }
        // A full tile, or a width of a tile that has filled since: its first W never change.
        byte[] full = full(id.full());
        if (id.isFull()) {
            return full;
        }
        try {
            return new TileData(id.full(), full).prefix(id.width()).bytes();
        } catch (MalformedException e) {
            throw new IllegalStateException("the stored " + id.full().path() + " is damaged: " + e.getMessage(), e);
        }
    }

    /**
     * Whether a tree of at most {@code size} leaves has the tile at this width: a full tile the tree
     * covers, or a prefix of the tile it is filling (or of one it filled).
     */
    static boolean covered(TileId id, long size) {
        // The hashes (or entries) the tree has at the tile's level: one per 256^L leaves.
        long units = 8 * id.level() >= Long.SIZE ? 0 : size >>> (8 * id.level());
        long fullTiles = units >>> 8;
        if (id.index() < fullTiles) {
            return true;
        }
        return !id.isFull() && id.index() == fullTiles && id.width() <= (int) (units & 0xff);
    }

    /** The size of the smallest tree that has the tile at this width (saturated: a size no log reaches). */
    static long smallestTreeWith(TileId id) {
        int shift = 8 * id.level();
        long units = id.index() * TileId.FULL + id.width(); // hashes (or entries) of its level up to its end
        if (id.index() > (Long.MAX_VALUE - TileId.FULL) / TileId.FULL || shift >= Long.SIZE - 1
                || units > Long.MAX_VALUE >>> shift) {
            return Long.MAX_VALUE;
        }
        return units << shift;
    }

    /** A full tile or bundle a checkpoint covers: from the cache, else storage. */
    private byte[] full(TileId id) {
        String key = id.kind() == TileId.Kind.ENTRIES ? LogStore.bundleKey(id.index()) : LogStore.tileKey(id.level(), id.index());
        byte[] cached = tiles.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] stored = storage.get(key).orElseThrow(() -> new IllegalStateException(
                "the log's checkpoint covers " + id.path() + " and storage does not hold it"));
        try {
            if (id.kind() == TileId.Kind.ENTRIES) {
                EntryBundle.decode(id, stored);
            } else if (stored.length != id.hashBytes()) {
                throw new MalformedException(stored.length + " bytes");
            }
        } catch (MalformedException e) {
            throw new IllegalStateException("the stored " + id.path() + " is damaged: " + e.getMessage(), e);
        }
        tiles.put(key, stored);
        return stored;
    }

    /** The tile of hashes or the bundle a tree of {@code size} leaves reads, at the width it has there. */
    private byte[] tileOf(TileId id) throws MalformedException {
        try {
            return tile(id);
        } catch (VaultException e) {
            throw new MalformedException(e.getMessage());
        }
    }

    /** The tree size a proof asks for: at most the known one. */
    private View upTo(long size) {
        View current = atLeast(size);
        if (size > current.size()) {
            throw VaultException.notFound("the log's checkpoint on this node has size " + current.size() + ", not " + size);
        }
        return current;
    }

    /**
     * The tlog-proof of leaf {@code index} in the tree of {@code size} leaves (the known size if
     * absent), with the leaf in {@code extra} and that tree's checkpoint: the known one, or for an
     * older size, the same checkpoint signed again (Ed25519 is deterministic: the note the log signed then).
     */
    String inclusion(long index, Optional<Long> size) {
        View current = size.isPresent() ? upTo(size.get()) : view();
        long at = size.orElse(current.size());
        if (at == 0 || index >= at) {
            throw VaultException.badRequest("invalid index: " + index + " is not a leaf of the tree of size " + at
                    + (at == 0 ? " (the log is empty)" : " (0 to " + (at - 1) + ")"));
        }
        return inclusion(index, at, current);
    }

    /**
     * A tree this node knows with more than {@code index} leaves, for a record that lists the leaf:
     * the known one, or read again from storage if the leaf is beyond it (a standby that has not
     * yet heard of the checkpoint, or read the instance before the checkpoint landed).
     *
     * @throws VaultException 503 if no tree this node can read holds it yet
     */
    View covering(long index) {
        View current = atLeast(index + 1);
        if (index >= current.size()) {
            throw new VaultException(503, "the log's checkpoint on this node has size " + current.size()
                    + " and does not yet hold leaf " + index + " of a listed publication; retry");
        }
        return current;
    }

    /** The tlog-proof of leaf {@code index} under the checkpoint of {@code view} (which holds it), the leaf in {@code extra}. */
    String inclusion(long index, View view) {
        if (index < 0 || index >= view.size()) {
            throw new IllegalArgumentException("leaf " + index + " is not in the tree of size " + view.size());
        }
        return inclusion(index, view.size(), view);
    }

    private String inclusion(long index, long at, View current) {
        TileHashSource source = new TileHashSource(at, this::tileOf);
        try {
            List<Hash> proof = Proofs.inclusion(index, at, source);
            String note = at == current.size() ? current.note() : sign(at, Proofs.root(at, source));
            return new TlogProof(Optional.of(leaf(index, at)), index, proof, note).encode();
        } catch (TlogException e) {
            throw new IllegalStateException("the log's tiles do not hold the tree of size " + at + ": " + e.getMessage(), e);
        }
    }

    private byte[] leaf(long index, long size) throws MalformedException {
        long n = index / TileId.FULL;
        int width = (n + 1) * TileId.FULL <= size ? TileId.FULL : (int) (size % TileId.FULL);
        TileId bundle = TileId.entries(n, width);
        return EntryBundle.decode(bundle, tile(bundle)).get((int) (index % TileId.FULL));
    }

    /**
     * The root of the tree of {@code size} leaves, hashed up from its tiles: what a checkpoint of that
     * size must name to be one of this log's ({@code log/cosign}).
     *
     * @throws VaultException 404 if {@code size} is beyond the tree this node knows
     */
    Hash rootAt(long size) {
        upTo(size);
        try {
            return Proofs.root(size, new TileHashSource(size, this::tileOf));
        } catch (TlogException e) {
            throw new IllegalStateException("the log's tiles do not hold the tree of size " + size + ": " + e.getMessage(), e);
        }
    }

    /** The RFC 9162 consistency proof from the tree of {@code from} leaves to that of {@code to}. */
    List<Hash> consistency(long from, long to) {
        if (from > to) {
            throw VaultException.badRequest("invalid from: " + from + " is larger than to (" + to + ")");
        }
        upTo(to);
        try {
            return Proofs.consistency(from, to, new TileHashSource(to, this::tileOf));
        } catch (TlogException e) {
            throw new IllegalStateException("the log's tiles do not hold the tree of size " + to + ": " + e.getMessage(), e);
        }
    }
}
