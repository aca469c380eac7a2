package dev.herald.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A workload's key material, as a publisher brings it to Herald: a key pair of one type, and what
 * is made from it (a PKCS#10 request, a self-signed certificate, the SPKI and its fingerprint, and
 * the continuity signature that hands over to a next key). Signing uses the JDK's own providers;
 * Bouncy Castle only builds the ASN.1 structures.
 */
public final class Publisher {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String description;
    private final KeyPair keyPair;
    /** For PKCS#10 requests and certificates. */
    private final String certificateSignatureAlgorithm;
    /** For continuity signatures. */
    private final String continuitySignatureAlgorithm;

    private Publisher(String description, KeyPair keyPair, String certificateSignatureAlgorithm,
            String continuitySignatureAlgorithm) {
        this.description = description;
        this.keyPair = keyPair;
        this.certificateSignatureAlgorithm = certificateSignatureAlgorithm;
        this.continuitySignatureAlgorithm = continuitySignatureAlgorithm;
    }

    /** A new Ed25519 key. */
    public static Publisher ed25519() {
        return new Publisher("Ed25519", generate("Ed25519", null, 0), "Ed25519", "Ed25519");
    }

    /** A new EC P-256 key. */
    public static Publisher ecP256() {
        return new Publisher("EC P-256", generate("EC", "secp256r1", 0), "SHA256withECDSA", "SHA256withECDSA");
    }

    /** A new EC P-384 key. */
    public static Publisher ecP384() {
        return new Publisher("EC P-384", generate("EC", "secp384r1", 0), "SHA256withECDSA", "SHA384withECDSA");
    }

    /** A new RSA key of {@code bits} bits. */
    public static Publisher rsa(int bits) {
        return new Publisher("RSA " + bits, generate("RSA", null, bits), "SHA256withRSA", "SHA256withRSA");
    }

    public PublicKey publicKey() {
        return keyPair.getPublic();
    }

    /** The DER of the public key's SubjectPublicKeyInfo. */
    public byte[] spki() {
        return keyPair.getPublic().getEncoded();
    }

    /** The SPKI as PEM ({@code PUBLIC KEY}). */
    public String publicKeyPem() {
        return JwtIssuer.pem("PUBLIC KEY", spki());
    }

    /** {@code sha256:} and the lowercase hex SHA-256 of the SPKI DER. */
    public String fingerprint() {
        return "sha256:" + HexFormat.of().formatHex(sha256(spki()));
    }

    /** A PKCS#10 request ({@code CERTIFICATE REQUEST} PEM) for this key, signed with it. */
    public String csrPem() {
        try {
            byte[] der = new JcaPKCS10CertificationRequestBuilder(subject(), keyPair.getPublic())
                    .build(signer()).getEncoded();
            return JwtIssuer.pem("CERTIFICATE REQUEST", der);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A certificate ({@code CERTIFICATE} PEM) for this key, issued by itself, valid from an hour ago for a day. */
    public String selfSignedCertificatePem() {
        Instant now = Instant.now();
        try {
            byte[] der = new JcaX509v3CertificateBuilder(subject(), new BigInteger(64, RANDOM).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
                    subject(), keyPair.getPublic())
                    .build(signer()).getEncoded();
            return JwtIssuer.pem("CERTIFICATE", der);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * This key's consent to hand {@code instance} of {@code service} on the mount whose issuer is
     * {@code issuer} over from generation {@code replacedGeneration} to {@code next}: its signature
     * over the continuity message of DESIGN §5.3 (six lines: herald-continuity-v1, issuer, service,
     * instance, generation, the new key's fingerprint), base64url without padding. Ed25519; ECDSA
     * with SHA-256 (P-256) or SHA-384 (P-384), DER-encoded; or RSA PKCS#1 v1.5 with SHA-256.
     */
    public String continuityFor(Publisher next, String issuer, String service, String instance, long replacedGeneration) {
        return sign(String.join("\n", "herald-continuity-v1", issuer, service, instance,
                Long.toString(replacedGeneration), next.fingerprint()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** This key's signature over {@code message}, base64url without padding. */
    public String sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance(continuitySignatureAlgorithm);
            signature.initSign(keyPair.getPrivate());
            signature.update(message);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + continuitySignatureAlgorithm, e);
        }
    }

    @Override
    public String toString() {
        return description + " publisher " + fingerprint();
    }

    private X500Name subject() {
        return new X500Name("CN=herald-test-publisher");
    }

    private ContentSigner signer() {
        try {
            // No provider set: the JDK's (Bouncy Castle's is not installed).
            return new JcaContentSignerBuilder(certificateSignatureAlgorithm).build(keyPair.getPrivate());
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign with " + certificateSignatureAlgorithm, e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate(String algorithm, String curve, int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                generator.initialize(new ECGenParameterSpec(curve));
            } else if (bits > 0) {
                generator.initialize(bits);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
        }
    }
}
