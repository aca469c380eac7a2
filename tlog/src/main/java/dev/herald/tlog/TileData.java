package dev.herald.tlog;

import java.util.Arrays;

/**
 * A tile or entry bundle with its bytes, as the writer hands them to storage and a server serves
 * them. Immutable: the bytes are copied in and out.
 *
 * @param id which resource
 * @param bytes its exact {@code tlog-tiles} bytes
 */
public record TileData(TileId id, byte[] bytes) {
    /** Copies the bytes. */
    public TileData {
        bytes = bytes.clone();
    }

    /** {@return a copy of the bytes} */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The same resource at a smaller width: what a server answers for a {@code .p/<W>} of an older
     * tree size once the tile has filled (its first W hashes or entries never change).
     *
     * @param width 1 to this tile's width
     * @return the partial tile or bundle of that width
     * @throws MalformedException if these bytes are not a well-formed tile or bundle of this id
     */
    public TileData prefix(int width) throws MalformedException {
        if (width < 1 || width > id.width()) {
            throw new IllegalArgumentException("width " + width + " is not in 1.." + id.width());
        }
        TileId p = new TileId(id.kind(), id.level(), id.index(), width);
        if (id.kind() == TileId.Kind.HASHES) {
            return new TileData(p, Tiles.encode(Tiles.decode(id, bytes).subList(0, width)));
        }
        return new TileData(p, EntryBundle.encode(EntryBundle.decode(id, bytes).subList(0, width)));
    }

    /** {@return the number of bytes, without a copy} */
    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TileData t && id.equals(t.id) && Arrays.equals(bytes, t.bytes);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return id + " (" + bytes.length + " bytes)";
    }
}
