package dev.herald.tlog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the single writer of a log keeps in memory to append without reading: the right edge, the
 * leaves since the last full entry bundle (at most 255) and the rightmost, partial tile of every
 * level. Immutable: {@link #append} returns the new tail inside its {@link Appended} result, so a
 * writer whose storage write fails still holds the old tail and retries the same bytes.
 *
 * <p>Level-0 partial tiles and partial bundles are never handed out for storage (design §2.1): they
 * are the leaves since the last full bundle, which the engine keeps in its batch records; a
 * {@code TreeTail} rebuilt from those leaves serves them ({@link #read}).
 */
public final class TreeTail {
    private static final TreeTail EMPTY = new TreeTail(RightEdge.EMPTY, List.of(), List.of(List.of()));

    private final RightEdge edge;
    private final List<byte[]> leaves;
    /** partials.get(L): the hashes of the rightmost tile of level L (level 0: the leaf hashes). */
    private final List<List<Hash>> partials;

    private TreeTail(RightEdge edge, List<byte[]> leaves, List<List<Hash>> partials) {
        this.edge = edge;
        this.leaves = leaves;
        this.partials = partials;
    }

    /** {@return the tail of the empty tree} */
    public static TreeTail empty() {
        return EMPTY;
    }

    /**
     * Rebuilds the tail from what storage holds: the right edge of the last checkpoint, the stored
     * partial tiles of levels 1 and up, and the leaves since the last full bundle. The three must
     * agree (the edge is recomputed from the tiles and leaves and compared), so a damaged store is
     * refused here rather than extended.
     *
     * @param edge the stored right edge
     * @param partials the stored partial tiles of levels ≥ 1 (a level whose partial tile is empty may be absent)
     * @param leavesSinceFullBundle the last {@code edge.size() % 256} leaves, in order
     * @return the tail
     * @throws MalformedException if they do not describe one tree
     */
    public static TreeTail restore(RightEdge edge, List<PartialTile> partials, List<byte[]> leavesSinceFullBundle)
            throws MalformedException {
        long size = edge.size();
        if (leavesSinceFullBundle.size() != size % TileId.FULL) {
            throw new MalformedException("a tree of size " + size + " has " + size % TileId.FULL + " leaves after its last full bundle, not " + leavesSinceFullBundle.size());
        }
        Map<Integer, PartialTile> byLevel = new HashMap<>();
        for (PartialTile p : partials) {
            if (p.level() == 0) {
                throw new MalformedException("level-0 partial tiles are derived from the leaves, not stored");
            }
            if (byLevel.put(p.level(), p) != null) {
                throw new MalformedException("two partial tiles of level " + p.level());
            }
        }
        List<byte[]> leafCopies = new ArrayList<>();
        List<Hash> level0 = new ArrayList<>();
        for (byte[] leaf : leavesSinceFullBundle) {
            checkLeaf(leaf);
            leafCopies.add(leaf.clone());
            level0.add(TreeHash.leaf(leaf));
        }
        List<List<Hash>> levels = new ArrayList<>();
        levels.add(List.copyOf(level0));
        for (int level = 1; level <= TileId.MAX_LEVEL; level++) {
            long above = TileId.shift(size, 8 * level);
            PartialTile p = byLevel.remove(level);
            int width = (int) (above & 0xff);
            if (above == 0) {
                if (p != null && !p.hashes().isEmpty()) {
                    throw new MalformedException("a partial tile of level " + level + " beyond a tree of size " + size);
                }
                break;
            }
            if (p == null) {
                if (width != 0) {
                    throw new MalformedException("the partial tile of level " + level + " is missing");
                }
                levels.add(List.of());
                continue;
            }
            if (p.index() != TileId.shift(size, 8 * (level + 1)) || p.hashes().size() != width) {
                throw new MalformedException("the partial tile of level " + level + " is " + p.index() + ".p/" + p.hashes().size()
                        + ", a tree of size " + size + " needs " + TileId.shift(size, 8 * (level + 1)) + ".p/" + width);
            }
            levels.add(p.hashes());
        }
        for (PartialTile p : byLevel.values()) {
            if (!p.hashes().isEmpty()) {
                throw new MalformedException("a partial tile of level " + p.level() + " beyond a tree of size " + size);
            }
        }
        TreeTail tail = new TreeTail(edge, List.copyOf(leafCopies), List.copyOf(levels));
        if (!tail.edgeFromTiles().equals(edge.hashes())) {
            throw new MalformedException("the stored right edge of size " + size + " does not match its partial tiles and leaves");
        }
        return tail;
    }

    /**
     * The edge as the partial tiles give it: within level L's partial tile, each bit of its width,
     * highest first, is one perfect subtree over the next 2^bit hashes.
     */
    private List<Hash> edgeFromTiles() {
        List<Hash> out = new ArrayList<>();
        for (int level = partials.size() - 1; level >= 0; level--) {
            List<Hash> tile = partials.get(level);
            int offset = 0;
            for (int bit = 7; bit >= 0; bit--) {
                if ((tile.size() >>> bit & 1) == 0) {
                    continue;
                }
                out.add(Tiles.subtree(tile.subList(offset, offset + (1 << bit))));
                offset += 1 << bit;
            }
        }
        return out;
    }

    private static void checkLeaf(byte[] leaf) throws MalformedException {
        if (leaf == null) {
            throw new MalformedException("a null leaf");
        }
        if (leaf.length > EntryBundle.MAX_ENTRY) {
            throw new MalformedException("a leaf of " + leaf.length + " bytes does not fit an entry bundle");
        }
    }

    /**
     * Appends leaves.
     *
     * @param newLeaves the leaves, in order; each at most 65,535 bytes
     * @return the new tree's size, edge, root, what became full and the partial tiles that changed,
     *     and the new tail
     * @throws MalformedException if a leaf is too large for an entry bundle (nothing is appended)
     */
    public Appended append(List<byte[]> newLeaves) throws MalformedException {
        for (byte[] leaf : newLeaves) {
            checkLeaf(leaf);
        }
        RightEdge e = edge;
        List<byte[]> bundle = new ArrayList<>(leaves);
        List<List<Hash>> levels = new ArrayList<>();
        for (List<Hash> l : partials) {
            levels.add(new ArrayList<>(l));
        }
        List<TileData> tiles = new ArrayList<>(), bundles = new ArrayList<>();
        SortedSet<Integer> changed = new TreeSet<>();
        for (byte[] leaf : newLeaves) {
            byte[] copy = leaf.clone();
            Hash h = TreeHash.leaf(copy);
            e = e.append(h);
            bundle.add(copy);
            levels.get(0).add(h);
            if (bundle.size() == TileId.FULL) {
                bundles.add(new TileData(TileId.entries(e.size() / TileId.FULL - 1, TileId.FULL), EntryBundle.encode(bundle)));
                bundle.clear();
            }
            // A full tile is stored and contributes one hash to the tile above, possibly filling it too.
            for (int level = 0; levels.get(level).size() == TileId.FULL; level++) {
                List<Hash> full = levels.get(level);
                long n = TileId.shift(e.size(), 8 * (level + 1)) - 1;
                tiles.add(new TileData(TileId.hashes(level, n, TileId.FULL), Tiles.encode(full)));
                Hash up = Tiles.subtree(full);
                full.clear();
                if (level > 0) {
                    changed.add(level);
                }
                if (levels.size() == level + 1) {
                    levels.add(new ArrayList<>());
                }
                levels.get(level + 1).add(up);
                changed.add(level + 1);
            }
        }
        List<List<Hash>> frozen = new ArrayList<>();
        for (List<Hash> l : levels) {
            frozen.add(List.copyOf(l));
        }
        TreeTail next = new TreeTail(e, List.copyOf(bundle), List.copyOf(frozen));
        List<PartialTile> partialTiles = new ArrayList<>();
        for (int level : changed) {
            partialTiles.add(next.partial(level));
        }
        return new Appended(next, tiles, bundles, partialTiles);
    }

    /** {@return the number of leaves} */
    public long size() {
        return edge.size();
    }

    /** {@return the right edge} */
    public RightEdge edge() {
        return edge;
    }

    /** {@return the root of the tree} */
    public Hash root() {
        return edge.root();
    }

    /** {@return copies of the leaves since the last full bundle ({@code size() % 256} of them)} */
    public List<byte[]> leavesSinceFullBundle() {
        return leaves.stream().map(byte[]::clone).toList();
    }

    /**
     * {@return the rightmost tile of level L as it is now (possibly empty), as it is stored}
     *
     * @param level L ≥ 1
     */
    public PartialTile partial(int level) {
        if (level < 1) {
            throw new IllegalArgumentException("level-0 partial tiles are not stored");
        }
        List<Hash> hashes = level < partials.size() ? partials.get(level) : List.of();
        return new PartialTile(level, TileId.shift(size(), 8 * (level + 1)), hashes);
    }

    /** {@return the partial tiles of levels 1 and up that the tree has (empty ones included)} */
    public List<PartialTile> partials() {
        List<PartialTile> out = new ArrayList<>();
        for (int level = 1; level < partials.size(); level++) {
            out.add(partial(level));
        }
        return out;
    }

    /**
     * Serves a partial tile or partial entry bundle from memory: the rightmost one of its level, at
     * any width up to the one it has now (a smaller width is the same resource for an older tree
     * size). Full tiles and earlier partial widths of tiles since filled come from storage.
     *
     * @param id the resource
     * @return its bytes, or empty if this tail does not hold it
     */
    public Optional<byte[]> read(TileId id) {
        if (id.isFull()) {
            return Optional.empty();
        }
        if (id.index() != TileId.shift(size(), 8 * (id.level() + 1))) {
            return Optional.empty();
        }
        if (id.kind() == TileId.Kind.ENTRIES) {
            return id.width() <= leaves.size() ? Optional.of(EntryBundle.encode(leaves.subList(0, id.width()))) : Optional.empty();
        }
        if (id.level() >= partials.size() || id.width() > partials.get(id.level()).size()) {
            return Optional.empty();
        }
        return Optional.of(Tiles.encode(partials.get(id.level()).subList(0, id.width())));
    }
}
