package dev.herald.tlog;

import java.util.List;

/**
 * What one {@link TreeTail#append} made: the new tail, and what the writer stores with the batch.
 *
 * @param tail the tail after the append (size, edge and root are read from it)
 * @param fullTiles the tiles of hashes this append filled, every level, each 8,192 bytes
 * @param fullBundles the entry bundles this append filled
 * @param changedPartials the partial tiles of levels ≥ 1 this append changed, as they are now (a level
 *     whose tile just filled appears with no hashes and the next index)
 */
public record Appended(TreeTail tail, List<TileData> fullTiles, List<TileData> fullBundles, List<PartialTile> changedPartials) {
    /** Copies the lists. */
    public Appended {
        fullTiles = List.copyOf(fullTiles);
        fullBundles = List.copyOf(fullBundles);
        changedPartials = List.copyOf(changedPartials);
    }

    /** {@return the new tree size} */
    public long size() {
        return tail.size();
    }

    /** {@return the new right edge} */
    public RightEdge edge() {
        return tail.edge();
    }

    /** {@return the new root} */
    public Hash root() {
        return tail.root();
    }
}
