package dev.herald.bridge;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The plugin process's one-time TLS identity: a fresh P-256 key and a self-signed certificate for
 * "localhost", valid for serving and for client authentication. The same certificate is printed in
 * the handshake, presented by our gRPC server, and presented when we dial the server's broker.
 *
 * <p>The server pins exactly this certificate (it is its own root), so it must name "localhost" in
 * the subject alternative name, allow both server and client authentication, and carry a positive
 * serial number; Go's verifier checks these.
 */
record TlsIdentity(PrivateKey privateKey, X509Certificate certificate) {

    /** The inherited descriptor the shim wrote this process's identity to (see shim/identity.go). */
    static final String INHERITED_FD_ENV = "HERALD_TLS_IDENTITY_FD";

    private static final DateTimeFormatter UTC_TIME =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    /**
     * The identity the shim made for this process, read from the descriptor it names; or, when
     * there is none (tests, a start without the shim) or it cannot be read, a fresh one made here.
     * The shim's is the same kind of key and certificate, made in microseconds instead of the
     * ~75 ms a cold JVM needs.
     */
    static TlsIdentity inheritedOrGenerated(String inheritedFd) throws GeneralSecurityException {
        if (inheritedFd == null || !inheritedFd.matches("[0-9]{1,7}")) {
            return generate();
        }
        try {
            return fromPem(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/fd/" + inheritedFd),
                    java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.io.IOException | GeneralSecurityException | IllegalArgumentException e) {
            dev.herald.sdk.Log.named("herald.bridge").warn("cannot read the TLS identity the shim made; making one",
                    "error", e.getClass().getSimpleName());
            return generate();
        }
    }

    /** An EC private key (PKCS#8) and its certificate, as PEM blocks. */
    static TlsIdentity fromPem(String pem) throws GeneralSecurityException {
        PrivateKey key = java.security.KeyFactory.getInstance("EC")
                .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pemBlock(pem, "PRIVATE KEY")));
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pemBlock(pem, "CERTIFICATE")));
        if (!(certificate.getPublicKey() instanceof java.security.interfaces.ECPublicKey)) {
            throw new GeneralSecurityException("the inherited certificate has no EC key");
        }
        return new TlsIdentity(key, certificate);
    }

    private static byte[] pemBlock(String pem, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end, from + 1);
        if (from < 0 || to < 0) {
            throw new IllegalArgumentException("no " + type + " block");
        }
        return java.util.Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    }

    static TlsIdentity generate() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        byte[] der = selfSignedCertificate(keys, Instant.now(), new SecureRandom());
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        return new TlsIdentity(keys.getPrivate(), certificate);
    }

    static byte[] selfSignedCertificate(KeyPair keys, Instant now, SecureRandom random) throws GeneralSecurityException {
        byte[] ecdsaWithSha256 = Der.sequence(Der.oid("1.2.840.10045.4.3.2"));
        byte[] name = Der.sequence(
                Der.set(Der.sequence(Der.oid("2.5.4.10"), Der.utf8String("Herald"))),
                Der.set(Der.sequence(Der.oid("2.5.4.3"), Der.utf8String("localhost"))));
        // Like go-plugin: valid from a little before now (clock skew), for long enough never to matter.
        byte[] validity = Der.sequence(
                Der.utcTime(UTC_TIME.format(now.minusSeconds(30))),
                Der.utcTime(UTC_TIME.format(now.plus(3650, ChronoUnit.DAYS))));
        byte[] keyUsage = Der.sequence(Der.oid("2.5.29.15"), Der.bool(true),
                // digitalSignature (bit 0) and keyCertSign (bit 5): 1000 0100, two unused bits
                Der.octetString(Der.bitString(new byte[] {(byte) 0x84}, 2)));
        byte[] extendedKeyUsage = Der.sequence(Der.oid("2.5.29.37"),
                Der.octetString(Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"), Der.oid("1.3.6.1.5.5.7.3.2"))));
        byte[] basicConstraints = Der.sequence(Der.oid("2.5.29.19"), Der.bool(true),
                Der.octetString(Der.sequence(Der.bool(true))));
        byte[] subjectAltName = Der.sequence(Der.oid("2.5.29.17"),
                Der.octetString(Der.sequence(Der.implicitPrimitive(2, "localhost".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))));
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(BigInteger.TWO)),
                Der.integer(new BigInteger(127, random).setBit(126)),
                ecdsaWithSha256,
                name,
                validity,
                name,
                keys.getPublic().getEncoded(),
                Der.explicit(3, Der.sequence(keyUsage, extendedKeyUsage, basicConstraints, subjectAltName)));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        return Der.sequence(tbs, ecdsaWithSha256, Der.bitString(signer.sign(), 0));
    }
}
