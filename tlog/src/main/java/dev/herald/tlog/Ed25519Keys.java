package dev.herald.tlog;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Ed25519 with the JDK's provider, and the raw 32-byte public keys signed-note uses. The JDK speaks
 * DER (SubjectPublicKeyInfo, PKCS#8); for Ed25519 both are a fixed prefix followed by the 32 raw
 * bytes (RFC 8410), so conversion is a prefix check, not a parser.
 */
public final class Ed25519Keys {
    /** The size of a raw public key, a private seed, and half a signature. */
    public static final int KEY_SIZE = 32;
    /** The size of a signature. */
    public static final int SIGNATURE_SIZE = 64;

    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");

    private Ed25519Keys() {}

    /** {@return a new key pair} */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has Ed25519", e);
        }
    }

    /**
     * {@return the JDK's key}
     *
     * @param raw the 32-byte public key of RFC 8032
     * @throws MalformedException if it is not 32 bytes or not a valid point
     */
    public static PublicKey publicKey(byte[] raw) throws MalformedException {
        if (raw.length != KEY_SIZE) {
            throw new MalformedException("an Ed25519 public key is 32 bytes, not " + raw.length);
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Encoding.concat(SPKI_PREFIX, raw)));
        } catch (GeneralSecurityException e) {
            throw new MalformedException("not an Ed25519 public key");
        }
    }

    /**
     * {@return its 32 raw bytes}
     *
     * @param key an Ed25519 public key
     */
    public static byte[] raw(PublicKey key) {
        byte[] spki = key.getEncoded();
        if (spki == null || spki.length != SPKI_PREFIX.length + KEY_SIZE || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
    }

    /**
     * {@return the JDK's key}
     *
     * @param seed the 32-byte private key of RFC 8032 (Go's {@code ed25519.NewKeyFromSeed} input)
     */
    public static PrivateKey privateKey(byte[] seed) {
        if (seed.length != KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 seed is 32 bytes");
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Encoding.concat(PKCS8_PREFIX, seed)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has Ed25519", e);
        }
    }

    static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key (" + key.getAlgorithm() + ")", e);
        }
    }

    static boolean verify(byte[] rawPublicKey, byte[] message, byte[] signature) {
        if (signature.length != SIGNATURE_SIZE) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(publicKey(rawPublicKey));
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | MalformedException e) {
            return false;
        }
    }

    /** Checks that the halves of a key pair belong together, so a signer never signs under a wrong key id. */
    static void checkPair(PrivateKey priv, byte[] rawPublic) {
        byte[] probe = "herald key pair check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (!verify(rawPublic, probe, sign(priv, probe))) {
            throw new IllegalArgumentException("the private key does not match the public key");
        }
    }
}
