package dev.herald.tlog;

import java.util.Arrays;
import java.util.Base64;

/**
 * One signature line of a signed note: {@code — <name> base64(key id ‖ signature)}.
 *
 * @param name the key name
 * @param keyId the key id (the first 4 bytes of the base64 payload)
 * @param signature the rest of the payload: the signature by that key (for a cosignature, the
 *     timestamp and the signature)
 */
public record NoteSignature(String name, int keyId, byte[] signature) {
    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if the name is not a valid key name or the signature empty
     */
    public NoteSignature {
        if (!SignedNote.isValidKeyName(name)) {
            throw new IllegalArgumentException("not a valid key name");
        }
        if (signature.length == 0) {
            throw new IllegalArgumentException("an empty signature");
        }
        signature = signature.clone();
    }

    /** {@return a copy of the signature bytes} */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /**
     * {@return whether this line names the key of {@code v} (name and id)}
     *
     * @param v a verifier key
     */
    public boolean isBy(NoteVerifier v) {
        return name.equals(v.name()) && keyId == v.keyId();
    }

    /** {@return the line, with its final newline} */
    public String line() {
        byte[] payload = new byte[4 + signature.length];
        payload[0] = (byte) (keyId >>> 24);
        payload[1] = (byte) (keyId >>> 16);
        payload[2] = (byte) (keyId >>> 8);
        payload[3] = (byte) keyId;
        System.arraycopy(signature, 0, payload, 4, signature.length);
        return "\u2014 " + name + " " + Base64.getEncoder().encodeToString(payload) + "\n";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteSignature s && name.equals(s.name) && keyId == s.keyId && Arrays.equals(signature, s.signature);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + keyId) * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return line().strip();
    }
}
