package dev.herald.client.consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import dev.herald.client.Pem;
import dev.herald.sdk.json.Json;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A signing key as the engine has one, made and used with nimbus-jose-jwt (and Tink for Ed25519),
 * so that what the tests sign does not come from the code under test.
 */
final class TestSigner {
    final JWSAlgorithm algorithm;
    final JWK privateJwk;
    final PublicKey publicKey;

    private TestSigner(JWSAlgorithm algorithm, JWK privateJwk, PublicKey publicKey) {
        this.algorithm = algorithm;
        this.privateJwk = privateJwk;
        this.publicKey = publicKey;
    }

    static TestSigner ed25519() {
        try {
            OctetKeyPair okp = new OctetKeyPairGenerator(Curve.Ed25519).keyIDFromThumbprint(true).generate();
            byte[] spki = new byte[44];
            byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
            System.arraycopy(prefix, 0, spki, 0, 12);
            System.arraycopy(okp.getDecodedX(), 0, spki, 12, 32);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            return new TestSigner(JWSAlgorithm.EdDSA, okp, key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static TestSigner es256() {
        return ec(Curve.P_256, JWSAlgorithm.ES256);
    }

    static TestSigner es384() {
        return ec(Curve.P_384, JWSAlgorithm.ES384);
    }

    private static TestSigner ec(Curve curve, JWSAlgorithm algorithm) {
        try {
            ECKey ec = new ECKeyGenerator(curve).keyIDFromThumbprint(true).generate();
            return new TestSigner(algorithm, ec, ec.toECPublicKey());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** nimbus's RFC 7638 thumbprint, which the engine uses as kid. */
    String kid() {
        return privateJwk.getKeyID();
    }

    /** The public JWK as the engine's {@code jwks} lists it: key members, kid, alg, use. */
    Map<String, Object> publicJwk() {
        JWK pub = privateJwk.toPublicJWK();
        JWK listed = pub instanceof OctetKeyPair okp
                ? new OctetKeyPair.Builder(okp).algorithm(algorithm).keyUse(KeyUse.SIGNATURE).build()
                : new ECKey.Builder((ECKey) pub).algorithm(algorithm).keyUse(KeyUse.SIGNATURE).build();
        return new LinkedHashMap<>(listed.toJSONObject());
    }

    JWSSigner signer() {
        try {
            return privateJwk instanceof OctetKeyPair okp ? new Ed25519Signer(okp) : new ECDSASigner((ECKey) privateJwk);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    JWSVerifier verifier() {
        try {
            return privateJwk instanceof OctetKeyPair okp ? new Ed25519Verifier(okp.toPublicJWK())
                    : new ECDSAVerifier(((ECKey) privateJwk).toPublicJWK());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A compact JWS with header alg, kid and typ, as the engine's Jws.sign makes them. */
    String sign(String type, Map<String, Object> claims) {
        return sign(new JWSHeader.Builder(algorithm).keyID(kid()).type(new JOSEObjectType(type)).build(), Json.write(claims));
    }

    String sign(JWSHeader header, String payload) {
        try {
            JWSObject jws = new JWSObject(header, new Payload(payload));
            jws.sign(signer());
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether nimbus accepts {@code compact} as signed by this key. */
    boolean nimbusVerifies(String compact) {
        try {
            return JWSObject.parse(compact).verify(verifier());
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return false;
        }
    }

    /**
     * This key's entry in the {@code signer} path's {@code keys}, countersigned by {@code previous}
     * (null for the first key) exactly as SigningKey.countersignedBy does it.
     */
    Map<String, Object> signerEntry(TestSigner previous, Instant createdAt) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("kid", kid());
        entry.put("algorithm", algorithm.getName());
        entry.put("public_key", Pem.encode("PUBLIC KEY", publicKey.getEncoded()));
        entry.put("created_at", createdAt.toString());
        if (previous != null) {
            entry.put("countersignature", previous.sign(SignerKeys.ROTATION_TYPE, rotationClaims(previous, createdAt)));
        }
        return entry;
    }

    Map<String, Object> rotationClaims(TestSigner previous, Instant iat) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", "herald-signer");
        claims.put("iat", iat.getEpochSecond());
        claims.put("prev_kid", previous.kid());
        claims.put("jwk", publicJwk());
        return claims;
    }

    /** The JWK Set of these keys, as the {@code jwks} path's data. */
    static Map<String, Object> jwks(TestSigner... signers) {
        return Map.of("keys", java.util.Arrays.stream(signers).map(TestSigner::publicJwk).toList());
    }

    @Override
    public String toString() {
        return "TestSigner[" + algorithm + " " + kid() + "]";
    }
}
