package dev.herald.engine;

import dev.herald.sdk.Path;
import dev.herald.sdk.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code signer}: the current signing key and every key that still verifies (public halves only). */
final class SignerPath {
    private SignerPath() {
    }

    static Path definition(Signer signer) {
        return Path.pattern("signer")
                .read("Read the current signing key and the keys that still verify.", request -> {
                    SigningKey current = signer.current();
                    Map<String, Object> data = new LinkedHashMap<>(current.toPublicData());
                    data.put("keys", signer.verifying().stream().map(SigningKey::toPublicData).toList());
                    return Response.data(data);
                })
                .help("The key that signs discovery records.", """
                        The engine signs every discovery record with its current signing key, which it
                        makes itself at first use (signing_algorithm of config: EdDSA or ES256) and keeps
                        only in the mount's seal-wrapped storage. This path shows its public half (kid,
                        algorithm, public_key, created_at) and those of retired keys that still verify
                        (for verification_ttl). The private key is never returned.
                        """);
    }
}
