package dev.herald.tlog;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A signed-note verifier key ("vkey"): a key name, its key id and an Ed25519 public key, of
 * signature type {@code 0x01} (a log's key: Ed25519 over the note text) or {@code 0x04} (a witness:
 * {@code tlog-cosignature} v1). Written {@code <name>+<8 hex digits of the id>+<base64(type ‖ key)>}.
 *
 * @param name the key name (for a log: its origin)
 * @param type {@link #ED25519} or {@link #COSIGNATURE_V1}
 * @param publicKey the 32-byte Ed25519 public key
 */
public record NoteVerifier(String name, int type, byte[] publicKey) {
    /** Signature type of signed-note's own Ed25519 signatures. */
    public static final int ED25519 = 0x01;
    /** Signature type of tlog-cosignature's timestamped Ed25519 cosignatures. */
    public static final int COSIGNATURE_V1 = 0x04;

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if the name is not a valid key name, the type unknown or the key not 32 bytes
     */
    public NoteVerifier {
        if (!SignedNote.isValidKeyName(name)) {
            throw new IllegalArgumentException("not a valid key name");
        }
        if (type != ED25519 && type != COSIGNATURE_V1) {
            throw new IllegalArgumentException("unsupported signature type " + type);
        }
        if (publicKey.length != Ed25519Keys.KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 key is 32 bytes");
        }
        publicKey = publicKey.clone();
    }

    /**
     * {@return the verifier of a log key (type 0x01)}
     *
     * @param name the key name
     * @param key an Ed25519 public key
     */
    public static NoteVerifier ed25519(String name, PublicKey key) {
        return new NoteVerifier(name, ED25519, Ed25519Keys.raw(key));
    }

    /**
     * {@return the verifier of its v1 cosignatures (type 0x04)}
     *
     * @param name the witness's name
     * @param key its Ed25519 public key
     */
    public static NoteVerifier cosigner(String name, PublicKey key) {
        return new NoteVerifier(name, COSIGNATURE_V1, Ed25519Keys.raw(key));
    }

    /** {@return a copy of the 32-byte public key} */
    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** {@return the key id: the first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ type ‖ key)} */
    public int keyId() {
        var md = TreeHash.sha256();
        md.update(name.getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
        md.update((byte) type);
        md.update(publicKey);
        byte[] h = md.digest();
        return (h[0] & 0xff) << 24 | (h[1] & 0xff) << 16 | (h[2] & 0xff) << 8 | (h[3] & 0xff);
    }

    /** {@return the vkey text} */
    public String vkey() {
        byte[] typed = new byte[1 + publicKey.length];
        typed[0] = (byte) type;
        System.arraycopy(publicKey, 0, typed, 1, publicKey.length);
        return name + "+" + HexFormat.of().toHexDigits(keyId()) + "+" + Base64.getEncoder().encodeToString(typed);
    }

    /**
     * Parses a vkey.
     *
     * @param vkey {@code <name>+<hex id>+<base64>}
     * @return the verifier
     * @throws MalformedException if it is malformed, of another type than 0x01 and 0x04, or its id is
     *     not the one its name and key give
     */
    public static NoteVerifier parse(String vkey) throws MalformedException {
        if (vkey.length() > 1000) {
            throw new MalformedException("verifier key too long");
        }
        int a = vkey.indexOf('+'), b = a < 0 ? -1 : vkey.indexOf('+', a + 1);
        // Only the first two '+' separate: names have none, base64 may.
        if (a < 0 || b < 0) {
            throw new MalformedException("a verifier key is <name>+<id>+<key>");
        }
        String name = vkey.substring(0, a), id = vkey.substring(a + 1, b);
        if (!SignedNote.isValidKeyName(name)) {
            throw new MalformedException("not a valid key name in the verifier key");
        }
        if (id.length() != 8 || !id.matches("[0-9a-f]{8}")) {
            throw new MalformedException("a verifier key's id is 8 lower-case hex digits");
        }
        byte[] key = Encoding.base64(vkey.substring(b + 1), "verifier key");
        if (key.length != 1 + Ed25519Keys.KEY_SIZE) {
            throw new MalformedException("not an Ed25519 verifier key");
        }
        int type = key[0] & 0xff;
        if (type != ED25519 && type != COSIGNATURE_V1) {
            throw new MalformedException("unsupported verifier key type " + type);
        }
        NoteVerifier v = new NoteVerifier(name, type, Arrays.copyOfRange(key, 1, key.length));
        if (v.keyId() != HexFormat.fromHexDigits(id)) {
            throw new MalformedException("the verifier key's id does not match its name and key");
        }
        return v;
    }

    /** Verifies an Ed25519 signature under this key (both types sign with plain Ed25519). */
    boolean verifies(byte[] message, byte[] signature) {
        return Ed25519Keys.verify(publicKey, message, signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteVerifier v && name.equals(v.name) && type == v.type && Arrays.equals(publicKey, v.publicKey);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + type) * 31 + Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return vkey();
    }
}
