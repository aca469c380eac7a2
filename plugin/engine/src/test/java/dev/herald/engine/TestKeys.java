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

    /** This key's signature over the SHA-256 of {@code next}'s SPKI, base64url: what a rotation carries. */
    String continuityFor(TestKeys next) {
        try {
            Signature signature = Signature.getInstance(signatureAlgorithm());
            signature.initSign(pair.getPrivate());
            signature.update(MessageDigest.getInstance("SHA-256").digest(next.pair.getPublic().getEncoded()));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
