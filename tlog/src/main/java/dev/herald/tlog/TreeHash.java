package dev.herald.tlog;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 6962 §2.1 (RFC 9162 §2.1.1) tree hashing with SHA-256: a leaf is hashed with a {@code 0x00}
 * prefix and an interior node with {@code 0x01}, so that no leaf can pass for a node (second
 * preimages across levels).
 */
public final class TreeHash {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(TreeHash::newSha256);
    private static final Hash EMPTY = Hash.wrap(sha256().digest());

    private TreeHash() {}

    /**
     * {@return SHA-256(0x00 ‖ leaf)}
     *
     * @param leaf the leaf's bytes (an entry of a bundle)
     */
    public static Hash leaf(byte[] leaf) {
        MessageDigest md = sha256();
        md.update((byte) 0);
        md.update(leaf);
        return Hash.wrap(md.digest());
    }

    /**
     * {@return SHA-256(0x01 ‖ left ‖ right)}
     *
     * @param left the left child
     * @param right the right child
     */
    public static Hash node(Hash left, Hash right) {
        byte[] in = new byte[1 + 2 * Hash.SIZE];
        in[0] = 1;
        left.copyTo(in, 1);
        right.copyTo(in, 1 + Hash.SIZE);
        return Hash.wrap(sha256().digest(in));
    }

    /** {@return the root of the empty tree, SHA-256 of nothing (RFC 6962 MTH({}))} */
    public static Hash emptyRoot() {
        return EMPTY;
    }

    /** A reset digest of this thread: hashing is on every append and every verification. */
    static MessageDigest sha256() {
        MessageDigest md = SHA256.get();
        md.reset();
        return md;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
