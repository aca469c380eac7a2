package dev.herald.tlog;

import java.util.List;
import java.util.Optional;

/**
 * The rightmost tile of a level while it is not full: what the engine stores as
 * {@code log/partial/<L>} for levels 1 and up. Its width is {@code hashes.size()}, 0 right after
 * the tile before it filled.
 *
 * @param level L
 * @param index N, the tile's position in its level
 * @param hashes its hashes so far, at most 255
 */
public record PartialTile(int level, long index, List<Hash> hashes) {
    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if out of range
     */
    public PartialTile {
        hashes = List.copyOf(hashes);
        if (level < 0 || level > TileId.MAX_LEVEL) {
            throw new IllegalArgumentException("bad tile level " + level);
        }
        if (index < 0) {
            throw new IllegalArgumentException("negative tile index");
        }
        if (hashes.size() >= TileId.FULL) {
            throw new IllegalArgumentException("a partial tile has at most 255 hashes");
        }
    }

    /** {@return its {@code tlog-tiles} name, empty when it holds no hash yet (empty tiles are not served)} */
    public Optional<TileId> id() {
        return hashes.isEmpty() ? Optional.empty() : Optional.of(TileId.hashes(level, index, hashes.size()));
    }

    /** {@return its bytes (its hashes concatenated; empty when it has none)} */
    public byte[] bytes() {
        return Tiles.encode(hashes);
    }

    /**
     * Parses what {@link #bytes()} wrote (for storage that keeps level, index and bytes).
     *
     * @param level L
     * @param index N
     * @param bytes 0 to 255 hashes
     * @return the partial tile
     * @throws MalformedException if the length is not a multiple of 32 below 8,192, or a number is out of range
     */
    public static PartialTile parse(int level, long index, byte[] bytes) throws MalformedException {
        if (bytes.length % Hash.SIZE != 0 || bytes.length >= TileId.FULL * Hash.SIZE) {
            throw new MalformedException("a partial tile of " + bytes.length + " bytes");
        }
        if (level < 0 || level > TileId.MAX_LEVEL || index < 0) {
            throw new MalformedException("bad partial tile position " + level + "/" + index);
        }
        if (bytes.length == 0) {
            return new PartialTile(level, index, List.of());
        }
        return new PartialTile(level, index, Tiles.decode(TileId.hashes(level, index, bytes.length / Hash.SIZE), bytes));
    }
}
