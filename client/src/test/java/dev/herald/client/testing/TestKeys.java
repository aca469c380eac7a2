package dev.herald.client.testing;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** Fresh key pairs made by the JDK, of the kinds the tests use. */
public final class TestKeys {
    /** One RSA key pair for all tests: generating 2048-bit keys takes long, and no test needs two. */
    private static KeyPair rsa;

    private TestKeys() {
    }

    public static KeyPair ed25519() {
        return generate("Ed25519", null);
    }

    /** EC on P-256 (secp256r1). */
    public static KeyPair p256() {
        return generate("EC", "secp256r1");
    }

    /** EC on P-384 (secp384r1). */
    public static KeyPair p384() {
        return generate("EC", "secp384r1");
    }

    /** A 2048-bit RSA key pair, the same one each time. */
    public static synchronized KeyPair rsa() {
        if (rsa == null) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                rsa = generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return rsa;
    }

    /** A key pair by its JDK algorithm name: "EC" (P-256), "Ed25519" or "RSA". */
    public static KeyPair of(String algorithm) {
        return switch (algorithm) {
            case "EC" -> p256();
            case "Ed25519" -> ed25519();
            case "RSA" -> rsa();
            default -> throw new IllegalArgumentException("no test keys of " + algorithm);
        };
    }

    private static KeyPair generate(String algorithm, String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                generator.initialize(new ECGenParameterSpec(curve));
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
