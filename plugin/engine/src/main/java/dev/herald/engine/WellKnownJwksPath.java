package dev.herald.engine;

import dev.herald.sdk.Path;
import dev.herald.sdk.RawBody;
import dev.herald.sdk.Response;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code .well-known/jwks.json}: the JWK Set of {@link JwksPath} as the bare HTTP body, for JOSE
 * libraries that fetch a key set from a URL (nimbus RemoteJWKSet, jose4j HttpsJwks, PyJWT's
 * PyJWKClient). Needs no token.
 */
final class WellKnownJwksPath {
    private WellKnownJwksPath() {
    }

    static final String PATTERN = ".well-known/jwks.json";
    /** The media type RFC 7517 (section 8.5) registers for a JWK Set. */
    static final String CONTENT_TYPE = "application/jwk-set+json";

    static Path definition(MountState mount) {
        return Path.pattern(PATTERN)
                .read("Read the JWK Set of the keys that verify records, as a bare document.", request -> {
                    byte[] body = Json.write(JwksPath.keySet(mount)).getBytes(StandardCharsets.UTF_8);
                    return Response.raw(RawBody.of(200, CONTENT_TYPE, body).withCacheControl(
                            "public, max-age=" + maxAge(mount.settings().get().recordTtl()).toSeconds()));
                })
                .help("The keys that verify discovery records: the JWK Set alone as the HTTP body.", """
                        The same set as jwks, without the server's JSON envelope, so that a JOSE library
                        fetches it directly from the URL. It needs no token. The answer may be cached for
                        a tenth of record_ttl (Cache-Control max-age).
                        """);
    }

    /**
     * How long a client may keep the set: a tenth of record_ttl. A library that meets an unknown kid
     * fetches the set again, so caching never hides a new key; what it delays is a key leaving the
     * set (retired past verification_ttl), which a client keeps trusting for max-age more. A tenth
     * keeps that small beside the record_ttl that records are trusted for anyway.
     */
    static Duration maxAge(Duration recordTtl) {
        return Duration.ofSeconds(recordTtl.toSeconds() / 10);
    }
}
