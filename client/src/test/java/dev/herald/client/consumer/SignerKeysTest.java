package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.VerificationException;
import dev.herald.sdk.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SignerKeysTest {
    private static final Instant T0 = Instant.parse("2026-04-01T00:00:00Z");
    private final TestSigner first = TestSigner.ed25519();
    private final TestSigner second = TestSigner.es256();
    private final TestSigner third = TestSigner.ed25519();

    @Test
    void readsAJwkSet() {
        SignerKeys keys = SignerKeys.fromJwks(TestSigner.jwks(first, second));
        assertEquals(Set.of(first.kid(), second.kid()), keys.kids());
        assertEquals(first.publicKey, keys.key(first.kid()).orElseThrow().publicKey());
        assertEquals("ES256", keys.key(second.kid()).orElseThrow().algorithm().orElseThrow());
        assertEquals(keys, SignerKeys.fromJwks(keys.toJwks()));
        assertEquals(keys, SignerKeys.parseJwks(Json.write(keys.toJwks())));
        assertEquals(keys, SignerKeys.parseJwks(Json.write(Map.of("data", keys.toJwks()))), "a Vault answer");
    }

    @Test
    void refusesJwkSetsThatBreakTheRules() {
        assertMessage("has no keys", () -> SignerKeys.fromJwks(Map.of("keys", List.of())));
        assertMessage("has no \"keys\"", () -> SignerKeys.fromJwks(Map.of()));
        Map<String, Object> wrongKid = first.publicJwk();
        wrongKid.put("kid", second.kid());
        assertMessage("which is not its thumbprint", () -> SignerKeys.fromJwks(Map.of("keys", List.of(wrongKid))));
        Map<String, Object> noAlg = first.publicJwk();
        noAlg.remove("alg");
        assertMessage("has no \"alg\"", () -> SignerKeys.fromJwks(Map.of("keys", List.of(noAlg))));
        Map<String, Object> wrongAlg = first.publicJwk();
        wrongAlg.put("alg", "ES256");
        assertMessage("has alg ES256 but is a Ed25519 key", () -> SignerKeys.fromJwks(Map.of("keys", List.of(wrongAlg))));
        Map<String, Object> hmac = first.publicJwk();
        hmac.put("alg", "HS256");
        assertMessage("has alg \"HS256\"", () -> SignerKeys.fromJwks(Map.of("keys", List.of(hmac))));
        Map<String, Object> encryption = first.publicJwk();
        encryption.put("use", "enc");
        assertMessage("has use \"enc\"", () -> SignerKeys.fromJwks(Map.of("keys", List.of(encryption))));
        assertMessage("not a JSON object", () -> SignerKeys.parseJwks("[]"));
    }

    @Test
    void followsOneCountersignedRotation() {
        SignerKeys pinned = SignerKeys.fromJwks(TestSigner.jwks(first));
        SignerKeys followed = pinned.follow(List.of(first.signerEntry(null, T0), second.signerEntry(first, T0.plusSeconds(60))));
        assertEquals(List.of(first.kid(), second.kid()), List.copyOf(followed.kids()));
        assertEquals("ES256", followed.key(second.kid()).orElseThrow().algorithm().orElseThrow());
        assertEquals(Set.of(first.kid()), pinned.kids(), "immutable");
    }

    @Test
    void followsAChainInAnyOrder() {
        SignerKeys pinned = SignerKeys.fromJwks(TestSigner.jwks(first));
        List<Object> entries = List.of(third.signerEntry(second, T0.plusSeconds(120)),
                second.signerEntry(first, T0.plusSeconds(60)), first.signerEntry(null, T0));
        assertEquals(Set.of(first.kid(), second.kid(), third.kid()), pinned.follow(entries).kids());
    }

    @Test
    void skipsWhatNoPinnedKeyReaches() {
        // pinned: only the third key; the older ones cannot be reached from it, and need not be
        SignerKeys pinned = SignerKeys.fromJwks(TestSigner.jwks(third));
        List<Object> entries = List.of(first.signerEntry(null, T0), second.signerEntry(first, T0.plusSeconds(60)),
                third.signerEntry(second, T0.plusSeconds(120)));
        assertSame(pinned, pinned.follow(entries));
        // and a key countersigned by someone unknown is not pinned either
        TestSigner stranger = TestSigner.ed25519();
        assertSame(pinned, pinned.follow(List.of(TestSigner.es256().signerEntry(stranger, T0))));
    }

    @Test
    void refusesACountersignatureByAStrangerThatNamesAPinnedKey() {
        SignerKeys pinned = SignerKeys.fromJwks(TestSigner.jwks(first));
        TestSigner attacker = TestSigner.ed25519();
        // the attacker signs the rotation claims (prev_kid = first) with his own key, and puts first's kid in the header
        String forged = attacker.sign(new com.nimbusds.jose.JWSHeader.Builder(attacker.algorithm).keyID(first.kid())
                .type(new com.nimbusds.jose.JOSEObjectType(SignerKeys.ROTATION_TYPE)).build(),
                Json.write(second.rotationClaims(first, T0)));
        Map<String, Object> entry = second.signerEntry(null, T0);
        entry.put("countersignature", forged);
        assertMessage("signature does not verify with key " + first.kid(), () -> pinned.follow(List.of(entry)));
    }

    @Test
    void refusesCountersignaturesThatAreWrongInAnyPart() {
        SignerKeys pinned = SignerKeys.fromJwks(TestSigner.jwks(first));
        // typ
        assertMessage("has typ \"JWT\"", () -> pinned.follow(List.of(entryWith(
                first.sign("JWT", second.rotationClaims(first, T0))))));
        // header kid other than prev_kid
        Map<String, Object> otherPrev = second.rotationClaims(first, T0);
        String signedButMislabelled = first.sign(new com.nimbusds.jose.JWSHeader.Builder(first.algorithm).keyID("someone")
                .type(new com.nimbusds.jose.JOSEObjectType(SignerKeys.ROTATION_TYPE)).build(), Json.write(otherPrev));
        assertMessage("is signed with kid \"someone\" but names prev_kid", () -> pinned.follow(List.of(entryWith(signedButMislabelled))));
        // sub
        Map<String, Object> wrongSub = second.rotationClaims(first, T0);
        wrongSub.put("sub", "payments");
        assertMessage("has sub \"payments\"", () -> pinned.follow(List.of(entryWith(first.sign(SignerKeys.ROTATION_TYPE, wrongSub)))));
        // no iat
        Map<String, Object> noIat = second.rotationClaims(first, T0);
        noIat.remove("iat");
        assertMessage("has no \"iat\"", () -> pinned.follow(List.of(entryWith(first.sign(SignerKeys.ROTATION_TYPE, noIat)))));
        // a JWK that is not the entry's key: the pinned key vouched for another key than the one listed
        Map<String, Object> otherJwk = second.rotationClaims(first, T0);
        otherJwk.put("jwk", third.publicJwk());
        assertMessage("vouches for kid \"" + third.kid() + "\", not for \"" + second.kid() + "\"",
                () -> pinned.follow(List.of(entryWith(first.sign(SignerKeys.ROTATION_TYPE, otherJwk)))));
        // a JWK whose kid is not its thumbprint
        Map<String, Object> badKid = second.rotationClaims(first, T0);
        Map<String, Object> jwk = new LinkedHashMap<>(second.publicJwk());
        jwk.put("kid", third.kid());
        badKid.put("jwk", jwk);
        assertMessage("which is not its thumbprint", () -> pinned.follow(List.of(entryWith(first.sign(SignerKeys.ROTATION_TYPE, badKid)))));
        // the payload tampered after signing
        String good = first.sign(SignerKeys.ROTATION_TYPE, second.rotationClaims(first, T0));
        String[] parts = good.split("\\.");
        Map<String, Object> swapped = second.rotationClaims(first, T0);
        swapped.put("iat", T0.getEpochSecond() + 1);
        String tampered = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(Json.write(swapped).getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
        assertMessage("does not verify", () -> pinned.follow(List.of(entryWith(tampered))));
        // not a JWS at all
        assertMessage("compact form", () -> pinned.follow(List.of(entryWith("not-a-jws"))));
    }

    private Map<String, Object> entryWith(String countersignature) {
        Map<String, Object> entry = second.signerEntry(null, T0);
        entry.put("countersignature", countersignature);
        return entry;
    }

    @Test
    void plusIsTheUnion() {
        SignerKeys a = SignerKeys.fromJwks(TestSigner.jwks(first));
        SignerKeys b = SignerKeys.fromJwks(TestSigner.jwks(second, first));
        assertEquals(List.of(first.kid(), second.kid()), new ArrayList<>(a.plus(b).kids()));
        assertSame(b, b.plus(a));
        Map<String, Object> relabelled = first.publicJwk();
        relabelled.put("alg", "EdDSA");
        relabelled.remove("use");
        // same key and kid, but listed without use: the JWK value is equal, so no conflict
        assertEquals(a, a.plus(SignerKeys.fromJwks(Map.of("keys", List.of(relabelled)))));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable executable) {
        VerificationException e = assertThrows(VerificationException.class, executable);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
