package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import dev.herald.client.VerificationException;
import dev.herald.client.testing.TestKeys;
import dev.herald.sdk.json.Json;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordVerifierTest {
    private static final TestSigner SIGNER = TestSigner.ed25519();
    private static final SignerKeys KEYS = SignerKeys.fromJwks(TestSigner.jwks(SIGNER));
    private static final PublicKey WEB1 = TestKeys.ed25519().getPublic();
    private static final PublicKey WEB2 = TestKeys.p256().getPublic();
    private static final PublicKey WEB2_NEXT = TestKeys.p384().getPublic();
    private static final Clock CLOCK = Clock.fixed(Records.NOW.plusSeconds(10), ZoneOffset.UTC);

    private static RecordVerifier.Builder forService() {
        return RecordVerifier.builder().issuer("herald/").service("payments").clock(CLOCK);
    }

    private static Map<String, Object> serviceClaims() {
        return Records.claims("payments", "service", 12, Records.instance("web-1", 1, WEB1), Records.instance("web-2", 2, WEB2));
    }

    private static String sign(Map<String, Object> claims) {
        return SIGNER.sign(DiscoveryRecord.TYPE, claims);
    }

    @Test
    void verifiesAServiceRecord() {
        String compact = sign(serviceClaims());
        DiscoveryRecord record = forService().build().verify(compact, KEYS);
        assertEquals("herald/", record.issuer());
        assertEquals("payments", record.service());
        assertEquals(DiscoveryRecord.Scope.SERVICE, record.scope());
        assertEquals(12, record.seq());
        assertEquals(SIGNER.kid(), record.kid());
        assertEquals(Records.NOW, record.issuedAt());
        assertEquals(Records.NOW.plusSeconds(300), record.expiresAt());
        assertEquals(List.of(WEB1, WEB2), record.publicKeys());
        Instance web2 = record.instances().get(1);
        assertEquals("web-2", web2.name());
        assertEquals(2, web2.generation());
        assertEquals(Records.fingerprint(WEB2), web2.fingerprint());
        assertEquals(List.of("web-2.payments.svc:8443"), web2.endpoints());
        assertEquals(List.of("10.0.0.7"), web2.ipAddresses());
        assertEquals(List.of("web-2.payments.svc"), web2.dnsNames());
        assertEquals(Map.of("zone", "a"), web2.metadata());
        assertEquals(Records.NOW.plusSeconds(86400), web2.notAfter());
        assertEquals(compact, record.compact());
        assertEquals(compact, record.toJson().get("record"));
        assertEquals(12L, record.toJson().get("seq"));
        assertFalse(record.toString().contains(compact.substring(0, 20)), "no JWT in toString");
    }

    @Test
    void verifiesRecordsOfEveryAlgorithmAndKeyType() {
        for (TestSigner signer : List.of(TestSigner.es256(), TestSigner.es384())) {
            DiscoveryRecord record = forService().build().verify(signer.sign(DiscoveryRecord.TYPE, serviceClaims()),
                    SignerKeys.fromJwks(TestSigner.jwks(signer)));
            assertEquals(signer.kid(), record.kid());
        }
    }

    @Test
    void verifiesAnInstanceRecordAlsoDuringRotation() {
        RecordVerifier verifier = forService().instance("web-2").build();
        DiscoveryRecord one = verifier.verify(sign(Records.claims("payments", "instance", 12, Records.instance("web-2", 2, WEB2))), KEYS);
        assertEquals(DiscoveryRecord.Scope.INSTANCE, one.scope());
        // both generations listed while the old key's overlap lasts
        DiscoveryRecord both = verifier.verify(sign(Records.claims("payments", "instance", 13, Records.instance("web-2", 2, WEB2),
                Records.instance("web-2", 3, WEB2_NEXT))), KEYS);
        assertEquals(List.of(WEB2, WEB2_NEXT), both.publicKeys());
    }

    @Test
    void refusesTheWrongScopeEitherWay() {
        String service = sign(serviceClaims());
        String instance = sign(Records.claims("payments", "instance", 12, Records.instance("web-2", 2, WEB2)));
        assertMessage("record scope is \"service\", expected \"instance\" (asked for instance \"web-2\")",
                () -> forService().instance("web-2").build().verify(service, KEYS));
        assertMessage("record scope is \"instance\", expected \"service\" (asked for the whole service)",
                () -> forService().build().verify(instance, KEYS));
        assertMessage("lists instance \"web-2\", expected only \"web-1\"",
                () -> forService().instance("web-1").build().verify(instance, KEYS));
        String mixed = sign(Records.claims("payments", "instance", 12, Records.instance("web-2", 2, WEB2),
                Records.instance("web-1", 1, WEB1)));
        assertMessage("lists instance \"web-1\", expected only \"web-2\"",
                () -> forService().instance("web-2").build().verify(mixed, KEYS));
        Map<String, Object> unknown = serviceClaims();
        unknown.put("scope", "everything");
        assertMessage("record scope \"everything\" is unknown", () -> forService().build().verify(sign(unknown), KEYS));
    }

    @Test
    void refusesTheWrongIssuerOrService() {
        assertMessage("record iss is \"herald/\", expected \"other/\"",
                () -> RecordVerifier.builder().issuer("other/").service("payments").clock(CLOCK).build()
                        .verify(sign(serviceClaims()), KEYS));
        assertMessage("record sub is \"payments\", expected service \"orders\"",
                () -> RecordVerifier.builder().issuer("herald/").service("orders").clock(CLOCK).build()
                        .verify(sign(serviceClaims()), KEYS));
    }

    @Test
    void refusesAnExpiredRecordAndOneFromTheFuture() {
        String compact = sign(serviceClaims());
        Clock atExp = Clock.fixed(Records.NOW.plusSeconds(300), ZoneOffset.UTC);
        assertMessage("record expired at 2026-05-01T12:05:00Z (now 2026-05-01T12:05:00Z)",
                () -> forService().clock(atExp).build().verify(compact, KEYS));
        Clock before = Clock.fixed(Records.NOW.minusSeconds(61), ZoneOffset.UTC);
        assertMessage("is in the future (now 2026-05-01T11:58:59Z, allowed skew 60s)",
                () -> forService().clock(before).build().verify(compact, KEYS));
        Clock withinSkew = Clock.fixed(Records.NOW.minusSeconds(60), ZoneOffset.UTC);
        forService().clock(withinSkew).build().verify(compact, KEYS);
        assertMessage("in the future", () -> forService().clock(withinSkew).clockSkew(Duration.ofSeconds(59)).build()
                .verify(compact, KEYS));
    }

    @Test
    void refusesAHeaderOfAnotherTypeOrAKeyNotPinned() {
        assertMessage("record typ is \"JWT\", expected herald-record+jwt",
                () -> forService().build().verify(SIGNER.sign("JWT", serviceClaims()), KEYS));
        // a continuity-style countersignature is not a record either
        assertMessage("expected herald-record+jwt",
                () -> forService().build().verify(SIGNER.sign(SignerKeys.ROTATION_TYPE, serviceClaims()), KEYS));
        TestSigner stranger = TestSigner.ed25519();
        assertMessage("signed by kid \"" + stranger.kid() + "\", which is not a pinned signer key (pinned: " + SIGNER.kid() + ")",
                () -> forService().build().verify(stranger.sign(DiscoveryRecord.TYPE, serviceClaims()), KEYS));
        // the stranger claims the pinned kid: the signature gives him away
        String claimsKid = stranger.sign(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(SIGNER.kid())
                .type(new com.nimbusds.jose.JOSEObjectType(DiscoveryRecord.TYPE)).build(), Json.write(serviceClaims()));
        assertMessage("signature does not verify with key " + SIGNER.kid(), () -> forService().build().verify(claimsKid, KEYS));
        String noKid = SIGNER.sign(new JWSHeader.Builder(JWSAlgorithm.EdDSA)
                .type(new com.nimbusds.jose.JOSEObjectType(DiscoveryRecord.TYPE)).build(), Json.write(serviceClaims()));
        assertMessage("record header has no kid", () -> forService().build().verify(noKid, KEYS));
    }

    @Test
    void refusesAnAlgorithmThePinnedKeyIsNotListedFor() {
        TestSigner es256 = TestSigner.es256();
        Map<String, Object> listedAsEs384 = es256.publicJwk();
        // a P-256 key listed with alg ES384 is refused when the set is read ...
        listedAsEs384.put("alg", "ES384");
        assertThrows(VerificationException.class, () -> SignerKeys.fromJwks(Map.of("keys", List.of(listedAsEs384))));
        // ... and a record whose header names another alg than the pinned key's is refused before any signature check
        String ed = SIGNER.sign(DiscoveryRecord.TYPE, serviceClaims());
        String swapped = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"alg\":\"ES256\",\"kid\":\"" + SIGNER.kid() + "\",\"typ\":\"" + DiscoveryRecord.TYPE + "\"}").getBytes())
                + ed.substring(ed.indexOf('.'));
        assertMessage("record has alg \"ES256\" but key " + SIGNER.kid() + " is an EdDSA key",
                () -> forService().build().verify(swapped, KEYS));
    }

    @Test
    void refusesAnInstanceWhoseKeyDoesNotMatchItsFingerprint() {
        Map<String, Object> web1 = Records.instance("web-1", 1, WEB1);
        web1.put("fingerprint", Records.fingerprint(WEB2));
        assertMessage("record instance \"web-1\": its jwk does not match its fingerprint",
                () -> forService().build().verify(sign(Records.claims("payments", "service", 1, web1)), KEYS));
        Map<String, Object> wrongKid = Records.instance("web-1", 1, WEB1);
        Map<String, Object> jwk = new LinkedHashMap<>(Records.jwkOf(WEB1));
        jwk.put("kid", Jwk.thumbprint(WEB2));
        wrongKid.put("jwk", jwk);
        assertMessage("which is not the key's thumbprint",
                () -> forService().build().verify(sign(Records.claims("payments", "service", 1, wrongKid)), KEYS));
    }

    @Test
    void refusesMissingOrMistypedClaims() {
        for (String claim : List.of("iss", "sub", "scope", "exp", "iat", "seq", "instances")) {
            Map<String, Object> claims = serviceClaims();
            claims.remove(claim);
            assertMessage("record has no \"" + claim + "\"", () -> forService().build().verify(sign(claims), KEYS));
        }
        Map<String, Object> stringSeq = serviceClaims();
        stringSeq.put("seq", "12");
        assertMessage("record member \"seq\" is not an integer", () -> forService().build().verify(sign(stringSeq), KEYS));
        Map<String, Object> fractionalExp = serviceClaims();
        fractionalExp.put("exp", new java.math.BigDecimal("1777637100.5"));
        assertMessage("record member \"exp\" is not an integer", () -> forService().build().verify(sign(fractionalExp), KEYS));
        Map<String, Object> negative = serviceClaims();
        negative.put("seq", -1L);
        assertMessage("seq -1 is negative", () -> forService().build().verify(sign(negative), KEYS));
        Map<String, Object> generationZero = Records.instance("web-1", 0, WEB1);
        assertMessage("generation 0 is not positive",
                () -> forService().build().verify(sign(Records.claims("payments", "service", 1, generationZero)), KEYS));
        Map<String, Object> badEndpoints = Records.instance("web-1", 1, WEB1);
        badEndpoints.put("endpoints", List.of(1L));
        assertMessage("record instance \"web-1\" member \"endpoints\" is not a list of strings",
                () -> forService().build().verify(sign(Records.claims("payments", "service", 1, badEndpoints)), KEYS));
    }

    @Test
    void anyServiceTakesTheRecordsOwnSubAndScope() {
        RecordVerifier any = RecordVerifier.builder().issuer("herald/").anyService().clock(CLOCK).build();
        assertEquals("payments", any.verify(sign(serviceClaims()), KEYS).service());
        DiscoveryRecord instance = any.verify(sign(Records.claims("orders", "instance", 3, Records.instance("o-1", 1, WEB1))), KEYS);
        assertEquals(DiscoveryRecord.Scope.INSTANCE, instance.scope());
        assertThrows(VerificationException.class, () -> any.verify(sign(Records.claims("orders", "instance", 3,
                Records.instance("o-1", 1, WEB1), Records.instance("o-2", 1, WEB2))), KEYS));
        assertThrows(IllegalArgumentException.class, () -> RecordVerifier.builder().issuer("herald/").build());
    }

    @Test
    void messagesQuoteHostileTextSafely() {
        Map<String, Object> claims = serviceClaims();
        claims.put("sub", "evil\nFAKE LOG LINE \u001b[31m");
        VerificationException e = assertThrows(VerificationException.class, () -> forService().build().verify(sign(claims), KEYS));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("evil\\u000aFAKE LOG LINE \\u001b[31m"), e.getMessage());
    }

    @Test
    void defaultIssuerIsTheMountPathWithItsSlash() {
        assertEquals("herald/", RecordVerifier.defaultIssuer("herald"));
        assertEquals("teams/herald/", RecordVerifier.defaultIssuer("/teams/herald/"));
    }

    @Test
    void aPageListsItsInstancesByNameAfterItsCursor() {
        RecordVerifier verifier = forService().build();
        Map<String, Object> web1 = Records.instance("web-1", 1, WEB1);
        Map<String, Object> web2 = Records.instance("web-2", 2, WEB2);
        Map<String, Object> web2Next = Records.instance("web-2", 3, WEB2_NEXT);
        DiscoveryRecord page = verifier.verifyPage(sign(Records.page("payments", 12, "", "web-2", 3, List.of(web1, web2, web2Next))),
                KEYS, "");
        assertEquals(new DiscoveryRecord.Page("", "web-2", 3), page.page().orElseThrow());
        assertEquals(List.of(WEB1, WEB2, WEB2_NEXT), page.publicKeys(), "both generations of an instance in rotation");
        assertTrue(verifier.verifyPage(sign(Records.page("payments", 12, "web-9", "", 3, List.of())), KEYS, "web-9")
                .instances().isEmpty(), "a page past the last live instance is empty");

        assertMessage("lists instance \"web-1\" out of order (after \"web-2\")", () -> verifier.verifyPage(
                sign(Records.page("payments", 12, "", "", 2, List.of(web2, web1))), KEYS, ""));
        assertMessage("lists instance \"web-1\" out of order (after \"web-1\")", () -> verifier.verifyPage(
                sign(Records.page("payments", 12, "web-1", "", 2, List.of(web1))), KEYS, "web-1"));
        assertMessage("has next \"web-2\", which is not the last instance it lists", () -> verifier.verifyPage(
                sign(Records.page("payments", 12, "web-2", "web-2", 2, List.of())), KEYS, "web-2"));
        assertMessage("lists 2 instances but says the service has 1", () -> verifier.verifyPage(
                sign(Records.page("payments", 12, "", "", 1, List.of(web1, web2))), KEYS, ""));
        assertMessage("record has no \"total\"", () -> {
            Map<String, Object> claims = Records.page("payments", 12, "", "", 1, List.of(web1));
            claims.remove("total");
            verifier.verifyPage(sign(claims), KEYS, "");
        });
        assertThrows(IllegalStateException.class, () -> forService().instance("web-1").build().verifyPage("a.b.c", KEYS, ""));
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable executable) {
        VerificationException e = assertThrows(VerificationException.class, executable);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
