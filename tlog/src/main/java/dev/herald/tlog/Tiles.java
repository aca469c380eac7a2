package dev.herald.tlog;

import java.util.ArrayList;
import java.util.List;

/** The bytes of a tile of hashes: its hashes concatenated, 32 bytes each. */
public final class Tiles {
    private Tiles() {}

    /**
     * {@return their concatenation}
     *
     * @param hashes 0 to 256 hashes
     */
    public static byte[] encode(List<Hash> hashes) {
        if (hashes.size() > TileId.FULL) {
            throw new IllegalArgumentException("a tile holds at most 256 hashes");
        }
        byte[] out = new byte[hashes.size() * Hash.SIZE];
        for (int i = 0; i < hashes.size(); i++) {
            hashes.get(i).copyTo(out, i * Hash.SIZE);
        }
        return out;
    }

    /**
     * {@return its {@code id.width()} hashes}
     *
     * @param id the tile the bytes claim to be
     * @param data the bytes, as read from storage or a server
     * @throws MalformedException if the length is not exactly {@code width × 32}, or {@code id} is a bundle
     */
    public static List<Hash> decode(TileId id, byte[] data) throws MalformedException {
        if (id.kind() != TileId.Kind.HASHES) {
            throw new MalformedException(id + " is an entry bundle, not a tile of hashes");
        }
        if (data.length != id.hashBytes()) {
            throw new MalformedException(id + " has " + data.length + " bytes, not " + id.hashBytes());
        }
        List<Hash> out = new ArrayList<>(id.width());
        for (int i = 0; i < id.width(); i++) {
            out.add(Hash.of(data, i * Hash.SIZE));
        }
        return List.copyOf(out);
    }

    /**
     * The hash of the perfect subtree over a power-of-two run of hashes of one level: the hash a full
     * tile contributes to the level above ({@code 256} hashes), or a node inside a tile.
     *
     * @param hashes 1, 2, 4, … 256 hashes
     * @return their Merkle tree hash
     */
    public static Hash subtree(List<Hash> hashes) {
        int n = hashes.size();
        if (Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("not a perfect subtree: " + n + " hashes");
        }
        List<Hash> level = hashes;
        while (level.size() > 1) {
            List<Hash> up = new ArrayList<>(level.size() / 2);
            for (int i = 0; i < level.size(); i += 2) {
                up.add(TreeHash.node(level.get(i), level.get(i + 1)));
            }
            level = up;
        }
        return level.get(0);
    }
}
