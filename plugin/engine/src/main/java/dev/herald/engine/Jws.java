package dev.herald.engine;

import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
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
        try {
            // JOSE wants ES256 signatures as the raw 64 bytes r||s (IEEE P1363), not DER.
            Signature signer = Signature.getInstance(key.algorithm().equals("ES256")
                    ? "SHA256withECDSAinP1363Format" : "Ed25519");
            signer.initSign(key.privateKey());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + BASE64URL.encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + key.kid(), e);
        }
    }
}
