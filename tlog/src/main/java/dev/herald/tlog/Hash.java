package dev.herald.tlog;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A SHA-256 hash of the tree: a leaf hash, a node hash or a root. Immutable (the bytes are copied
 * in and out), compared by value.
 */
public final class Hash {
    /** The size of a hash in bytes. */
    public static final int SIZE = 32;

    private final byte[] bytes;

    private Hash(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * {@return the hash}
     *
     * @param bytes exactly 32 bytes (copied)
     * @throws IllegalArgumentException if the length is not 32 (a programming error: parsers of
     *     untrusted input check the length first and throw {@link MalformedException})
     */
    public static Hash of(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("a hash is 32 bytes, not " + bytes.length);
        }
        return new Hash(bytes.clone());
    }

    /**
     * {@return the hash at {@code offset}}
     *
     * @param data the array holding the hash
     * @param offset where it starts; 32 bytes from there must exist
     */
    public static Hash of(byte[] data, int offset) {
        return new Hash(Arrays.copyOfRange(data, offset, offset + SIZE));
    }

    /** Wraps an array this module just made and hands to nobody else (no copy). */
    static Hash wrap(byte[] fresh) {
        return new Hash(fresh);
    }

    /**
     * Parses the standard base64 of a hash, as checkpoints and proofs carry it.
     *
     * @param base64 the text
     * @return the hash
     * @throws MalformedException if it is not canonical standard base64 of exactly 32 bytes
     */
    public static Hash fromBase64(String base64) throws MalformedException {
        byte[] b = Encoding.base64(base64, "hash");
        if (b.length != SIZE) {
            throw new MalformedException("a hash is 32 bytes, got " + b.length);
        }
        return new Hash(b);
    }

    /** {@return a copy of the 32 bytes} */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Writes the 32 bytes into {@code out} at {@code offset}, without a copy. */
    void copyTo(byte[] out, int offset) {
        System.arraycopy(bytes, 0, out, offset, SIZE);
    }

    /** {@return standard base64 with padding (44 characters)} */
    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** {@return the hash in lower-case hex, for messages and tests} */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
