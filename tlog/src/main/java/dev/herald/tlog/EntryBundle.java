package dev.herald.tlog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@code tlog-tiles} entry bundle: its entries (leaves), each prefixed with its length as a
 * big-endian uint16.
 */
public final class EntryBundle {
    /** The largest entry a uint16 prefix can describe. */
    public static final int MAX_ENTRY = 0xffff;

    private EntryBundle() {}

    /**
     * {@return the bundle's bytes}
     *
     * @param entries 1 to 256 leaves of at most 65,535 bytes each
     */
    public static byte[] encode(List<byte[]> entries) {
        if (entries.isEmpty() || entries.size() > TileId.FULL) {
            throw new IllegalArgumentException("a bundle holds 1 to 256 entries");
        }
        int n = 0;
        for (byte[] e : entries) {
            if (e.length > MAX_ENTRY) {
                throw new IllegalArgumentException("entry of " + e.length + " bytes does not fit a bundle");
            }
            n += 2 + e.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] e : entries) {
            out[at] = (byte) (e.length >>> 8);
            out[at + 1] = (byte) e.length;
            System.arraycopy(e, 0, out, at + 2, e.length);
            at += 2 + e.length;
        }
        return out;
    }

    /**
     * {@return exactly {@code id.width()} entries}
     *
     * @param id the bundle the bytes claim to be (its width is the number of entries)
     * @param data the bytes
     * @throws MalformedException if a length runs past the end, the count differs, or bytes are left over
     */
    public static List<byte[]> decode(TileId id, byte[] data) throws MalformedException {
        if (id.kind() != TileId.Kind.ENTRIES) {
            throw new MalformedException(id + " is a tile of hashes, not an entry bundle");
        }
        List<byte[]> out = new ArrayList<>(id.width());
        int at = 0;
        while (at < data.length) {
            if (out.size() == id.width()) {
                throw new MalformedException(id + " has bytes after its " + id.width() + " entries");
            }
            if (data.length - at < 2) {
                throw new MalformedException(id + " ends inside a length prefix");
            }
            int len = (data[at] & 0xff) << 8 | (data[at + 1] & 0xff);
            at += 2;
            if (len > data.length - at) {
                throw new MalformedException(id + ": entry " + out.size() + " runs past the end");
            }
            out.add(Arrays.copyOfRange(data, at, at + len));
            at += len;
        }
        if (out.size() != id.width()) {
            throw new MalformedException(id + " has " + out.size() + " entries, not " + id.width());
        }
        return out;
    }
}
