package dev.herald.tlog;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.function.UnaryOperator;

/**
 * A log's signing key for signed notes (Ed25519, signature type 0x01). It holds the private key
 * only to sign; {@link #toString()} never shows it.
 */
public final class NoteSigner {
    /** Message to its Ed25519 signature, with the private key. */
    private final UnaryOperator<byte[]> signing;
    private final NoteVerifier verifier;

    private NoteSigner(UnaryOperator<byte[]> signing, NoteVerifier verifier) {
        this.signing = signing;
        this.verifier = verifier;
    }

    /**
     * {@return the signer}
     *
     * @param name the key name (a log's: its origin)
     * @param key the private key
     * @param publicKey its public half (checked to match)
     * @throws IllegalArgumentException if the name is invalid or the keys do not match
     */
    public static NoteSigner ed25519(String name, PrivateKey key, PublicKey publicKey) {
        return ed25519(name, key, publicKey, message -> Ed25519Keys.sign(key, message));
    }

    /**
     * As {@link #ed25519(String, PrivateKey, PublicKey)}, signing with {@code signing}: another
     * implementation of RFC 8032 for the same key (a faster one than the JDK's, where a caller has
     * one). Ed25519 is deterministic, so the signatures are the same bytes; the pair is checked
     * through {@code signing} too.
     *
     * @param name the key name (a log's: its origin)
     * @param key the private key
     * @param publicKey its public half (checked to match)
     * @param signing message to its Ed25519 signature by {@code key}
     * @return the signer
     * @throws IllegalArgumentException if the name is invalid, the keys do not match, or {@code signing}
     *                                  does not sign with {@code key}
     */
    public static NoteSigner ed25519(String name, PrivateKey key, PublicKey publicKey, UnaryOperator<byte[]> signing) {
        NoteVerifier v = NoteVerifier.ed25519(name, publicKey);
        Ed25519Keys.checkPair(key, v.publicKey());
        byte[] probe = "herald note signer pair check".getBytes(StandardCharsets.UTF_8);
        if (!java.util.Arrays.equals(signing.apply(probe), Ed25519Keys.sign(key, probe))) {
            throw new IllegalArgumentException("the signing function does not sign with this key");
        }
        return new NoteSigner(signing, v);
    }

    /** {@return the matching verifier (its {@link NoteVerifier#vkey()} is what a log publishes)} */
    public NoteVerifier verifier() {
        return verifier;
    }

    /**
     * {@return its signature line}
     *
     * @param text a note text ending in a newline
     */
    public NoteSignature sign(String text) {
        return new NoteSignature(verifier.name(), verifier.keyId(), signing.apply(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        return "NoteSigner[" + verifier.vkey() + "]";
    }
}
