package dev.herald.tlog;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * A log's signing key for signed notes (Ed25519, signature type 0x01). It holds the private key
 * only to sign; {@link #toString()} never shows it.
 */
public final class NoteSigner {
    private final PrivateKey key;
    private final NoteVerifier verifier;

    private NoteSigner(PrivateKey key, NoteVerifier verifier) {
        this.key = key;
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
        NoteVerifier v = NoteVerifier.ed25519(name, publicKey);
        Ed25519Keys.checkPair(key, v.publicKey());
        return new NoteSigner(key, v);
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
        return new NoteSignature(verifier.name(), verifier.keyId(), Ed25519Keys.sign(key, text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        return "NoteSigner[" + verifier.vkey() + "]";
    }
}
