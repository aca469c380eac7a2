package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWK;
import dev.herald.client.VerificationException;
import dev.herald.client.testing.TestKeys;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;

class JwkTest {
    private static final KeyPair RSA = TestKeys.rsa();

    @Test
    void parsesEachKeyTypeToTheSameKeyWithNimbussThumbprint() throws Exception {
        for (PublicKey key : new PublicKey[] {TestKeys.ed25519().getPublic(), TestKeys.p256().getPublic(),
                TestKeys.p384().getPublic(), RSA.getPublic()}) {
            Map<String, Object> members = Records.jwkOf(key);
            Jwk jwk = Jwk.parse(members);
            assertEquals(key, jwk.publicKey(), key.getAlgorithm());
            assertEquals(JWK.parse(members).computeThumbprint().toString(), jwk.thumbprint(), key.getAlgorithm());
            assertEquals(members.get("kid"), Jwk.thumbprint(key));
            assertEquals(Records.fingerprint(key), jwk.fingerprint());
            assertTrue(jwk.hasFingerprint(Records.fingerprint(key)));
            assertTrue(jwk.sameKey(key));
        }
    }

    @Test
    void rfc8037Ed25519ThumbprintVector() {
        // RFC 8037, appendix A.2 (the public key) and A.3 (its thumbprint)
        Jwk jwk = Jwk.parse(Map.of("kty", "OKP", "crv", "Ed25519", "x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"));
        assertEquals("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", jwk.thumbprint());
    }

    @Test
    void toMapRoundTripsWithKidAndAlg() {
        PublicKey key = TestKeys.p256().getPublic();
        Jwk jwk = Jwk.of(key, Jwk.thumbprint(key), "ES256");
        Map<String, Object> map = jwk.toMap();
        assertEquals("sig", map.get("use"));
        assertEquals(jwk, Jwk.parse(map));
        assertEquals("ES256", Jwk.parse(map).algorithm().orElseThrow());
    }

    @Test
    void rsaFingerprintMayHashTheEncodingWithoutNullParameters() throws Exception {
        RSAPublicKey key = (RSAPublicKey) RSA.getPublic();
        byte[] withoutNull = new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption),
                new org.bouncycastle.asn1.pkcs.RSAPublicKey(key.getModulus(), key.getPublicExponent())).getEncoded("DER");
        String fingerprint = "sha256:" + HexFormat.of().formatHex(Jwk.sha256(withoutNull));
        assertTrue(Jwk.of(key).hasFingerprint(fingerprint));
        assertFalse(Jwk.of(TestKeys.p256().getPublic()).hasFingerprint(fingerprint));
        assertFalse(Jwk.of(key).hasFingerprint(Records.fingerprint(TestKeys.ed25519().getPublic())));
    }

    @Test
    void refusesPrivateKeys() {
        Map<String, Object> members = new LinkedHashMap<>(Records.jwkOf(TestKeys.p256().getPublic()));
        members.put("d", "AAAA");
        assertMessage("private key member", members);
    }

    @Test
    void refusesAPointOffTheCurve() {
        Map<String, Object> members = new LinkedHashMap<>(Records.jwkOf(TestKeys.p256().getPublic()));
        byte[] y = Base64.getUrlDecoder().decode((String) members.get("y"));
        y[31] ^= 1;
        members.put("y", Base64.getUrlEncoder().withoutPadding().encodeToString(y));
        assertMessage("not on the curve", members);
    }

    @Test
    void refusesWrongSizesCurvesAndTypes() {
        Map<String, Object> p256 = Records.jwkOf(TestKeys.p256().getPublic());
        Map<String, Object> shortX = new LinkedHashMap<>(p256);
        shortX.put("x", ((String) p256.get("x")).substring(3));
        assertMessage("must be 32 bytes", shortX);
        Map<String, Object> p521 = new LinkedHashMap<>(p256);
        p521.put("crv", "P-521");
        assertMessage("not supported", p521);
        assertMessage("private key member (\"k\")", Map.of("kty", "oct", "k", "AAAA"));
        assertMessage("not supported", Map.of("kty", "oct"));
        assertMessage("\"x\" is 31 bytes", Map.of("kty", "OKP", "crv", "Ed25519", "x",
                Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[31])));
        assertMessage("curve \"X25519\"", Map.of("kty", "OKP", "crv", "X25519", "x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"));
        assertMessage("has no \"kty\"", Map.of("crv", "Ed25519"));
        assertMessage("not base64url", Map.of("kty", "OKP", "crv", "Ed25519", "x", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="));
        assertMessage("positive and odd", Map.of("kty", "RSA", "n", "AAAC", "e", "AQAB"));
    }

    @Test
    void refusesKeysOfOtherCurvesForThumbprints() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp521r1"));
        PublicKey p521 = generator.generateKeyPair().getPublic();
        assertThrows(VerificationException.class, () -> Jwk.thumbprint(p521));
        assertFalse(Jwk.of(TestKeys.p256().getPublic()).sameKey(p521));
    }

    @Test
    void rsaMembersAreMinimalAsRfc7518Wants() {
        RSAPublicKey key = (RSAPublicKey) RSA.getPublic();
        Map<String, Object> map = Jwk.of(key).toMap();
        assertEquals("AQAB", map.get("e"));
        byte[] n = Base64.getUrlDecoder().decode((String) map.get("n"));
        assertEquals(256, n.length);
        assertEquals(key.getModulus(), new BigInteger(1, n));
    }

    private static void assertMessage(String expected, Map<String, ?> members) {
        VerificationException e = assertThrows(VerificationException.class, () -> Jwk.parse(members));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
