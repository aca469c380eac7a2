package dev.herald.engine;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/** A workload's key pair for engine tests: its CSR, its public key PEM and continuity signatures. */
record TestKeys(String type, KeyPair pair) {

    static TestKeys generate(String type) {
        try {
            KeyPairGenerator generator = switch (type) {
                case "ed25519" -> KeyPairGenerator.getInstance("Ed25519");
                case "ec-p256", "ec-p384" -> {
                    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
                    ec.initialize(new ECGenParameterSpec(type.equals("ec-p256") ? "secp256r1" : "secp384r1"));
                    yield ec;
                }
                case "rsa" -> {
                    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
                    rsa.initialize(2048);
                    yield rsa;
                }
                default -> throw new IllegalArgumentException(type);
            };
            return new TestKeys(type, generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String signatureAlgorithm() {
        return switch (type) {
            case "ed25519" -> "Ed25519";
            case "ec-p256" -> "SHA256withECDSA";
            case "ec-p384" -> "SHA384withECDSA";
            default -> "SHA256withRSA";
        };
    }

    String csr() {
        try {
            byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=workload"), pair.getPublic())
                    .build(new JcaContentSignerBuilder(signatureAlgorithm()).build(pair.getPrivate())).getEncoded();
            return pem("CERTIFICATE REQUEST", der);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    String publicKeyPem() {
        return pem("PUBLIC KEY", pair.getPublic().getEncoded());
    }

    /**
     * This key handing web/pod-1 of the mount at herald/ over from {@code replacedGeneration} to
     * {@code next}: its signature over the continuity message, base64url, as a rotation carries it.
     */
    String continuityFor(TestKeys next, long replacedGeneration) {
        return sign(new ContinuityMessage("herald/", "web", "pod-1", replacedGeneration, next.fingerprint()));
    }

    /** This key's signature over {@code message}, base64url. */
    String sign(ContinuityMessage message) {
        try {
            Signature signature = Signature.getInstance(signatureAlgorithm());
            signature.initSign(pair.getPrivate());
            signature.update(message.bytes());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "sha256:" and the hex SHA-256 of the SPKI, as Herald names keys. */
    String fingerprint() {
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(pair.getPublic().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
