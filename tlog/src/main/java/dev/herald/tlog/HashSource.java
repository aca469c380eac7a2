package dev.herald.tlog;

/**
 * Where proofs and roots read the hashes of a tree: the hash of the perfect subtree of
 * {@code 2^level} leaves starting at leaf {@code index * 2^level}. The engine answers from its tiles
 * (stored full tiles and the partial ones of its {@link TreeTail}), a client from tiles it fetched
 * ({@link TileHashSource}), a test from a list of leaves.
 */
@FunctionalInterface
public interface HashSource {
    /**
     * {@return its hash}
     *
     * @param level the height of the subtree (0: a leaf hash)
     * @param index the subtree's position among those of its height
     * @throws TlogException if it cannot be read, or what was read is malformed
     */
    Hash hash(int level, long index) throws TlogException;
}
