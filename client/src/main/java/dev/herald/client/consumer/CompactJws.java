package dev.herald.client.consumer;

import dev.herald.client.VerificationException;
import dev.herald.sdk.json.Json;
import dev.herald.sdk.json.JsonException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A compact JWS (RFC 7515) with JSON header and payload, verified with the JDK's own signatures:
 * {@code EdDSA} (Ed25519), {@code ES256} and {@code ES384}. Nothing else is accepted: not
 * {@code none}, not the HMAC algorithms (a public key must never serve as an HMAC secret), not a
 * header with {@code crit} (extensions this code does not implement), not lenient base64url.
 *
 * <p>Own code rather than a JOSE library at run time: the JDK has had Ed25519 since 15, while
 * nimbus-jose-jwt needs Google Tink for it; the tests check this class against nimbus both ways.
 * Immutable; the compact text itself is never shown by {@link #toString}.
 */
public final class CompactJws {
    /** The algorithms accepted, with the length of their signatures in bytes. */
    private static final Map<String, Integer> SIGNATURE_LENGTHS = Map.of("EdDSA", 64, "ES256", 64, "ES384", 96);
    private static final Set<String> HMAC = Set.of("HS256", "HS384", "HS512");

    private final Map<String, Object> header;
    private final String payloadJson;
    private final byte[] signingInput;
    private final byte[] signature;

    private CompactJws(Map<String, Object> header, String payloadJson, byte[] signingInput, byte[] signature) {
        this.header = header;
        this.payloadJson = payloadJson;
        this.signingInput = signingInput;
        this.signature = signature;
    }

    /**
     * Parses {@code header.payload.signature}; checks the form and the header, not the signature.
     *
     * @throws VerificationException if the text is not exactly three strict base64url parts of a JSON
     *                               object, a JSON object and a signature of the header's algorithm
     */
    public static CompactJws parse(String compact) {
        if (compact == null || compact.isEmpty()) {
            throw new VerificationException("JWS is empty");
        }
        int first = compact.indexOf('.');
        int second = first < 0 ? -1 : compact.indexOf('.', first + 1);
        if (second < 0 || compact.indexOf('.', second + 1) >= 0) {
            throw new VerificationException("JWS is not in compact form (three base64url parts joined by dots)");
        }
        String headerPart = compact.substring(0, first);
        String payloadPart = compact.substring(first + 1, second);
        String signaturePart = compact.substring(second + 1);
        String headerJson = utf8(base64url(headerPart, "JWS header"), "JWS header");
        Map<String, Object> header = object(headerJson, "JWS header");
        String payloadJson = utf8(base64url(payloadPart, "JWS payload"), "JWS payload");
        object(payloadJson, "JWS payload");
        byte[] signature = base64url(signaturePart, "JWS signature");

        Object alg = header.get("alg");
        if (!(alg instanceof String algorithm)) {
            throw new VerificationException("JWS header has no \"alg\"");
        }
        if (algorithm.equalsIgnoreCase("none")) {
            throw new VerificationException("JWS alg \"none\" (unsigned) is refused");
        }
        if (HMAC.contains(algorithm)) {
            throw new VerificationException("JWS alg " + algorithm + " is refused: records are signed with public keys,"
                    + " never with a shared secret");
        }
        Integer length = SIGNATURE_LENGTHS.get(algorithm);
        if (length == null) {
            throw new VerificationException("JWS alg " + Claims.quote(algorithm) + " is not supported (EdDSA, ES256, ES384)");
        }
        if (header.containsKey("crit")) {
            throw new VerificationException("JWS header has \"crit\": extensions are not supported");
        }
        if (header.containsKey("kid") && !(header.get("kid") instanceof String)) {
            throw new VerificationException("JWS header \"kid\" is not a string");
        }
        if (header.containsKey("typ") && !(header.get("typ") instanceof String)) {
            throw new VerificationException("JWS header \"typ\" is not a string");
        }
        if (signature.length != length) {
            throw new VerificationException("JWS signature is " + signature.length + " bytes; " + algorithm + " has "
                    + length);
        }
        byte[] signingInput = compact.substring(0, second).getBytes(StandardCharsets.US_ASCII);
        return new CompactJws(header, payloadJson, signingInput, signature);
    }

    /** The header's {@code alg}: EdDSA, ES256 or ES384. */
    public String algorithm() {
        return (String) header.get("alg");
    }

    /** The header's {@code kid}, if any. */
    public Optional<String> kid() {
        return Optional.ofNullable((String) header.get("kid"));
    }

    /** The header's {@code typ}, if any. */
    public Optional<String> type() {
        return Optional.ofNullable((String) header.get("typ"));
    }

    /** The header, decoded (a fresh copy). */
    public Map<String, Object> header() {
        return Json.parseObject(Json.write(header));
    }

    /**
     * The payload's JSON object, decoded (a fresh copy). Not to be trusted before {@link #verify}.
     */
    public Map<String, Object> claims() {
        return Json.parseObject(payloadJson);
    }

    /**
     * Checks the signature with {@code key}, which must be of the kind the header's {@code alg}
     * names (an Ed25519 key for EdDSA, a P-256 key for ES256, a P-384 key for ES384).
     *
     * @param keyName how to name the key in the message (e.g. its kid)
     * @throws VerificationException if the key does not fit the algorithm or the signature does not verify
     */
    public void verify(PublicKey key, String keyName) {
        String algorithm = algorithm();
        String jdkAlgorithm = switch (algorithm) {
            case "EdDSA" -> requireKind(key, "Ed25519", keyName, "Ed25519");
            case "ES256" -> requireKind(key, "P-256", keyName, "SHA256withECDSAinP1363Format");
            case "ES384" -> requireKind(key, "P-384", keyName, "SHA384withECDSAinP1363Format");
            default -> throw new IllegalStateException("parse admitted alg " + algorithm);
        };
        boolean valid;
        try {
            Signature verifier = Signature.getInstance(jdkAlgorithm);
            verifier.initVerify(key);
            verifier.update(signingInput);
            valid = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // a malformed signature value (ECDSA r or s out of range) is a failed verification like any other
            valid = false;
        }
        if (!valid) {
            throw new VerificationException("JWS signature does not verify with key " + keyName);
        }
    }

    /** The JDK signature name for {@code key}, if the key is of {@code kind}. */
    private String requireKind(PublicKey key, String kind, String keyName, String jdkAlgorithm) {
        String actual;
        try {
            actual = Jwk.kind(key);
        } catch (VerificationException unsupported) {
            actual = key.getAlgorithm();
        }
        if (!actual.equals(kind)) {
            throw new VerificationException("JWS alg " + algorithm() + " needs a " + kind + " key, but key " + keyName
                    + " is " + actual);
        }
        return jdkAlgorithm;
    }

    /**
     * Strict base64url (RFC 7515 §2): only {@code A-Z a-z 0-9 - _}, no padding, no whitespace, and
     * the canonical encoding of what it decodes to (no stray bits in the last character), so that
     * one JWS has exactly one text.
     */
    static byte[] base64url(String text, String what) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                throw new VerificationException(what + " is not base64url (character " + (i + 1) + ")");
            }
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new VerificationException(what + " is not base64url (bad length)");
        }
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(text)) {
            throw new VerificationException(what + " is not canonical base64url (stray bits at the end)");
        }
        return bytes;
    }

    private static String utf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new VerificationException(what + " is not UTF-8");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String json, String what) {
        Object value;
        try {
            value = Json.parse(json);
        } catch (JsonException e) {
            throw new VerificationException(what + " is not JSON: " + e.getMessage());
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new VerificationException(what + " is not a JSON object");
        }
        return (Map<String, Object>) value;
    }

    @Override
    public String toString() {
        return "CompactJws[" + algorithm() + kid().map(kid -> ", kid " + kid).orElse("")
                + type().map(type -> ", typ " + type).orElse("") + "]";
    }
}
