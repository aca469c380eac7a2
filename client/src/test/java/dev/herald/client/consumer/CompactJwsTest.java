package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.PlainObject;
import com.nimbusds.jose.crypto.MACSigner;
import dev.herald.client.VerificationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompactJwsTest {
    private static final TestSigner ED25519 = TestSigner.ed25519();
    private static final TestSigner ES256 = TestSigner.es256();
    private static final TestSigner ES384 = TestSigner.es384();
    private static final Map<String, Object> CLAIMS = Map.of("sub", "payments", "seq", 7L);

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void verifiesWhatNimbusSigns() {
        for (TestSigner signer : List.of(ED25519, ES256, ES384)) {
            String compact = signer.sign("herald-record+jwt", CLAIMS);
            CompactJws jws = CompactJws.parse(compact);
            jws.verify(signer.publicKey, signer.kid());
            assertEquals(signer.algorithm.getName(), jws.algorithm());
            assertEquals(signer.kid(), jws.kid().orElseThrow());
            assertEquals("herald-record+jwt", jws.type().orElseThrow());
            assertEquals(7L, jws.claims().get("seq"));
            assertFalse(jws.toString().contains(compact.substring(compact.lastIndexOf('.') + 1)), "no signature in toString");
        }
    }

    @Test
    void everyBitFlipIsRejectedHereAndByNimbus() {
        for (TestSigner signer : List.of(ED25519, ES256, ES384)) {
            String compact = signer.sign("herald-record+jwt", CLAIMS);
            int firstDot = compact.indexOf('.');
            int secondDot = compact.lastIndexOf('.');
            // positions in the header, the payload and the signature (first, middle and last characters)
            List<Integer> positions = List.of(0, firstDot / 2, firstDot - 1, firstDot + 1, (firstDot + secondDot) / 2,
                    secondDot - 1, secondDot + 1, (secondDot + compact.length()) / 2, compact.length() - 1);
            for (int position : positions) {
                for (int bit = 0; bit < 6; bit++) {
                    String tampered = flipBit(compact, position, bit);
                    assertRejected(signer, tampered, "bit " + bit + " at " + position + " for " + signer);
                }
            }
        }
    }

    /** Flips one of the six bits that a base64url character carries. */
    private static String flipBit(String compact, int position, int bit) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int value = alphabet.indexOf(compact.charAt(position));
        char flipped = alphabet.charAt(value ^ (1 << bit));
        return compact.substring(0, position) + flipped + compact.substring(position + 1);
    }

    /**
     * Ours must refuse every variant; nimbus must too, except where the flipped bit is one of the
     * unused low bits of a part's last character: nimbus decodes that to the same bytes and accepts
     * it (a second text for one JWS), which this code refuses as non-canonical base64url.
     */
    private static void assertRejected(TestSigner signer, String tampered, String what) {
        boolean ours;
        try {
            CompactJws.parse(tampered).verify(signer.publicKey, signer.kid());
            ours = true;
        } catch (VerificationException expected) {
            ours = false;
        }
        assertFalse(ours, "accepted: " + what);
        if (canonical(tampered)) {
            assertFalse(signer.nimbusVerifies(tampered), "nimbus accepted: " + what);
        }
    }

    private static boolean canonical(String compact) {
        for (String part : compact.split("\\.")) {
            if (!Base64.getUrlEncoder().withoutPadding().encodeToString(Base64.getUrlDecoder().decode(part)).equals(part)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void nimbusAcceptsStrayBitsThatThisCodeRefuses() {
        String compact = ED25519.sign("t", CLAIMS);
        String tampered = flipBit(compact, compact.length() - 1, 0);
        assertFalse(canonical(tampered));
        assertTrue(ED25519.nimbusVerifies(tampered), "nimbus is lenient here; if that changed, this note is stale");
        assertMessage("not canonical", () -> CompactJws.parse(tampered));
    }

    @Test
    void rejectsTheSignatureOfAnotherKeyOfTheSameKind() {
        TestSigner other = TestSigner.ed25519();
        String compact = other.sign("herald-record+jwt", CLAIMS);
        VerificationException e = assertThrows(VerificationException.class,
                () -> CompactJws.parse(compact).verify(ED25519.publicKey, ED25519.kid()));
        assertEquals("JWS signature does not verify with key " + ED25519.kid(), e.getMessage());
    }

    @Test
    void rejectsAnAlgorithmThatDoesNotFitTheKey() {
        // an ES256 record checked with the Ed25519 key, and ES384 with a P-256 key
        assertMessage("needs a P-256 key, but key k is Ed25519",
                () -> CompactJws.parse(ES256.sign("t", CLAIMS)).verify(ED25519.publicKey, "k"));
        assertMessage("needs a P-384 key, but key k is P-256",
                () -> CompactJws.parse(ES384.sign("t", CLAIMS)).verify(ES256.publicKey, "k"));
        // the header's alg swapped to ES256 over an Ed25519 signature (both 64 bytes)
        String compact = ED25519.sign("t", CLAIMS);
        String swapped = b64("{\"alg\":\"ES256\",\"kid\":\"" + ED25519.kid() + "\"}") + compact.substring(compact.indexOf('.'));
        assertMessage("needs a P-256 key", () -> CompactJws.parse(swapped).verify(ED25519.publicKey, "k"));
        assertFalse(ED25519.nimbusVerifies(swapped));
    }

    @Test
    void refusesUnsignedAndHmacAlgorithms() throws Exception {
        String plain = new PlainObject(new PlainHeader(), new Payload("{\"sub\":\"x\"}")).serialize();
        assertTrue(plain.endsWith("."), plain);
        assertMessage("alg \"none\" (unsigned) is refused", () -> CompactJws.parse(plain));
        assertMessage("alg \"none\" (unsigned) is refused", () -> CompactJws.parse(plain + "AAAA"));
        // HS256 with the signer's public key as the secret: the classic algorithm confusion
        byte[] secret = ES256.publicKey.getEncoded();
        JWSObject hmac = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(ES256.kid()).build(),
                new Payload("{\"sub\":\"x\"}"));
        hmac.sign(new MACSigner(secret));
        assertMessage("alg HS256 is refused", () -> CompactJws.parse(hmac.serialize()));
        for (String alg : List.of("RS256", "PS256", "ES512", "ES256K", "Ed25519", "es256")) {
            String header = b64("{\"alg\":\"" + alg + "\"}");
            assertMessage("is not supported", () -> CompactJws.parse(header + "." + b64("{}") + "." + b64("x".repeat(64))));
        }
        assertMessage("has no \"alg\"", () -> CompactJws.parse(b64("{\"typ\":\"JWT\"}") + "." + b64("{}") + ".AAAA"));
    }

    @Test
    void refusesCrit() {
        String compact = ES256.sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ES256.kid())
                .type(new JOSEObjectType("herald-record+jwt")).criticalParams(Set.of("exp")).customParam("exp", 1L).build(),
                "{}");
        assertMessage("\"crit\"", () -> CompactJws.parse(compact));
    }

    @Test
    void refusesMalformedText() {
        String good = ES256.sign("t", CLAIMS);
        String[] parts = good.split("\\.");
        List<String> bad = new ArrayList<>(List.of(
                good + ".", good + ".AAAA", good + " ", good + "\n", " " + good, parts[0] + "." + parts[1],
                parts[0] + "=." + parts[1] + "." + parts[2], parts[0] + "." + parts[1] + "." + parts[2] + "==",
                "+" + parts[0].substring(1) + "." + parts[1] + "." + parts[2], "", "..",
                b64("[1]") + "." + parts[1] + "." + parts[2],
                b64("{\"alg\":\"ES256\"} x") + "." + parts[1] + "." + parts[2],
                parts[0] + "." + b64("[\"not an object\"]") + "." + parts[2],
                parts[0] + "." + b64("{\"a\":1}{") + "." + parts[2],
                parts[0] + "." + b64("{\"a\":1,\"a\":2}") + "." + parts[2],
                parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {'{', (byte) 0xff, '}'})
                        + "." + parts[2],
                parts[0] + "." + parts[1] + "." + parts[2].substring(4)));
        for (String text : bad) {
            assertThrows(VerificationException.class, () -> CompactJws.parse(text).verify(ES256.publicKey, "k"),
                    () -> "accepted " + text);
        }
    }

    @Test
    void refusesNonCanonicalBase64() {
        // "QQ" is canonical for the byte 'A'; "QR" decodes to the same byte with a stray bit set
        assertEquals("A", new String(CompactJws.base64url("QQ", "x"), StandardCharsets.US_ASCII));
        assertMessage("not canonical", () -> CompactJws.base64url("QR", "x"));
        assertMessage("bad length", () -> CompactJws.base64url("Q", "x"));
        assertMessage("not base64url (character 3)", () -> CompactJws.base64url("QQ=", "x"));
    }

    @Test
    void headerAndClaimsAreCopies() {
        CompactJws jws = CompactJws.parse(ES256.sign("t", CLAIMS));
        jws.claims().put("sub", "other");
        jws.header().put("alg", "none");
        assertEquals("payments", jws.claims().get("sub"));
        assertEquals("ES256", jws.algorithm());
        assertTrue(jws.header().containsKey("kid"));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable executable) {
        VerificationException e = assertThrows(VerificationException.class, executable);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
