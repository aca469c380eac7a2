package dev.herald.tlog;

/**
 * Reads the bytes of a tile of hashes: from a server ({@code <prefix>/} + {@link TileId#path()}),
 * from storage and a {@link TreeTail}, or from a directory.
 */
@FunctionalInterface
public interface TileReader {
    /**
     * {@return its bytes (checked by the caller)}
     *
     * @param id the tile, at the width the tree being read has
     * @throws TlogException if it cannot be read
     */
    byte[] read(TileId id) throws TlogException;
}
