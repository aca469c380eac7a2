package dev.herald.engine;

import dev.herald.sdk.json.Json;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Compact JWS (RFC 7515) signing with a {@link SigningKey}: EdDSA, or ES256 with JOSE's raw r||s. */
final class Jws {
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private Jws() {
    }

    /** {@code header.payload.signature}, the header carrying alg, kid and typ. */
    static String sign(SigningKey key, String type, Map<String, Object> claims) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", key.algorithm());
        header.put("kid", key.kid());
        header.put("typ", type);
        String input = BASE64URL.encodeToString(Json.write(header).getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
        return input + "." + BASE64URL.encodeToString(signature(key, input.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The DER prefix of an Ed25519 PKCS#8 private key (RFC 8410); the 32-byte seed follows it. */
    private static final byte[] ED25519_PKCS8_PREFIX = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b,
            0x65, 0x70, 0x04, 0x22, 0x04, 0x20};

    /** Whether {@code pkcs8} is an Ed25519 private key in the plain RFC 8410 form {@link #ed25519} takes. */
    static boolean isPlainEd25519(byte[] pkcs8) {
        return pkcs8.length == 48 && Arrays.equals(Arrays.copyOf(pkcs8, 16), ED25519_PKCS8_PREFIX);
    }

    /**
     * The Ed25519 signature of {@code input} by the key {@code pkcs8} holds ({@link #isPlainEd25519}):
     * BouncyCastle's RFC 8032 code, 60-100 us a signature where the JDK's takes 600-780 us under the
     * plugin's C1-only JIT. Ed25519 is deterministic: the same bytes either way.
     */
    static byte[] ed25519(byte[] pkcs8, byte[] input) {
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(pkcs8, 16, input, 0, input.length, signature, 0);
        return signature;
    }

    static byte[] signature(SigningKey key, byte[] input) {
        byte[] pkcs8 = key.privateKeyPkcs8();
        if (key.algorithm().equals("EdDSA") && isPlainEd25519(pkcs8)) {
            return ed25519(pkcs8, input);
        }
        try {
            // JOSE wants ES256 signatures as the raw 64 bytes r||s (IEEE P1363), not DER.
            Signature signer = Signature.getInstance(key.algorithm().equals("ES256")
                    ? "SHA256withECDSAinP1363Format" : "Ed25519");
            signer.initSign(key.privateKey());
            signer.update(input);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + key.kid(), e);
        }
    }
}
