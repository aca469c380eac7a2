package dev.herald.client.log;

import dev.herald.client.HeraldException;
import dev.herald.tlog.Ed25519Keys;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.SignedNote;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A witness's Ed25519 cosigning key and its name (design-log §8). Its file holds two lines: the
 * private key in the signed-note style ({@code PRIVATE+KEY+<name>+<id>+<base64(0x04 ‖ seed)>}, as
 * Go's {@code sumdb/note} writes signer keys) and the public vkey. {@link #toString()} never shows
 * the private key.
 */
public final class WitnessKey {
    private static final String PREFIX = "PRIVATE+KEY+";
    /** A JDK Ed25519 private key's PKCS#8 encoding: a fixed prefix, then the 32-byte seed (RFC 8410). */
    private static final int PKCS8_SIZE = 48;

    private final String name;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private WitnessKey(String name, PrivateKey privateKey, PublicKey publicKey) {
        this.name = name;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /**
     * {@return a new key}
     *
     * @param name the witness's name (a signed-note key name: no space, no {@code +})
     * @throws IllegalArgumentException if the name is not a valid key name
     */
    public static WitnessKey generate(String name) {
        if (!SignedNote.isValidKeyName(name)) {
            throw new IllegalArgumentException("not a valid witness name (no spaces, no '+'): " + name);
        }
        KeyPair pair = Ed25519Keys.generate();
        return new WitnessKey(name, pair.getPrivate(), pair.getPublic());
    }

    public String name() {
        return name;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    PublicKey publicKey() {
        return publicKey;
    }

    /** {@return its verifier key (type 0x04): what clients pass to --witness and operators to config log_witnesses} */
    public NoteVerifier verifier() {
        return NoteVerifier.cosigner(name, publicKey);
    }

    /** {@return the file's text: the private key line, then the vkey line} */
    public String encode() {
        byte[] pkcs8 = privateKey.getEncoded();
        if (pkcs8 == null || pkcs8.length != PKCS8_SIZE) {
            throw new IllegalStateException("the JDK's Ed25519 private key is not in the expected PKCS#8 form");
        }
        byte[] typed = new byte[1 + Ed25519Keys.KEY_SIZE];
        typed[0] = NoteVerifier.COSIGNATURE_V1;
        System.arraycopy(pkcs8, PKCS8_SIZE - Ed25519Keys.KEY_SIZE, typed, 1, Ed25519Keys.KEY_SIZE);
        Arrays.fill(pkcs8, (byte) 0);
        NoteVerifier v = verifier();
        String line = PREFIX + name + "+" + HexFormat.of().toHexDigits(v.keyId()) + "+" + Base64.getEncoder().encodeToString(typed);
        Arrays.fill(typed, (byte) 0);
        return line + "\n" + v.vkey() + "\n";
    }

    /**
     * {@return the key a file holds}
     *
     * @param text what {@link #encode} wrote
     * @throws HeraldException if it is malformed or its halves do not match (the message never holds the key)
     */
    public static WitnessKey parse(String text) {
        String[] lines = text.strip().split("\n");
        if (lines.length != 2 || !lines[0].startsWith(PREFIX)) {
            throw new HeraldException("a witness key file holds a PRIVATE+KEY line and the witness's vkey");
        }
        NoteVerifier v;
        try {
            v = NoteVerifier.parse(lines[1].strip());
        } catch (MalformedException e) {
            throw new HeraldException("the witness key file's vkey is malformed: " + e.getMessage(), e);
        }
        String[] parts = lines[0].strip().substring(PREFIX.length()).split("\\+", 3);
        byte[] typed;
        try {
            typed = parts.length == 3 ? Base64.getDecoder().decode(parts[2]) : new byte[0];
        } catch (IllegalArgumentException e) {
            typed = new byte[0];
        }
        if (v.type() != NoteVerifier.COSIGNATURE_V1 || parts.length != 3 || !parts[0].equals(v.name())
                || !parts[1].equals(HexFormat.of().toHexDigits(v.keyId())) || typed.length != 1 + Ed25519Keys.KEY_SIZE
                || typed[0] != NoteVerifier.COSIGNATURE_V1) {
            throw new HeraldException("the witness key file's private key is malformed or not of its vkey " + v.name());
        }
        try {
            PrivateKey key = Ed25519Keys.privateKey(Arrays.copyOfRange(typed, 1, typed.length));
            WitnessKey parsed = new WitnessKey(v.name(), key, Ed25519Keys.publicKey(v.publicKey()));
            parsed.checkPair();
            return parsed;
        } catch (MalformedException | IllegalArgumentException e) {
            throw new HeraldException("the witness key file's private key does not match its vkey " + v.name());
        } finally {
            Arrays.fill(typed, (byte) 0);
        }
    }

    /** Cosigning checks that the halves match; done once at load so that a bad file fails at start. */
    private void checkPair() {
        dev.herald.tlog.Cosignature.sign(name, privateKey, publicKey,
                dev.herald.tlog.Checkpoint.of("key-check", 0, dev.herald.tlog.TreeHash.emptyRoot()), 0);
    }

    @Override
    public String toString() {
        return "WitnessKey[" + verifier().vkey() + "]";
    }
}
