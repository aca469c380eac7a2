package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignerPathTest {
    private final EngineFixture mount = new EngineFixture();

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> jwks() {
        return (List<Map<String, Object>>) mount.send(Operation.READ, "jwks", Map.of()).data().get("keys");
    }

    @Test
    void theKeyIsMadeAtFirstUseKeptAndNeverShown() {
        assertTrue(mount.storage.keys().isEmpty());
        Map<String, Object> first = mount.send(Operation.READ, "signer", Map.of()).data();
        assertEquals("EdDSA", first.get("algorithm"));
        assertTrue(((String) first.get("public_key")).startsWith("-----BEGIN PUBLIC KEY-----\n"));
        assertEquals(Set.of("signer/keys"), mount.storage.keys());
        assertEquals(first, mount.send(Operation.READ, "signer", Map.of()).data(), "the same key on every read");
        String everything = Json.write(first) + Json.write(jwks());
        assertFalse(everything.toLowerCase().contains("private"), everything);
        // The stored private key, in any of its encodings, appears in no response.
        SigningKey stored = signer(java.time.Clock.systemUTC()).current();
        byte[] pkcs8 = stored.privateKeyPkcs8();
        byte[] seed = java.util.Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
        for (String encoding : List.of(Base64.getEncoder().encodeToString(pkcs8),
                Base64.getEncoder().encodeToString(seed), Base64.getUrlEncoder().withoutPadding().encodeToString(seed),
                java.util.HexFormat.of().formatHex(seed))) {
            assertFalse(everything.contains(encoding), "private key material in a response");
        }
    }

    @Test
    void racingFirstReadsMakeOneKey() throws Exception {
        Signer signer = signer(java.time.Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> reads = java.util.Collections.nCopies(16, () -> signer.current().kid());
            Set<String> kids = new HashSet<>();
            for (Future<String> kid : pool.invokeAll(reads)) {
                kids.add(kid.get());
            }
            assertEquals(1, kids.size(), kids.toString());
            assertEquals(1, signer.versions().size());
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"EdDSA", "ES256"})
    void theJwkVerifiesWhatTheKeySignsAndItsKidIsItsThumbprint(String algorithm) throws Exception {
        mount.send(Operation.UPDATE, "config", Map.of("signing_algorithm", algorithm));
        List<Map<String, Object>> keys = jwks();
        assertEquals(1, keys.size());
        Map<String, Object> jwk = keys.getFirst();
        assertEquals(algorithm, jwk.get("alg"));
        assertEquals("sig", jwk.get("use"));
        assertEquals(mount.send(Operation.READ, "signer", Map.of()).data().get("kid"), jwk.get("kid"));

        // RFC 7638, computed here from the JWK alone.
        String canonical = algorithm.equals("EdDSA")
                ? "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + jwk.get("x") + "\"}"
                : "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + jwk.get("x") + "\",\"y\":\"" + jwk.get("y") + "\"}";
        assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8))), jwk.get("kid"));

        byte[] message = "a record".getBytes(StandardCharsets.UTF_8);
        SigningKey key = signer(java.time.Clock.systemUTC()).current();
        Signature signer = Signature.getInstance(algorithm.equals("EdDSA") ? "Ed25519" : "SHA256withECDSA");
        signer.initSign(key.privateKey());
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm.equals("EdDSA") ? "Ed25519" : "SHA256withECDSA");
        verifier.initVerify(publicKeyFromJwk(jwk));
        verifier.update(message);
        assertTrue(verifier.verify(signature), "the JWK carries the signing key's public half");
    }

    @ParameterizedTest
    @ValueSource(strings = {"EdDSA", "ES256"})
    @SuppressWarnings("unchecked")
    void rotationCountersignsTheNewKeyWithTheOldOne(String firstAlgorithm) throws Exception {
        mount.send(Operation.UPDATE, "config", Map.of("signing_algorithm", firstAlgorithm));
        Map<String, Object> old = jwks().getFirst();
        mount.send(Operation.UPDATE, "config", Map.of("signing_algorithm", "EdDSA"));

        Map<String, Object> rotated = mount.send(Operation.UPDATE, "signer/rotate", Map.of()).data();
        assertEquals("EdDSA", rotated.get("algorithm"));
        assertFalse(rotated.get("kid").equals(old.get("kid")));
        Map<String, Object> signer = mount.send(Operation.READ, "signer", Map.of()).data();
        assertEquals(rotated.get("kid"), signer.get("kid"));
        List<Map<String, Object>> versions = (List<Map<String, Object>>) signer.get("keys");
        assertEquals(2, versions.size());
        assertTrue(versions.getFirst().containsKey("retired_at"), "the old key is retired");
        List<Map<String, Object>> keys = jwks();
        assertEquals(List.of(old.get("kid"), rotated.get("kid")), keys.stream().map(k -> k.get("kid")).toList(),
                "both keys verify during verification_ttl");

        // The countersignature: a JWS by the old key, found in the JWKS alone, over the new key's JWK.
        String[] jws = ((String) rotated.get("countersignature")).split("\\.");
        Base64.Decoder url = Base64.getUrlDecoder();
        Map<String, Object> header = Json.parseObject(new String(url.decode(jws[0]), StandardCharsets.UTF_8));
        Map<String, Object> claims = Json.parseObject(new String(url.decode(jws[1]), StandardCharsets.UTF_8));
        assertEquals(Map.of("alg", firstAlgorithm, "kid", old.get("kid"), "typ", "herald-signer-rotation+jwt"), header);
        assertEquals(keys.get(1), claims.get("jwk"));
        assertEquals(old.get("kid"), claims.get("prev_kid"));
        Signature verifier = Signature.getInstance(firstAlgorithm.equals("EdDSA") ? "Ed25519" : "SHA256withECDSAinP1363Format");
        verifier.initVerify(publicKeyFromJwk(old));
        verifier.update((jws[0] + "." + jws[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(url.decode(jws[2])));
    }

    @Test
    void aRetiredKeyStopsVerifyingAfterVerificationTtl() {
        java.time.Instant t0 = java.time.Instant.parse("2026-11-24T00:00:00Z");
        signer(java.time.Clock.fixed(t0, java.time.ZoneOffset.UTC)).rotate(PublisherIdentity.operator(dev.herald.sdk.Caller.NONE));
        java.time.Duration ttl = java.time.Duration.ofHours(24); // the default verification_ttl
        Signer later = signer(java.time.Clock.fixed(t0.plus(ttl).minusSeconds(1), java.time.ZoneOffset.UTC));
        assertEquals(2, later.verifying().size());
        Signer afterwards = signer(java.time.Clock.fixed(t0.plus(ttl).plusSeconds(1), java.time.ZoneOffset.UTC));
        assertEquals(List.of(afterwards.current().kid()), afterwards.verifying().stream().map(SigningKey::kid).toList());
    }

    @Test
    void aRotationIsALeafOfTheLogWithTheNewPublicKeyAndIsAcknowledgedOnlyOnceLogged() throws Exception {
        mount.send(Operation.READ, "signer", Map.of());
        Map<String, Object> rotated = mount.send(Operation.UPDATE, "signer/rotate", Map.of()).data();
        byte[] body = mount.send(Operation.READ, "log/checkpoint", Map.of()).raw().orElseThrow().body();
        String checkpoint = new String(body, StandardCharsets.UTF_8);
        assertTrue(checkpoint.contains("\n1\n"), "a tree of one leaf: " + checkpoint);
        byte[] bundle = mount.send(Operation.READ, "log/tile/entries/000.p/1", Map.of()).raw().orElseThrow().body();
        Map<String, Object> leaf = dev.herald.sdk.json.Json.parseObject(new String(
                dev.herald.tlog.EntryBundle.decode(dev.herald.tlog.TileId.entries(0, 1), bundle).getFirst(), StandardCharsets.UTF_8));
        assertEquals("signer_rotate", leaf.get("type"));
        String kid = (String) rotated.get("kid");
        assertEquals(kid, leaf.get("fingerprint"));
        assertEquals(kid, ((Map<?, ?>) leaf.get("jwk")).get("kid"), "the new key itself is in the log");
        String everything = new String(bundle, StandardCharsets.UTF_8) + mount.storage.keys().stream()
                .filter(key -> key.startsWith("log/")).map(key -> new String(mount.storage.get(key).orElseThrow(), StandardCharsets.UTF_8))
                .reduce("", String::concat);
        assertFalse(everything.contains("\"d\""), "no private key member in the log's entries");
    }

    /** A signer of the mount's storage with its own view of time (and a log of its own, opened only by a rotation). */
    private Signer signer(java.time.Clock clock) {
        Settings settings = new Settings(mount.storage);
        return new Signer(mount.storage, settings, clock, new MountLog(mount.storage, settings, clock, key -> { }));
    }

    private static PublicKey publicKeyFromJwk(Map<String, Object> jwk) throws Exception {
        Base64.Decoder url = Base64.getUrlDecoder();
        if ("OKP".equals(jwk.get("kty"))) {
            byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
            byte[] raw = url.decode((String) jwk.get("x"));
            byte[] spki = new byte[44];
            System.arraycopy(prefix, 0, spki, 0, 12);
            System.arraycopy(raw, 0, spki, 12, 32);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        }
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        ECPoint point = new ECPoint(new BigInteger(1, url.decode((String) jwk.get("x"))),
                new BigInteger(1, url.decode((String) jwk.get("y"))));
        return KeyFactory.getInstance("EC").generatePublic(
                new ECPublicKeySpec(point, parameters.getParameterSpec(ECParameterSpec.class)));
    }
}
