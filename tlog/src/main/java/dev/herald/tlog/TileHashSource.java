package dev.herald.tlog;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link HashSource} over the tiles of a tree of a given size: each hash is read from the tile
 * that holds it (at the width that size gives it) and, for heights between tile levels, hashed up
 * from within the tile. Tiles read are kept for the life of the instance (a proof reads each tile
 * once); make one per tree size and task.
 *
 * <p>It does not verify tiles: what it returns is checked by the proof or root it goes into.
 */
public final class TileHashSource implements HashSource {
    private final long treeSize;
    private final TileReader reader;
    private final Map<TileId, List<Hash>> read = new HashMap<>();

    /**
     * Reads the tiles of one tree size.
     *
     * @param treeSize the size of the tree whose tiles are read
     * @param reader where the tiles are
     */
    public TileHashSource(long treeSize, TileReader reader) {
        if (treeSize < 0) {
            throw new IllegalArgumentException("negative tree size");
        }
        this.treeSize = treeSize;
        this.reader = reader;
    }

    @Override
    public Hash hash(int level, long index) throws TlogException {
        if (level < 0 || level > 63 || index < 0) {
            throw new MalformedException("no hash at level " + level + " index " + index);
        }
        int tileLevel = level / 8, within = level % 8;
        long first = index << within; // the first of the 2^within tile hashes under it
        if (first >>> within != index) {
            throw new MalformedException("hash index out of range");
        }
        TileId tile = TileId.holding(tileLevel, first + (1L << within) - 1, treeSize);
        if (tile == null) {
            throw new MalformedException("a tree of size " + treeSize + " has no hash at level " + level + " index " + index);
        }
        List<Hash> hashes = read.get(tile);
        if (hashes == null) {
            hashes = Tiles.decode(tile, reader.read(tile));
            read.put(tile, hashes);
        }
        int at = (int) (first & 0xff);
        return within == 0 ? hashes.get(at) : Tiles.subtree(hashes.subList(at, at + (1 << within)));
    }
}
