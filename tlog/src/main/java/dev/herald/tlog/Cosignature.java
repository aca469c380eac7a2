package dev.herald.tlog;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * A C2SP {@code tlog-cosignature} v1 Ed25519 cosignature (signature type 0x04): a witness's
 * statement that, at {@code timestamp}, the checkpoint was the largest consistent one it had seen.
 * The signed message is {@code cosignature/v1\n}, {@code time <timestamp>\n}, then the checkpoint
 * body; the note signature is the 8-byte big-endian timestamp followed by the Ed25519 signature.
 *
 * @param witness the witness key that made it
 * @param timestamp seconds since the epoch, as signed
 */
public record Cosignature(NoteVerifier witness, long timestamp) {
    private static final int SIZE = 8 + Ed25519Keys.SIGNATURE_SIZE;

    /**
     * Cosigns a checkpoint.
     *
     * @param name the witness's key name
     * @param key its private key
     * @param publicKey its public key (checked to match)
     * @param checkpoint what it cosigns
     * @param timestamp seconds since the epoch, 0 to 2^63 − 1
     * @return the signature line to append to the checkpoint's note
     */
    public static NoteSignature sign(String name, PrivateKey key, PublicKey publicKey, Checkpoint checkpoint, long timestamp) {
        if (timestamp < 0) {
            throw new IllegalArgumentException("negative timestamp");
        }
        NoteVerifier v = NoteVerifier.cosigner(name, publicKey);
        Ed25519Keys.checkPair(key, v.publicKey());
        byte[] sig = Ed25519Keys.sign(key, message(checkpoint, timestamp));
        byte[] payload = new byte[SIZE];
        for (int i = 0; i < 8; i++) {
            payload[i] = (byte) (timestamp >>> (56 - 8 * i));
        }
        System.arraycopy(sig, 0, payload, 8, sig.length);
        return new NoteSignature(name, v.keyId(), payload);
    }

    /**
     * {@return the verified cosignature}
     *
     * @param witness a trusted witness key (type 0x04)
     * @param checkpoint the checkpoint the line was found on
     * @param line a signature line by that key (name and id)
     * @throws VerificationException if the line is not that key's, has the wrong size, a timestamp over
     *     2^63 − 1, or a signature that does not verify
     */
    public static Cosignature verify(NoteVerifier witness, Checkpoint checkpoint, NoteSignature line) throws VerificationException {
        if (witness.type() != NoteVerifier.COSIGNATURE_V1 || !line.isBy(witness)) {
            throw new VerificationException("not a cosignature by " + witness.name());
        }
        byte[] p = line.signature();
        if (p.length != SIZE) {
            throw new VerificationException("a cosignature by " + witness.name() + " of " + p.length + " bytes, not " + SIZE);
        }
        long t = 0;
        for (int i = 0; i < 8; i++) {
            t = t << 8 | (p[i] & 0xff);
        }
        if (t < 0) {
            throw new VerificationException("a cosignature timestamp over 2^63 - 1");
        }
        if (!witness.verifies(message(checkpoint, t), Arrays.copyOfRange(p, 8, SIZE))) {
            throw new VerificationException("the cosignature by " + witness.name() + " does not verify");
        }
        return new Cosignature(witness, t);
    }

    static byte[] message(Checkpoint checkpoint, long timestamp) {
        return ("cosignature/v1\ntime " + timestamp + "\n" + checkpoint.body()).getBytes(StandardCharsets.UTF_8);
    }
}
