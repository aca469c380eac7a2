package dev.herald.engine;

import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PublisherKeysTest {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_DECODE = Base64.getUrlDecoder();
    private static final List<String> ALL_TYPES = List.of("ed25519", "ec-p256", "ec-p384", "rsa");

    private static final KeyPair ED25519 = generate("Ed25519", null);
    private static final KeyPair P256 = generate("EC", "secp256r1");
    private static final KeyPair P384 = generate("EC", "secp384r1");
    private static final KeyPair RSA2048 = generate("RSA", 2048);
    private static final KeyPair RSA3072 = generate("RSA", 3072);
    private static final KeyPair OTHER_ED25519 = generate("Ed25519", null);

    /** A key the engine accepts, with what it should come out as. */
    record Case(String type, KeyPair keys, String signatureAlgorithm, int bits) {
        @Override
        public String toString() {
            return type + "/" + bits;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(new Case("ed25519", ED25519, "Ed25519", 256),
                new Case("ec-p256", P256, "SHA256withECDSA", 256),
                new Case("ec-p384", P384, "SHA384withECDSA", 384),
                new Case("rsa", RSA2048, "SHA256withRSA", 2048),
                new Case("rsa", RSA3072, "SHA256withRSA", 3072));
    }

    // --- the three forms, round trips ---

    @ParameterizedTest
    @MethodSource("cases")
    void eachFormGivesTheSameCheckedKey(Case c) throws Exception {
        PublicKey publicKey = c.keys().getPublic();
        PublisherKey fromCsr = PublisherKeys.fromCsr(csr(c.keys(), c.signatureAlgorithm()));
        PublisherKey fromCertificate = PublisherKeys.fromCertificate(certificate(c.keys(), c.keys(), c.signatureAlgorithm()));
        PublisherKey fromPublicKey = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", publicKey.getEncoded()));

        for (PublisherKey key : List.of(fromCsr, fromCertificate, fromPublicKey)) {
            assertEquals(c.type(), key.type());
            assertArrayEquals(publicKey.getEncoded(), key.spki());
            assertArrayEquals(publicKey.getEncoded(), key.publicKey().getEncoded());
            assertEquals("sha256:" + HexFormat.of().formatHex(sha256(publicKey.getEncoded())), key.fingerprint());
            assertEquals(c.bits(), key.bits());
            assertEquals(Jwk.thumbprint(publicKey), key.jwk().get("kid"));
            assertEquals(key.jwk(), fromPublicKey.jwk(), "the JWK and its thumbprint do not depend on the form");
            assertEquals(fromPublicKey, PublisherKeys.fromPublicKey(key.publicKeyPem()));
            assertTrue(key.toString().contains(key.fingerprint()));
        }
        assertEquals(fromCsr, fromPublicKey);
        assertEquals(fromCsr.hashCode(), fromPublicKey.hashCode());
        assertNull(fromCsr.certificatePem());
        assertNotNull(fromCertificate.certificatePem());
        assertEquals(fromCertificate, PublisherKeys.fromCertificate(fromCertificate.certificatePem()),
                "the normalised certificate PEM parses back to the same key");
        assertArrayEquals(publicKey.getEncoded(), fromJwk(fromCsr.jwk()).getEncoded(), "the JWK rebuilds the key");
        assertEquals(thumbprintOf(fromCsr.jwk()), fromCsr.jwk().get("kid"));
    }

    @Test
    void jwkMembersFollowRfc7518And8037() {
        Map<String, Object> ed = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", ED25519.getPublic().getEncoded())).jwk();
        assertEquals(List.of("crv", "kty", "x", "kid"), List.copyOf(ed.keySet()));
        assertEquals("OKP", ed.get("kty"));
        assertEquals("Ed25519", ed.get("crv"));
        assertEquals(32, B64URL_DECODE.decode((String) ed.get("x")).length);

        Map<String, Object> p384 = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", P384.getPublic().getEncoded())).jwk();
        assertEquals(List.of("crv", "kty", "x", "y", "kid"), List.copyOf(p384.keySet()));
        assertEquals("P-384", p384.get("crv"));
        assertEquals(48, B64URL_DECODE.decode((String) p384.get("x")).length, "fixed-length coordinates");
        assertEquals(48, B64URL_DECODE.decode((String) p384.get("y")).length);

        Map<String, Object> rsa = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", RSA2048.getPublic().getEncoded())).jwk();
        assertEquals(List.of("e", "kty", "n", "kid"), List.copyOf(rsa.keySet()));
        assertEquals("AQAB", rsa.get("e"));
        byte[] n = B64URL_DECODE.decode((String) rsa.get("n"));
        assertEquals(256, n.length, "no leading zero byte");
        assertTrue(n[0] != 0);
    }

    @Test
    void spkiIsCopiedInAndOut() {
        byte[] spki = ED25519.getPublic().getEncoded();
        PublisherKey key = new PublisherKey("ed25519", spki, null);
        spki[20] ^= 1;
        key.spki()[21] ^= 1;
        assertArrayEquals(ED25519.getPublic().getEncoded(), key.spki());
    }

    // --- proofs of possession ---

    @ParameterizedTest
    @MethodSource("cases")
    void aCsrWithATamperedSignatureIsRefused(Case c) throws Exception {
        byte[] der = derOf(csr(c.keys(), c.signatureAlgorithm()));
        der[der.length - 1] ^= 1; // the last byte belongs to the signature
        VaultException e = assertThrows(VaultException.class, () -> PublisherKeys.fromCsr(pem("CERTIFICATE REQUEST", der)));
        assertEquals(400, e.status());
        assertEquals("invalid csr: the request's signature does not verify with its own key", e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aCertificateSignedByAnotherKeyIsRefused(Case c) throws Exception {
        KeyPair other = switch (c.type()) {
            case "ed25519" -> OTHER_ED25519;
            case "ec-p256" -> generate("EC", "secp256r1");
            case "ec-p384" -> generate("EC", "secp384r1");
            default -> c.keys() == RSA2048 ? RSA3072 : RSA2048;
        };
        VaultException e = assertThrows(VaultException.class,
                () -> PublisherKeys.fromCertificate(certificate(c.keys(), other, c.signatureAlgorithm())));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("invalid certificate: it is not self-signed"), e.getMessage());
    }

    @Test
    void aCsrSignedWithRsaPssIsAccepted() throws Exception {
        // BC's JCA signer wants its own provider for PSS, so sign with the JDK's behind BC's interface
        ByteArrayOutputStream signed = new ByteArrayOutputStream();
        ContentSigner pss = new ContentSigner() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withRSAandMGF1");
            }

            @Override
            public java.io.OutputStream getOutputStream() {
                return signed;
            }

            @Override
            public byte[] getSignature() {
                try {
                    return signPss(RSA2048.getPrivate(), signed.toByteArray());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=pss"), RSA2048.getPublic()).build(pss).getEncoded();
        assertEquals("rsa", PublisherKeys.fromCsr(pem("CERTIFICATE REQUEST", der)).type());
        der[der.length - 1] ^= 1;
        assertBadRequest("invalid csr: the request's signature does not verify",
                () -> PublisherKeys.fromCsr(pem("CERTIFICATE REQUEST", der)));
    }

    // --- key checks ---

    @Test
    void anOffCurveP256PointIsRefused() {
        byte[] spki = P256.getPublic().getEncoded();
        spki[spki.length - 1] ^= 1; // y changes, x stays: no longer on the curve
        assertBadRequest("invalid public_key: the EC point is not on the curve", () -> publicKey(spki));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "0100000000000000000000000000000000000000000000000000000000000000", // the identity
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // (0, -1), of order 2
            "0000000000000000000000000000000000000000000000000000000000000080", // order 4
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"}) // order 8
    void smallOrderEd25519PointsAreRefused(String hex) {
        assertBadRequest("invalid public_key: the Ed25519 key is not a valid point of prime order",
                () -> publicKey(ed25519Spki(HexFormat.of().parseHex(hex))));
    }

    @Test
    void rsaExponentThreeIsRefused() {
        BigInteger n = ((RSAPublicKey) RSA2048.getPublic()).getModulus();
        assertBadRequest("invalid public_key: the RSA public exponent must be odd, at least 65537 and below 2^256",
                () -> publicKey(rsaSpki(n, BigInteger.valueOf(3))));
    }

    @Test
    void rsa1024IsParsedButRefusedByTheRole() {
        PublisherKey key = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", generate("RSA", 1024).getPublic().getEncoded()));
        assertEquals(1024, key.bits());
        assertBadRequest("RSA key of 1024 bits is shorter than the role's min_rsa_bits (2048)",
                () -> PublisherKeys.requireAllowed(key, ALL_TYPES, 2048, "web"));
        assertDoesNotThrow(() -> PublisherKeys.requireAllowed(key, ALL_TYPES, 1024, "web"));
    }

    @Test
    void keyTypesOutsideTheRoleAreRefused() {
        PublisherKey rsa = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", RSA2048.getPublic().getEncoded()));
        assertBadRequest("key type rsa is not allowed by role web (allowed: ed25519, ec-p256)",
                () -> PublisherKeys.requireAllowed(rsa, List.of("ed25519", "ec-p256"), 2048, "web"));
        PublisherKey ed = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", ED25519.getPublic().getEncoded()));
        assertDoesNotThrow(() -> PublisherKeys.requireAllowed(ed, List.of("ed25519"), 4096, "web"));
    }

    @Test
    void otherAlgorithmsAreRefusedByName() {
        assertBadRequest("invalid public_key: unsupported EC curve secp256k1 (supported: P-256, P-384)",
                () -> publicKey(ecSpki("secp256k1", SECObjectIdentifiers.secp256k1)));
        assertBadRequest("invalid public_key: unsupported EC curve secp521r1 (supported: P-256, P-384)",
                () -> publicKey(generate("EC", "secp521r1").getPublic().getEncoded()));
        assertBadRequest("invalid public_key: unsupported key algorithm DSA (supported: ed25519, ec-p256, ec-p384, rsa)",
                () -> publicKey(generate("DSA", 2048).getPublic().getEncoded()));
        assertBadRequest("invalid csr: unsupported key algorithm Ed448",
                () -> PublisherKeys.fromCsr(csr(generate("Ed448", null), "Ed448")));
    }

    @Test
    void aPrivateKeyIsRefusedByName() {
        for (KeyPair keys : List.of(ED25519, P256, RSA2048)) {
            assertBadRequest("invalid public_key: this is a private key: publish only the public key",
                    () -> PublisherKeys.fromPublicKey(pem("PRIVATE KEY", keys.getPrivate().getEncoded())));
        }
        assertBadRequest("invalid csr: this is a private key",
                () -> PublisherKeys.fromCsr(pem("EC PRIVATE KEY", new byte[] {0x30, 0})));
    }

    @Test
    void messagesNeverEchoMuchInput() {
        String label = "X".repeat(5000);
        VaultException e = assertThrows(VaultException.class,
                () -> PublisherKeys.fromPublicKey("-----BEGIN " + label + "-----\nAAAA\n-----END " + label + "-----\n"));
        assertTrue(e.getMessage().length() < 120, e.getMessage());
    }

    @Test
    void deeplyNestedDerIsA400() {
        byte[] der = {0x05, 0x00};
        for (int i = 0; i < 11000; i++) {
            der = tlv(0x30, der);
        }
        String pem = pem("PUBLIC KEY", der);
        assertTrue(pem.length() < PublisherKeys.MAX_PEM_CHARS);
        assertBadRequest("invalid public_key: ", () -> PublisherKeys.fromPublicKey(pem));
    }

    // --- continuity ---

    @ParameterizedTest
    @MethodSource("cases")
    void continuityVerifiesInEveryAcceptedEncoding(Case c) throws Exception {
        PublisherKey current = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", c.keys().getPublic().getEncoded()));
        PublisherKey next = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", OTHER_ED25519.getPublic().getEncoded()));
        ContinuityMessage handover = new ContinuityMessage("herald/", "web", "pod-1", 3, next.fingerprint());
        byte[] message = handover.bytes();
        List<byte[]> signatures = switch (c.type()) {
            case "ed25519" -> List.of(sign("Ed25519", c.keys().getPrivate(), message));
            case "ec-p256" -> List.of(sign("SHA256withECDSA", c.keys().getPrivate(), message),
                    sign("SHA256withECDSAinP1363Format", c.keys().getPrivate(), message));
            case "ec-p384" -> List.of(sign("SHA384withECDSA", c.keys().getPrivate(), message),
                    sign("SHA384withECDSAinP1363Format", c.keys().getPrivate(), message));
            default -> List.of(sign("SHA256withRSA", c.keys().getPrivate(), message), signPss(c.keys().getPrivate(), message));
        };
        for (byte[] signature : signatures) {
            assertDoesNotThrow(() -> PublisherKeys.verifyContinuity(current, handover, B64URL.encodeToString(signature)));
            assertDoesNotThrow(() -> PublisherKeys.verifyContinuity(current, handover, Base64.getUrlEncoder().encodeToString(signature)));
            assertDoesNotThrow(() -> PublisherKeys.verifyContinuity(current, handover, Base64.getEncoder().encodeToString(signature)));
        }
        // The same signature is worth nothing for any other mount, service, instance, generation or key,
        // nor as the bare SHA-256 of the new SPKI (the message before it was bound to its context).
        String signed = B64URL.encodeToString(signatures.getFirst());
        for (ContinuityMessage elsewhere : List.of(
                new ContinuityMessage("other/", "web", "pod-1", 3, next.fingerprint()),
                new ContinuityMessage("herald/", "api", "pod-1", 3, next.fingerprint()),
                new ContinuityMessage("herald/", "web", "pod-2", 3, next.fingerprint()),
                new ContinuityMessage("herald/", "web", "pod-1", 2, next.fingerprint()),
                new ContinuityMessage("herald/", "web", "pod-1", 3, current.fingerprint()))) {
            assertBadRequest("invalid continuity: the signature does not verify with the current " + c.type() + " key",
                    () -> PublisherKeys.verifyContinuity(current, elsewhere, signed));
        }
        String bareHash = B64URL.encodeToString(sign(signatures.size() == 1 ? "Ed25519"
                : c.type().equals("rsa") ? "SHA256withRSA" : c.signatureAlgorithm(), c.keys().getPrivate(), sha256(next.spki())));
        assertBadRequest("invalid continuity: the signature does not verify with the current " + c.type() + " key",
                () -> PublisherKeys.verifyContinuity(current, handover, bareHash));
        // by the wrong key: the new key signing its own handover
        String wrongKey = B64URL.encodeToString(sign("Ed25519", OTHER_ED25519.getPrivate(), message));
        assertBadRequest("invalid continuity: the signature does not verify",
                () -> PublisherKeys.verifyContinuity(current, handover, wrongKey));
    }

    @Test
    void continuityThatDoesNotDecodeIsA400() {
        PublisherKey current = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", P256.getPublic().getEncoded()));
        PublisherKey newKey = PublisherKeys.fromPublicKey(pem("PUBLIC KEY", ED25519.getPublic().getEncoded()));
        ContinuityMessage next = new ContinuityMessage("herald/", "web", "pod-1", 1, newKey.fingerprint());
        assertBadRequest("invalid continuity: empty", () -> PublisherKeys.verifyContinuity(current, next, null));
        assertBadRequest("invalid continuity: empty", () -> PublisherKeys.verifyContinuity(current, next, " "));
        assertBadRequest("invalid continuity: not base64url", () -> PublisherKeys.verifyContinuity(current, next, "!!!!"));
        assertBadRequest("invalid continuity: not base64url", () -> PublisherKeys.verifyContinuity(current, next, "A"));
        assertBadRequest("invalid continuity: longer than", () -> PublisherKeys.verifyContinuity(current, next, "A".repeat(5000)));
        assertBadRequest("invalid continuity: the signature does not verify",
                () -> PublisherKeys.verifyContinuity(current, next, "AAAA"));
    }

    // --- table of bad inputs ---

    static Stream<Arguments> badInputs() throws Exception {
        String spki = pem("PUBLIC KEY", ED25519.getPublic().getEncoded());
        String cert = certificate(P256, P256, "SHA256withECDSA");
        BigInteger n = ((RSAPublicKey) RSA2048.getPublic()).getModulus();
        byte[] p256 = P256.getPublic().getEncoded();
        byte[] p256Point = Arrays.copyOfRange(p256, p256.length - 65, p256.length);
        byte[] compressed = Arrays.copyOf(p256Point, 33);
        compressed[0] = (byte) (2 + (p256Point[64] & 1));
        byte[] xTooLarge = p256Point.clone();
        System.arraycopy(ECNamedCurveTable.getByName("secp256r1").getCurve().getField().getCharacteristic().toByteArray(), 1,
                xTooLarge, 1, 32);
        byte[] edRaw = Arrays.copyOfRange(ED25519.getPublic().getEncoded(), 12, 44);
        byte[] berLength = ED25519.getPublic().getEncoded();
        byte[] ber = new byte[berLength.length + 1];
        ber[0] = 0x30;
        ber[1] = (byte) 0x81; // the length 42 in long form: valid BER, not DER
        System.arraycopy(berLength, 1, ber, 2, berLength.length - 1);
        return Stream.of(
                Arguments.of("public_key", null, "invalid public_key: empty"),
                Arguments.of("public_key", "", "invalid public_key: empty"),
                Arguments.of("csr", " \n\t", "invalid csr: empty"),
                Arguments.of("public_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI me@host", "not PEM (no -----BEGIN line)"),
                Arguments.of("public_key", "-----BEGIN PUBLIC KEY-----\n" + "A".repeat(70_000) + "\n-----END PUBLIC KEY-----",
                        "invalid public_key: longer than 65536 characters"),
                Arguments.of("public_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----",
                        "this is a private key: publish only the public key"),
                Arguments.of("certificate", pem("ENCRYPTED PRIVATE KEY", new byte[] {0x30, 0}), "invalid certificate: this is a private key"),
                Arguments.of("public_key", cert, "invalid public_key: expected a PEM block labelled PUBLIC KEY, got CERTIFICATE"),
                Arguments.of("csr", spki, "invalid csr: expected a PEM block labelled CERTIFICATE REQUEST, got PUBLIC KEY"),
                Arguments.of("public_key", pem("RSA PUBLIC KEY", new byte[] {0x30, 0}), "got RSA PUBLIC KEY"),
                Arguments.of("public_key", "-----BEGIN PUBLIC KEY-----\n@@@@ not base64 @@@@\n-----END PUBLIC KEY-----",
                        "the PEM body is not valid base64"),
                Arguments.of("public_key", pem("PUBLIC KEY", "hello".getBytes(StandardCharsets.UTF_8)), "the PEM body is not valid DER"),
                Arguments.of("public_key", pem("PUBLIC KEY", new byte[0]), "the PEM block is empty"),
                Arguments.of("certificate", cert + cert, "invalid certificate: more than one PEM block"),
                Arguments.of("certificate", cert + "junk", "invalid certificate: text after the PEM block"),
                Arguments.of("public_key", "key:\n" + spki, "text before the PEM block"),
                Arguments.of("public_key", spki.replace("-----END PUBLIC KEY-----", ""), "no -----END PUBLIC KEY----- line"),
                Arguments.of("public_key", spki.replace("END PUBLIC", "END PRIVATE"), "private key"),
                Arguments.of("public_key", spki.replace("-----END PUBLIC KEY-----", "-----END CERTIFICATE-----"),
                        "no -----END PUBLIC KEY----- line"),
                Arguments.of("public_key", "-----BEGIN PUBLIC KEY\nAAAA\n-----END PUBLIC KEY-----", "malformed -----BEGIN line"),
                Arguments.of("public_key", spki.replaceFirst("KEY-----\n", "KEY-----\nProc-Type: 4,ENCRYPTED\n\n"), "PEM headers"),
                Arguments.of("public_key", pem("PUBLIC KEY", concat(ED25519.getPublic().getEncoded(), new byte[] {0})),
                        "the PEM body is not valid DER"),
                Arguments.of("public_key", pem("PUBLIC KEY", ber), "not DER-encoded"),
                Arguments.of("public_key", pem("PUBLIC KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}),
                        "invalid public_key: not a valid SubjectPublicKeyInfo"),
                Arguments.of("certificate", pem("CERTIFICATE", ED25519.getPublic().getEncoded()),
                        "invalid certificate: not a valid X.509 certificate"),
                Arguments.of("csr", pem("CERTIFICATE REQUEST", derOf(cert)), "invalid csr: not a valid PKCS#10 certification request"),
                Arguments.of("public_key", pem("PUBLIC KEY", rsaSpki(n.add(BigInteger.ONE), BigInteger.valueOf(65537))),
                        "the RSA modulus must be positive and odd"),
                Arguments.of("public_key", pem("PUBLIC KEY", rsaSpki(n, BigInteger.valueOf(65536))), "RSA public exponent"),
                Arguments.of("public_key", pem("PUBLIC KEY", rsaSpki(n, BigInteger.ONE.shiftLeft(256).add(BigInteger.ONE))),
                        "RSA public exponent"),
                Arguments.of("public_key", pem("PUBLIC KEY", rsaSpki(n.multiply(BigInteger.valueOf(997)), BigInteger.valueOf(65537))),
                        "the RSA modulus has a small prime factor"),
                Arguments.of("public_key", pem("PUBLIC KEY", rsaSpki(BigInteger.ONE.shiftLeft(16400).add(BigInteger.ONE),
                        BigInteger.valueOf(65537))), "RSA keys longer than 16384 bits are not accepted"),
                Arguments.of("public_key", pem("PUBLIC KEY", spkiOf(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption,
                        DERNull.INSTANCE), new byte[] {1, 2, 3})), "the RSA key is malformed"),
                Arguments.of("public_key", pem("PUBLIC KEY", spkiOf(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                        Arrays.copyOf(edRaw, 31))), "an Ed25519 key is 32 bytes"),
                Arguments.of("public_key", pem("PUBLIC KEY", spkiOf(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519,
                        DERNull.INSTANCE), edRaw)), "Ed25519 keys take no algorithm parameters"),
                Arguments.of("public_key", pem("PUBLIC KEY", ed25519Spki(HexFormat.of().parseHex(
                        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))), "not a valid point of prime order"),
                Arguments.of("public_key", pem("PUBLIC KEY", new SubjectPublicKeyInfo(new AlgorithmIdentifier(
                        EdECObjectIdentifiers.id_Ed25519), new DERBitString(edRaw, 3)).getEncoded()), "not a whole number of bytes"),
                Arguments.of("public_key", pem("PUBLIC KEY", ecPointSpki(compressed)), "the EC point must be uncompressed"),
                Arguments.of("public_key", pem("PUBLIC KEY", ecPointSpki(new byte[] {0})), "the EC point must be uncompressed"),
                Arguments.of("public_key", pem("PUBLIC KEY", ecPointSpki(xTooLarge)), "the EC point is not on the curve"),
                Arguments.of("public_key", pem("PUBLIC KEY", spkiOf(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                        ECNamedCurveTable.getByName("secp256r1")), p256Point)), "explicit curve parameters are not accepted"),
                Arguments.of("public_key", pem("PUBLIC KEY", spkiOf(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                        DERNull.INSTANCE), p256Point)), "the EC key does not name its curve"),
                Arguments.of("public_key", pem("PUBLIC KEY", ecSpki("brainpoolP256r1",
                        new ASN1ObjectIdentifier("1.3.36.3.3.2.8.1.1.7"))), "unsupported EC curve brainpoolP256r1"),
                Arguments.of("public_key", pem("PUBLIC KEY", generate("X25519", null).getPublic().getEncoded()),
                        "unsupported key algorithm X25519"),
                Arguments.of("public_key", pem("PUBLIC KEY", spkiOf(new AlgorithmIdentifier(new ASN1ObjectIdentifier("1.2.3.4")),
                        edRaw)), "unsupported key algorithm 1.2.3.4 (supported: ed25519, ec-p256, ec-p384, rsa)"),
                Arguments.of("csr", csr(P256, "SHA1withECDSA"),
                        "invalid csr: signature algorithm 1.2.840.10045.4.1 is not accepted"),
                Arguments.of("certificate", certificate(RSA2048, RSA2048, "SHA1withRSA"),
                        "invalid certificate: signature algorithm 1.2.840.113549.1.1.5 is not accepted"));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("badInputs")
    void badInputsAre400s(String field, String input, String fragment) {
        VaultException e = assertThrows(VaultException.class, () -> {
            switch (field) {
                case "csr" -> PublisherKeys.fromCsr(input);
                case "certificate" -> PublisherKeys.fromCertificate(input);
                default -> PublisherKeys.fromPublicKey(input);
            }
        });
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().startsWith("invalid " + field + ": "), e.getMessage());
        assertTrue(e.getMessage().length() < 130, "short: " + e.getMessage());
    }

    // --- helpers ---

    private static void assertBadRequest(String fragment, org.junit.jupiter.api.function.Executable call) {
        VaultException e = assertThrows(VaultException.class, call);
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith(fragment), e.getMessage());
    }

    private static PublisherKey publicKey(byte[] spki) {
        return PublisherKeys.fromPublicKey(pem("PUBLIC KEY", spki));
    }

    private static KeyPair generate(String algorithm, Object parameter) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (parameter instanceof String curve) {
                generator.initialize(new ECGenParameterSpec(curve));
            } else if (parameter instanceof Integer bits) {
                generator.initialize(bits);
            }
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String csr(KeyPair keys, String algorithm) throws Exception {
        return pem("CERTIFICATE REQUEST", new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=web-1"), keys.getPublic())
                .build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())).getEncoded());
    }

    /** A certificate for subject's key, signed by signer's key (self-signed when they are the same). */
    private static String certificate(KeyPair subject, KeyPair signer, String algorithm) throws Exception {
        X500Name name = new X500Name("CN=web-1");
        Date now = new Date();
        return pem("CERTIFICATE", new JcaX509v3CertificateBuilder(name, BigInteger.ONE, now,
                new Date(now.getTime() + 86_400_000L), name, subject.getPublic())
                .build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())).getEncoded());
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] derOf(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static byte[] spkiOf(AlgorithmIdentifier algorithm, byte[] key) {
        try {
            return new SubjectPublicKeyInfo(algorithm, key).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] ed25519Spki(byte[] raw) {
        return spkiOf(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), raw);
    }

    private static byte[] ecPointSpki(byte[] point) {
        return spkiOf(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1), point);
    }

    /** A valid point on a curve the JDK cannot generate keys on. */
    private static byte[] ecSpki(String curve, ASN1ObjectIdentifier oid) {
        X9ECParameters x9 = ECNamedCurveTable.getByName(curve);
        byte[] point = x9.getG().multiply(BigInteger.valueOf(123456789)).normalize().getEncoded(false);
        return spkiOf(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, oid), point);
    }

    private static byte[] rsaSpki(BigInteger n, BigInteger e) {
        try {
            return spkiOf(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    new org.bouncycastle.asn1.pkcs.RSAPublicKey(n, e).getEncoded());
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 128) {
            out.write(length);
        } else if (length < 256) {
            out.write(0x81);
            out.write(length);
        } else if (length < 65536) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] sign(String algorithm, PrivateKey key, byte[] message) throws Exception {
        Signature signature = Signature.getInstance(algorithm);
        signature.initSign(key);
        signature.update(message);
        return signature.sign();
    }

    private static byte[] signPss(PrivateKey key, byte[] message) throws Exception {
        Signature signature = Signature.getInstance("RSASSA-PSS");
        signature.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        signature.initSign(key);
        signature.update(message);
        return signature.sign();
    }

    /** Rebuilds a JDK key from a JWK, independently of the code under test. */
    private static PublicKey fromJwk(Map<String, Object> jwk) throws Exception {
        return switch ((String) jwk.get("kty")) {
            case "OKP" -> KeyFactory.getInstance("Ed25519").generatePublic(new java.security.spec.X509EncodedKeySpec(
                    ed25519Spki(B64URL_DECODE.decode((String) jwk.get("x")))));
            case "EC" -> {
                AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                parameters.init(new ECGenParameterSpec(jwk.get("crv").equals("P-256") ? "secp256r1" : "secp384r1"));
                ECPoint w = new ECPoint(new BigInteger(1, B64URL_DECODE.decode((String) jwk.get("x"))),
                        new BigInteger(1, B64URL_DECODE.decode((String) jwk.get("y"))));
                yield KeyFactory.getInstance("EC").generatePublic(
                        new ECPublicKeySpec(w, parameters.getParameterSpec(ECParameterSpec.class)));
            }
            default -> KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                    new BigInteger(1, B64URL_DECODE.decode((String) jwk.get("n"))),
                    new BigInteger(1, B64URL_DECODE.decode((String) jwk.get("e")))));
        };
    }

    /** RFC 7638 computed here from the JWK's own members, in lexicographic order. */
    private static String thumbprintOf(Map<String, Object> jwk) throws Exception {
        Map<String, Object> required = new LinkedHashMap<>();
        for (String member : List.of("crv", "e", "kty", "n", "x", "y")) {
            if (jwk.containsKey(member)) {
                required.put(member, jwk.get(member));
            }
        }
        return B64URL.encodeToString(sha256(Json.write(required).getBytes(StandardCharsets.UTF_8)));
    }
}
