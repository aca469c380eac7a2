package dev.herald.engine;

import dev.herald.sdk.Path;
import dev.herald.sdk.Response;

import java.util.Map;

/** {@code jwks}: the JWK Set of every key that verifies records. Needs no token. */
final class JwksPath {
    private JwksPath() {
    }

    static final String PATTERN = "jwks";

    static Path definition(MountState mount) {
        return Path.pattern(PATTERN)
                .read("Read the JWK Set of the keys that verify records.", request -> Response.data(keySet(mount)))
                .help("The keys that verify discovery records, as a JWK Set (RFC 7517).", """
                        Any JOSE library verifies a record with this set. It needs no token: clients pin
                        these keys before they can authenticate anything. It lists the current signing
                        key and the retired keys that still verify (verification_ttl). The same set as a
                        bare document, for libraries that fetch a key set from a URL: .well-known/jwks.json.
                        """);
    }

    /** The JWK Set (RFC 7517 section 5) of every key that verifies records, here and at .well-known/jwks.json. */
    static Map<String, Object> keySet(MountState mount) {
        return Map.of("keys", mount.signer().verifying().stream().map(SigningKey::jwk).toList());
    }
}
