package dev.herald.engine;

import dev.herald.sdk.json.Json;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Public keys as JSON Web Keys (RFC 7517, 8037) and their thumbprints (RFC 7638). */
final class Jwk {
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private Jwk() {
    }

    /** The members that define the key, in the lexicographic order RFC 7638 hashes them in. */
    static Map<String, Object> required(PublicKey key) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        switch (key) {
            case ECPublicKey ec -> {
                int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
                jwk.put("crv", switch (size) {
                    case 32 -> "P-256";
                    case 48 -> "P-384";
                    default -> throw new IllegalArgumentException("unsupported EC curve of " + size * 8 + " bits");
                });
                jwk.put("kty", "EC");
                jwk.put("x", BASE64URL.encodeToString(unsigned(ec.getW().getAffineX(), size)));
                jwk.put("y", BASE64URL.encodeToString(unsigned(ec.getW().getAffineY(), size)));
            }
            case RSAPublicKey rsa -> {
                jwk.put("e", BASE64URL.encodeToString(minimal(rsa.getPublicExponent())));
                jwk.put("kty", "RSA");
                jwk.put("n", BASE64URL.encodeToString(minimal(rsa.getModulus())));
            }
            default -> {
                byte[] spki = key.getEncoded();
                if (!"EdDSA".equals(key.getAlgorithm()) && !"Ed25519".equals(key.getAlgorithm())
                        || spki.length != 44 || !Arrays.equals(Arrays.copyOf(spki, 12), ED25519_SPKI_PREFIX)) {
                    throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
                }
                jwk.put("crv", "Ed25519");
                jwk.put("kty", "OKP");
                jwk.put("x", BASE64URL.encodeToString(Arrays.copyOfRange(spki, 12, 44)));
            }
        }
        return jwk;
    }

    /** The RFC 7638 thumbprint: base64url of the SHA-256 of the required members' canonical JSON. */
    static String thumbprint(PublicKey key) {
        try {
            byte[] canonical = Json.write(required(key)).getBytes(StandardCharsets.UTF_8);
            return BASE64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The full JWK of a verifying key: its required members, kid, alg and use. */
    static Map<String, Object> of(PublicKey key, String kid, String algorithm) {
        Map<String, Object> jwk = new LinkedHashMap<>(required(key));
        jwk.put("kid", kid);
        jwk.put("alg", algorithm);
        jwk.put("use", "sig");
        return jwk;
    }

    /** RFC 7518 §6.3.1: unsigned big-endian with no leading zero bytes (toByteArray may add a sign byte). */
    private static byte[] minimal(BigInteger value) {
        byte[] bytes = value.toByteArray();
        int start = 0;
        while (start < bytes.length - 1 && bytes[start] == 0) {
            start++;
        }
        return Arrays.copyOfRange(bytes, start, bytes.length);
    }

    private static byte[] unsigned(BigInteger value, int size) {
        byte[] bytes = value.toByteArray();
        if (bytes.length == size) {
            return bytes;
        }
        byte[] out = new byte[size];
        int copy = Math.min(bytes.length, size);
        System.arraycopy(bytes, bytes.length - copy, out, size - copy, copy);
        return out;
    }
}
