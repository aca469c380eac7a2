package dev.herald.engine;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A publisher's public key, already parsed and checked by {@link PublisherKeys} (DESIGN §5.3).
 * Nothing here re-validates: build one only from {@link PublisherKeys} or from storage that
 * {@link PublisherKeys} filled.
 *
 * @param type           "ed25519", "ec-p256", "ec-p384" or "rsa" (the role's {@code key_types} names)
 * @param spki           the DER SubjectPublicKeyInfo, exactly as the publisher sent it: the
 *                       fingerprint is its hash, so publishers can compute it themselves
 * @param certificatePem the normalised PEM of the self-signed certificate the key came in, or null
 */
record PublisherKey(String type, byte[] spki, String certificatePem) {
    static final Set<String> TYPES = Set.of("ed25519", "ec-p256", "ec-p384", "rsa");

    PublisherKey {
        Objects.requireNonNull(type, "type");
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("unknown key type " + type);
        }
        spki = spki.clone(); // records hold arrays by reference: copy in and out to stay immutable
    }

    @Override
    public byte[] spki() {
        return spki.clone();
    }

    /** The key as a JDK key (default providers). */
    PublicKey publicKey() {
        try {
            String algorithm = switch (type) {
                case "ed25519" -> "Ed25519";
                case "rsa" -> "RSA";
                default -> "EC";
            };
            return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            // PublisherKeys has already decoded it with the same factory, so this is a fault, not input
            throw new IllegalStateException("stored " + type + " key does not decode", e);
        }
    }

    /** "sha256:" and the lowercase hex SHA-256 of the SPKI, as in the publish response and records. */
    String fingerprint() {
        return "sha256:" + HexFormat.of().formatHex(sha256(spki));
    }

    /** The public JWK (RFC 7517, 8037) with its RFC 7638 thumbprint as kid. */
    Map<String, Object> jwk() {
        PublicKey key = publicKey();
        Map<String, Object> jwk = new LinkedHashMap<>(Jwk.required(key));
        jwk.put("kid", Jwk.thumbprint(key));
        return jwk;
    }

    /** The SPKI as PEM, for trust files written by agent templates. */
    String publicKeyPem() {
        return pem("PUBLIC KEY", spki);
    }

    /** The key size: the modulus length for RSA, the field size for the curves. */
    int bits() {
        return switch (type) {
            case "rsa" -> ((RSAPublicKey) publicKey()).getModulus().bitLength();
            case "ec-p384" -> 384;
            default -> 256;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublisherKey other && type.equals(other.type) && Arrays.equals(spki, other.spki)
                && Objects.equals(certificatePem, other.certificatePem);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, Arrays.hashCode(spki), certificatePem);
    }

    @Override
    public String toString() {
        return "PublisherKey[" + type + " " + fingerprint() + (certificatePem == null ? "" : " with certificate") + "]";
    }

    /** RFC 7468 PEM: 64-character lines, LF line ends, a final newline. */
    static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
