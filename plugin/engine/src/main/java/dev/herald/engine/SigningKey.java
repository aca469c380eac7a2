package dev.herald.engine;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One version of the engine's signing key (DESIGN §5.5). The private half lives only in the
 * mount's seal-wrapped storage: {@link #toPublicData} and {@link #jwk} are all that ever leave.
 *
 * @param kid       the RFC 7638 thumbprint of the public key
 * @param algorithm the JWS algorithm: "EdDSA" (Ed25519) or "ES256" (P-256)
 * @param retiredAt        when a newer key replaced it, or null for the current key
 * @param countersignature the compact JWS, signed by the previous key, of this key's JWK; null
 *                         for the first key
 */
record SigningKey(String kid, String algorithm, Instant createdAt, byte[] privateKeyPkcs8, byte[] publicKeySpki,
                  Instant retiredAt, String countersignature) {

    static SigningKey generate(String algorithm, Instant now) {
        try {
            KeyPairGenerator generator;
            if (algorithm.equals("ES256")) {
                generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else if (algorithm.equals("EdDSA")) {
                generator = KeyPairGenerator.getInstance("Ed25519");
            } else {
                throw new IllegalArgumentException("unsupported signing algorithm " + algorithm);
            }
            KeyPair keys = generator.generateKeyPair();
            return new SigningKey(Jwk.thumbprint(keys.getPublic()), algorithm, now, keys.getPrivate().getEncoded(),
                    keys.getPublic().getEncoded(), null, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " signing key", e);
        }
    }

    SigningKey retired(Instant when) {
        return new SigningKey(kid, algorithm, createdAt, privateKeyPkcs8, publicKeySpki, when, countersignature);
    }

    SigningKey countersignedBy(SigningKey previous, Instant now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", "herald-signer");
        claims.put("iat", now.getEpochSecond());
        claims.put("prev_kid", previous.kid());
        claims.put("jwk", jwk());
        String jws = Jws.sign(previous, "herald-signer-rotation+jwt", claims);
        return new SigningKey(kid, algorithm, createdAt, privateKeyPkcs8, publicKeySpki, retiredAt, jws);
    }

    private String keyFactoryAlgorithm() {
        return algorithm.equals("ES256") ? "EC" : "Ed25519";
    }

    PublicKey publicKey() {
        try {
            return KeyFactory.getInstance(keyFactoryAlgorithm()).generatePublic(new X509EncodedKeySpec(publicKeySpki));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("stored signing key " + kid + " is unreadable", e);
        }
    }

    PrivateKey privateKey() {
        try {
            return KeyFactory.getInstance(keyFactoryAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(privateKeyPkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("stored signing key " + kid + " is unreadable", e);
        }
    }

    Map<String, Object> jwk() {
        return Jwk.of(publicKey(), kid, algorithm);
    }

    String publicKeyPem() {
        return PublisherKey.pem("PUBLIC KEY", publicKeySpki);
    }

    /** What callers may see of this key: never the private half. */
    Map<String, Object> toPublicData() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kid", kid);
        data.put("algorithm", algorithm);
        data.put("public_key", publicKeyPem());
        data.put("created_at", createdAt.toString());
        if (retiredAt != null) {
            data.put("retired_at", retiredAt.toString());
        }
        if (countersignature != null) {
            data.put("countersignature", countersignature);
        }
        return data;
    }

    Map<String, Object> toStored() {
        Map<String, Object> stored = new LinkedHashMap<>(toPublicData());
        stored.remove("public_key");
        stored.put("public_key_spki", Base64.getEncoder().encodeToString(publicKeySpki));
        stored.put("private_key_pkcs8", Base64.getEncoder().encodeToString(privateKeyPkcs8));
        return stored;
    }

    static SigningKey fromStored(Map<String, Object> stored) {
        return new SigningKey((String) stored.get("kid"), (String) stored.get("algorithm"),
                Instant.parse((String) stored.get("created_at")),
                Base64.getDecoder().decode((String) stored.get("private_key_pkcs8")),
                Base64.getDecoder().decode((String) stored.get("public_key_spki")),
                stored.get("retired_at") instanceof String s ? Instant.parse(s) : null,
                stored.get("countersignature") instanceof String c ? c : null);
    }

    @Override
    public String toString() {
        return "SigningKey[" + kid + ", " + algorithm + "]"; // never the key material
    }
}
