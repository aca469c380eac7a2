package dev.herald.client.consumer;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** DiscoveryRecord claims shaped as the engine's DiscoverPath writes them, with instance JWKs made by nimbus. */
final class Records {
    /** The tests' "now". */
    static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

    private Records() {
    }

    /** The public JWK with its thumbprint as kid, by nimbus (not by the code under test). */
    static Map<String, Object> jwkOf(PublicKey key) {
        try {
            JWK jwk = switch (key) {
                case ECPublicKey ec -> new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec)
                        .keyIDFromThumbprint().build();
                case RSAPublicKey rsa -> new RSAKey.Builder(rsa).keyIDFromThumbprint().build();
                default -> new OctetKeyPair.Builder(Curve.Ed25519,
                        Base64URL.encode(Arrays.copyOfRange(key.getEncoded(), 12, 44))).keyIDFromThumbprint().build();
            };
            return new LinkedHashMap<>(jwk.toJSONObject());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String fingerprint(PublicKey key) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One member of {@code instances}, live from NOW - 100 s to NOW + 1 day. */
    static Map<String, Object> instance(String name, long generation, PublicKey key) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("instance", name);
        claims.put("generation", (long) generation);
        claims.put("jwk", jwkOf(key));
        claims.put("fingerprint", fingerprint(key));
        claims.put("endpoints", List.of(name + ".payments.svc:8443"));
        claims.put("ip_addresses", List.of("10.0.0.7"));
        claims.put("dns_names", List.of(name + ".payments.svc"));
        claims.put("metadata", Map.of("zone", "a"));
        claims.put("not_before", NOW.minusSeconds(100).getEpochSecond());
        claims.put("not_after", NOW.plusSeconds(86400).getEpochSecond());
        claims.put("publisher", Map.of("entity_id", "e-1", "mount_accessor", "auth_jwt_1", "alias_name", name,
                "alias_metadata", Map.of()));
        return claims;
    }

    /** DiscoveryRecord claims by the default issuer "herald/", issued NOW, valid 5 minutes. */
    @SafeVarargs
    static Map<String, Object> claims(String service, String scope, long seq, Map<String, Object>... instances) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "herald/");
        claims.put("sub", service);
        claims.put("iat", NOW.getEpochSecond());
        claims.put("exp", NOW.plusSeconds(300).getEpochSecond());
        claims.put("jti", "id-" + seq);
        claims.put("scope", scope);
        claims.put("seq", seq);
        claims.put("instances", List.of(instances));
        return claims;
    }

    /** A page's claims as the engine writes them: a record of scope page with after, next and total before instances. */
    static Map<String, Object> page(String service, long seq, String after, String next, long total,
                                    List<Map<String, Object>> instances) {
        Map<String, Object> claims = claims(service, "page", seq);
        claims.remove("instances");
        claims.put("after", after);
        claims.put("next", next);
        claims.put("total", total);
        claims.put("instances", instances);
        return claims;
    }
}
