package dev.herald.client.consumer;

import dev.herald.client.VerificationException;
import dev.herald.sdk.json.Json;
import dev.herald.sdk.json.JsonException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pinned signer keys: the engine keys whose signatures a consumer accepts, by kid. Pinned once
 * from the {@code jwks} path (trust on first use, over TLS), and afterwards extended only by
 * {@link #follow following} countersigned rotations: a new key is pinned only if an already pinned
 * key signed it. Every key's kid is its RFC 7638 thumbprint. Immutable.
 */
public final class SignerKeys {
    /** The {@code typ} of the countersignature the engine makes at {@code signer/rotate}. */
    public static final String ROTATION_TYPE = "herald-signer-rotation+jwt";
    /** The {@code sub} of a countersignature's claims. */
    static final String ROTATION_SUBJECT = "herald-signer";
    /** The JWS algorithms a signer key may have. */
    static final Set<String> ALGORITHMS = Set.of("EdDSA", "ES256", "ES384");

    private final Map<String, Jwk> byKid;

    private SignerKeys(Map<String, Jwk> byKid) {
        this.byKid = Collections.unmodifiableMap(new LinkedHashMap<>(byKid));
    }

    /**
     * The keys of a JWK Set ({@code {"keys": [...]}}, the {@code jwks} path's {@code data}). Each key
     * must have a kid equal to its thumbprint and an {@code alg} of EdDSA, ES256 or ES384 that fits it.
     *
     * @throws VerificationException if the set is malformed, empty, or holds a key that breaks these rules
     */
    public static SignerKeys fromJwks(Map<String, ?> jwkSet) {
        Claims set = Claims.of(jwkSet, "JWK Set");
        List<?> keys = set.list("keys");
        if (keys.isEmpty()) {
            throw new VerificationException("JWK Set has no keys");
        }
        Map<String, Jwk> byKid = new LinkedHashMap<>();
        for (Object member : keys) {
            Jwk jwk = signerKey(Claims.of(member, "JWK Set member").members(), "JWK Set member");
            Jwk other = byKid.putIfAbsent(jwk.kid().orElseThrow(), jwk);
            if (other != null && !other.equals(jwk)) {
                throw new VerificationException("JWK Set lists kid " + jwk.kid().orElseThrow() + " twice, differently");
            }
        }
        return new SignerKeys(byKid);
    }

    /**
     * Reads a JWK Set from JSON text: either the set itself (as {@code herald jwks} and
     * {@code .well-known/jwks.json} give it) or a Vault answer with the set under {@code data}.
     *
     * @throws VerificationException if the text is not such a set (see {@link #fromJwks})
     */
    public static SignerKeys parseJwks(String json) {
        Map<String, Object> parsed;
        try {
            parsed = Json.parseObject(json);
        } catch (JsonException e) {
            throw new VerificationException("JWK Set is not a JSON object: " + e.getMessage());
        }
        if (!parsed.containsKey("keys") && parsed.get("data") instanceof Map<?, ?> data) {
            return fromJwks(Claims.of(data, "JWK Set").members());
        }
        return fromJwks(parsed);
    }

    /** The pinned key of this kid. */
    public Optional<Jwk> key(String kid) {
        return Optional.ofNullable(byKid.get(kid));
    }

    public boolean contains(String kid) {
        return byKid.containsKey(kid);
    }

    /** The kids, in the order they were pinned. */
    public Set<String> kids() {
        return byKid.keySet();
    }

    /**
     * These keys and those that countersigned rotations lead to. {@code signerEntries} is the
     * {@code signer} path's {@code data.keys}: maps with {@code kid}, {@code algorithm},
     * {@code countersignature} (absent for the mount's first key), and more that is not needed here.
     * An entry is pinned when its countersignature (typ {@value #ROTATION_TYPE}, claims {@code sub},
     * {@code iat}, {@code prev_kid}, {@code jwk}) verifies with the pinned key {@code prev_kid}, and
     * the countersigned JWK's thumbprint is its kid. Chains of several rotations are followed in
     * whatever order the entries come. Entries whose {@code prev_kid} is not reachable (keys older
     * than the pins) are skipped; they are not evidence of anything.
     *
     * @return the extended keys ({@code this} when nothing was added)
     * @throws VerificationException when a countersignature names a pinned key but is not valid: an
     *                               entry that claims to come from a trusted key and does not
     */
    public SignerKeys follow(List<?> signerEntries) {
        Map<String, Jwk> pinned = new LinkedHashMap<>(byKid);
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Object member : signerEntries) {
                Claims entry = Claims.of(member, "signer key entry");
                String kid = entry.string("kid");
                String countersignature = entry.optionalString("countersignature");
                if (pinned.containsKey(kid) || countersignature == null) {
                    continue;
                }
                CompactJws jws = CompactJws.parse(countersignature);
                Claims claims = Claims.of(jws.claims(), "countersignature of signer key " + Claims.quote(kid));
                String previous = claims.string("prev_kid");
                Jwk signer = pinned.get(previous);
                if (signer == null) {
                    continue;
                }
                pinned.put(kid, countersigned(kid, jws, claims, previous, signer));
                progress = true;
            }
        }
        return pinned.size() == byKid.size() ? this : new SignerKeys(pinned);
    }

    /** The countersigned key, once everything about its countersignature checks out. */
    private static Jwk countersigned(String kid, CompactJws jws, Claims claims, String previous, Jwk signer) {
        String where = "countersignature of signer key " + Claims.quote(kid);
        if (!jws.type().orElse("").equals(ROTATION_TYPE)) {
            throw new VerificationException(where + " has typ " + Claims.quote(jws.type().orElse(null)) + ", expected "
                    + ROTATION_TYPE);
        }
        if (!jws.kid().orElse("").equals(previous)) {
            throw new VerificationException(where + " is signed with kid " + Claims.quote(jws.kid().orElse(null))
                    + " but names prev_kid " + previous);
        }
        requireAlgorithm(signer, jws.algorithm(), where);
        jws.verify(signer.publicKey(), previous);
        String subject = claims.string("sub");
        if (!subject.equals(ROTATION_SUBJECT)) {
            throw new VerificationException(where + " has sub " + Claims.quote(subject) + ", expected " + ROTATION_SUBJECT);
        }
        claims.time("iat");
        Jwk jwk = signerKey(claims.object("jwk").members(), where + ": JWK");
        if (!jwk.kid().orElseThrow().equals(kid)) {
            throw new VerificationException(where + " vouches for kid " + Claims.quote(jwk.kid().orElseThrow())
                    + ", not for " + Claims.quote(kid));
        }
        return jwk;
    }

    /** Checks that {@code alg} is what the pinned key is for (so no key serves an algorithm it was not listed with). */
    static void requireAlgorithm(Jwk key, String alg, String where) {
        String expected = key.algorithm().orElseThrow();
        if (!expected.equals(alg)) {
            throw new VerificationException(where + " has alg " + Claims.quote(alg) + " but key "
                    + key.kid().orElseThrow() + " is an " + expected + " key");
        }
    }

    /** A signer key: a JWK with kid = thumbprint, a supported alg that fits the key, and use "sig" if any. */
    private static Jwk signerKey(Map<String, Object> members, String where) {
        Claims claims = new Claims(members, where);
        Jwk jwk = Jwk.parse(members);
        String kid = claims.string("kid");
        if (!kid.equals(jwk.thumbprint())) {
            throw new VerificationException(where + " has kid " + Claims.quote(kid) + ", which is not its thumbprint "
                    + jwk.thumbprint());
        }
        String alg = claims.string("alg");
        String kind = switch (alg) {
            case "EdDSA" -> "Ed25519";
            case "ES256" -> "P-256";
            case "ES384" -> "P-384";
            default -> throw new VerificationException(where + " " + kid + " has alg " + Claims.quote(alg)
                    + " (supported: EdDSA, ES256, ES384)");
        };
        if (!Jwk.kind(jwk.publicKey()).equals(kind)) {
            throw new VerificationException(where + " " + kid + " has alg " + alg + " but is a "
                    + Jwk.kind(jwk.publicKey()) + " key");
        }
        String use = claims.optionalString("use");
        if (use != null && !use.equals("sig")) {
            throw new VerificationException(where + " " + kid + " has use " + Claims.quote(use) + ", not sig");
        }
        return jwk;
    }

    /**
     * These keys and {@code others}: what two processes pinned between them.
     *
     * @throws VerificationException if a kid stands for different keys in the two (which a kid that
     *                               is a thumbprint rules out, unless a file was edited)
     */
    public SignerKeys plus(SignerKeys others) {
        Map<String, Jwk> union = new LinkedHashMap<>(byKid);
        for (Jwk jwk : others.byKid.values()) {
            Jwk existing = union.putIfAbsent(jwk.kid().orElseThrow(), jwk);
            if (existing != null && !existing.equals(jwk)) {
                throw new VerificationException("signer key " + jwk.kid().orElseThrow() + " is pinned twice, differently");
            }
        }
        return union.size() == byKid.size() ? this : new SignerKeys(union);
    }

    /** As a JWK Set ({@code {"keys": [...]}}), which {@link #fromJwks} reads back. */
    public Map<String, Object> toJwks() {
        List<Map<String, Object>> keys = new ArrayList<>();
        byKid.values().forEach(jwk -> keys.add(jwk.toMap()));
        return Map.of("keys", keys);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignerKeys other && byKid.equals(other.byKid);
    }

    @Override
    public int hashCode() {
        return byKid.hashCode();
    }

    @Override
    public String toString() {
        return "SignerKeys" + byKid.keySet();
    }
}
