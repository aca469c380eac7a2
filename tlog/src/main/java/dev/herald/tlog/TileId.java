package dev.herald.tlog;

import java.util.ArrayList;
import java.util.List;

/**
 * A C2SP {@code tlog-tiles} resource: a tile of hashes ({@code tile/<L>/<N>[.p/<W>]}) or an entry
 * bundle ({@code tile/entries/<N>[.p/<W>]}), with tile height 8 (256 hashes or entries when full).
 * Paths are parsed strictly, because they arrive from anyone: one resource has exactly one path.
 *
 * @param kind hashes or entries
 * @param level the tile level L (0 for entry bundles): its hashes are subtrees of {@code 256^L} leaves
 * @param index the tile's position N in its level
 * @param width the number of hashes or entries, 1 to 256 (256: a full tile)
 */
public record TileId(Kind kind, int level, long index, int width) {
    /** Hashes or entries per full tile: tile height 8. */
    public static final int FULL = 256;
    /** Levels {@code tlog-tiles} allows in a path (0 to 63). */
    public static final int MAX_LEVEL = 63;

    /** What a tile holds. */
    public enum Kind {
        /** Merkle tree hashes of one level ({@code tile/<L>/...}). */
        HASHES,
        /** An entry bundle: the leaves themselves ({@code tile/entries/...}). */
        ENTRIES
    }

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if a component is out of range
     */
    public TileId {
        if (kind == null) {
            throw new IllegalArgumentException("no tile kind");
        }
        if (level < 0 || level > MAX_LEVEL || (kind == Kind.ENTRIES && level != 0)) {
            throw new IllegalArgumentException("bad tile level " + level);
        }
        if (index < 0) {
            throw new IllegalArgumentException("negative tile index");
        }
        if (width < 1 || width > FULL) {
            throw new IllegalArgumentException("tile width " + width + " is not in 1..256");
        }
    }

    /**
     * {@return that tile of hashes}
     *
     * @param level L
     * @param index N
     * @param width 1 to 256
     */
    public static TileId hashes(int level, long index, int width) {
        return new TileId(Kind.HASHES, level, index, width);
    }

    /**
     * {@return that entry bundle}
     *
     * @param index N
     * @param width 1 to 256
     */
    public static TileId entries(long index, int width) {
        return new TileId(Kind.ENTRIES, 0, index, width);
    }

    /** {@return whether it holds 256 hashes or entries} */
    public boolean isFull() {
        return width == FULL;
    }

    /** {@return the same tile, full (its partial versions are prefixes of it)} */
    public TileId full() {
        return new TileId(kind, level, index, FULL);
    }

    /** {@return the size of its bytes when it is a tile of hashes: {@code width × 32}} */
    public int hashBytes() {
        return width * Hash.SIZE;
    }

    /**
     * Whether a tree of {@code treeSize} leaves has this resource, at this width: a full tile if the
     * tree covers all of it, else the partial tile of the width {@code tlog-tiles} gives that size.
     * A server serves nothing else, and a client fetches nothing else.
     *
     * @param treeSize the size of a verified checkpoint
     * @return whether this tile belongs to that tree
     */
    public boolean inTree(long treeSize) {
        long fullTiles = shift(treeSize, 8 * (level + 1));
        if (isFull()) {
            return index < fullTiles;
        }
        return index == fullTiles && width == (int) (shift(treeSize, 8 * level) & 0xff);
    }

    /**
     * Every tile and entry bundle of a tree, full and partial, in level order (bundles last): what a
     * static copy of the log at that size holds.
     *
     * @param treeSize the tree size
     * @return its resources
     */
    public static List<TileId> allOf(long treeSize) {
        List<TileId> out = new ArrayList<>();
        for (int level = 0; shift(treeSize, 8 * level) > 0; level++) {
            long full = shift(treeSize, 8 * (level + 1));
            for (long n = 0; n < full; n++) {
                out.add(hashes(level, n, FULL));
            }
            int w = (int) (shift(treeSize, 8 * level) & 0xff);
            if (w > 0) {
                out.add(hashes(level, full, w));
            }
        }
        for (long n = 0; n < treeSize / FULL; n++) {
            out.add(entries(n, FULL));
        }
        if (treeSize % FULL != 0) {
            out.add(entries(treeSize / FULL, (int) (treeSize % FULL)));
        }
        return out;
    }

    /**
     * The tile of a tree of {@code treeSize} leaves that holds the level-{@code 8L} hash {@code hashIndex}
     * (a hash of a subtree of {@code 256^L} leaves), at the width that tree has.
     *
     * @param level L
     * @param hashIndex the hash's index among those of its level
     * @param treeSize the tree size
     * @return the tile, or null if the tree has no such hash
     */
    static TileId holding(int level, long hashIndex, long treeSize) {
        if (hashIndex >= shift(treeSize, 8 * level)) {
            return null;
        }
        long n = hashIndex >>> 8;
        TileId full = hashes(level, n, FULL);
        return full.inTree(treeSize) ? full : hashes(level, n, (int) (shift(treeSize, 8 * level) & 0xff));
    }

    /** {@code x >>> bits}, but 0 from 64 bits on (Java would shift by {@code bits % 64}). */
    static long shift(long x, int bits) {
        return bits >= 64 ? 0 : x >>> bits;
    }

    /** {@return the {@code tlog-tiles} path, e.g. {@code tile/1/x001/234.p/17}} */
    public String path() {
        StringBuilder b = new StringBuilder("tile/").append(kind == Kind.ENTRIES ? "entries" : Integer.toString(level)).append('/');
        String digits = Long.toString(index);
        int pad = (3 - digits.length() % 3) % 3;
        digits = "0".repeat(pad) + digits;
        for (int i = 0; i < digits.length(); i += 3) {
            if (i + 3 < digits.length()) {
                b.append('x');
            }
            b.append(digits, i, i + 3);
            if (i + 3 < digits.length()) {
                b.append('/');
            }
        }
        if (!isFull()) {
            b.append(".p/").append(width);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return path();
    }

    /**
     * Parses a path exactly as {@link #path()} writes it.
     *
     * @param path e.g. {@code tile/0/x001/234}, {@code tile/entries/005.p/3}
     * @return the tile
     * @throws MalformedException for anything else: leading zeros, a missing {@code x}, a level
     *     over 63, a width outside 1..255 after {@code .p/}, extra or missing segments, an index too
     *     large
     */
    public static TileId parse(String path) throws MalformedException {
        if (path.length() > 100) {
            throw new MalformedException("tile path too long");
        }
        String[] seg = path.split("/", -1);
        if (seg.length < 3 || !seg[0].equals("tile")) {
            throw new MalformedException("not a tile path: " + quote(path));
        }
        Kind kind;
        int level;
        if (seg[1].equals("entries")) {
            kind = Kind.ENTRIES;
            level = 0;
        } else {
            kind = Kind.HASHES;
            long l = Encoding.decimal(seg[1], "tile level");
            if (l > MAX_LEVEL) {
                throw new MalformedException("tile level " + l + " is over " + MAX_LEVEL);
            }
            level = (int) l;
        }
        int width = FULL;
        int end = seg.length; // the index groups are seg[2..end)
        if (seg[end - 1].length() > 0 && seg.length >= 4 && seg[end - 2].endsWith(".p")) {
            long w = Encoding.decimal(seg[end - 1], "tile width");
            if (w < 1 || w > FULL - 1) {
                throw new MalformedException("partial tile width " + w + " is not in 1..255");
            }
            width = (int) w;
            seg[end - 2] = seg[end - 2].substring(0, seg[end - 2].length() - 2);
            end--;
        }
        int groups = end - 2;
        if (groups < 1 || groups > 7) {
            throw new MalformedException("bad tile index in " + quote(path));
        }
        long index = 0;
        for (int i = 2; i < end; i++) {
            String g = seg[i];
            boolean last = i == end - 1;
            if (!last) {
                if (!g.startsWith("x")) {
                    throw new MalformedException("tile index group without x in " + quote(path));
                }
                g = g.substring(1);
            }
            if (g.length() != 3 || !isDigits(g)) {
                throw new MalformedException("tile index groups are 3 digits: " + quote(path));
            }
            if (i == 2 && groups > 1 && g.equals("000")) {
                throw new MalformedException("tile index with a leading zero group: " + quote(path));
            }
            int v = Integer.parseInt(g);
            if (index > (Long.MAX_VALUE - v) / 1000) {
                throw new MalformedException("tile index too large");
            }
            index = index * 1000 + v;
        }
        return new TileId(kind, level, index, width);
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Untrusted text in a message: bounded, printable. */
    static String quote(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "…" : s;
        return '"' + t.replaceAll("[^\\x20-\\x7e]", "?") + '"';
    }
}
