package dev.herald.tlog;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a tree of {@code size} leaves: the roots of its perfect subtrees, one per bit
 * set in the size, largest (leftmost) first. It is all a writer needs to append and to compute the
 * root, which is why the engine stores it with each checkpoint (at most 64 hashes).
 *
 * @param size the number of leaves
 * @param hashes the subtree roots, {@code Long.bitCount(size)} of them, largest first
 */
public record RightEdge(long size, List<Hash> hashes) {
    /** The edge of the empty tree. */
    public static final RightEdge EMPTY = new RightEdge(0, List.of());

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if the size is negative or the number of hashes is not the
     *     number of bits set in it
     */
    public RightEdge {
        hashes = List.copyOf(hashes);
        if (size < 0) {
            throw new IllegalArgumentException("negative tree size");
        }
        if (hashes.size() != Long.bitCount(size)) {
            throw new IllegalArgumentException("a tree of size " + size + " has " + Long.bitCount(size) + " edge hashes, not " + hashes.size());
        }
    }

    /**
     * The edge as storage holds it (e.g. beside the checkpoint), checked.
     *
     * @param size the tree size
     * @param hashes the stored subtree roots
     * @return the edge
     * @throws MalformedException if the number of hashes is not the number of bits set in the size
     */
    public static RightEdge of(long size, List<Hash> hashes) throws MalformedException {
        if (size < 0 || hashes.size() != Long.bitCount(size)) {
            throw new MalformedException("a stored right edge of " + hashes.size() + " hashes for a tree of size " + size);
        }
        return new RightEdge(size, hashes);
    }

    /**
     * Reads the edge of a tree of {@code size} leaves from stored hashes (e.g. to rebuild a writer from
     * its tiles).
     *
     * @param size the tree size
     * @param source the tree's hashes
     * @return the edge
     * @throws TlogException if the source fails
     */
    public static RightEdge read(long size, HashSource source) throws TlogException {
        if (size < 0) {
            throw new IllegalArgumentException("negative tree size");
        }
        List<Hash> out = new ArrayList<>(Long.bitCount(size));
        long start = 0;
        for (int level = 63; level >= 0; level--) {
            if ((size >>> level & 1) == 0) {
                continue;
            }
            out.add(source.hash(level, start >>> level));
            start += 1L << level;
        }
        return new RightEdge(size, out);
    }

    /** {@return the tree's root (RFC 6962 MTH), {@link TreeHash#emptyRoot()} for size 0} */
    public Hash root() {
        if (hashes.isEmpty()) {
            return TreeHash.emptyRoot();
        }
        Hash r = hashes.get(hashes.size() - 1);
        for (int i = hashes.size() - 2; i >= 0; i--) {
            r = TreeHash.node(hashes.get(i), r);
        }
        return r;
    }

    /**
     * {@return the edge of the tree with that leaf appended}
     *
     * @param leafHash the hash of the next leaf
     */
    public RightEdge append(Hash leafHash) {
        if (size == Long.MAX_VALUE) {
            throw new IllegalStateException("tree full");
        }
        // The subtrees that merge are the ones of the trailing one bits of the size.
        int merges = Long.numberOfTrailingZeros(~size);
        List<Hash> next = new ArrayList<>(hashes.subList(0, hashes.size() - merges));
        Hash h = leafHash;
        for (int i = hashes.size() - 1; i >= hashes.size() - merges; i--) {
            h = TreeHash.node(hashes.get(i), h);
        }
        next.add(h);
        return new RightEdge(size + 1, next);
    }
}
