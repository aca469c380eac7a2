package dev.herald.engine;

import dev.herald.sdk.Path;
import dev.herald.sdk.Response;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code signer}: the current signing key and every key that still verifies (public halves only). */
final class SignerPath {
    private SignerPath() {
    }

    static Path rotateDefinition(MountState mount) {
        return Path.pattern("signer/rotate")
                .update("Make a new signing key, countersigned by the current one.", request ->
                        Response.data(mount.rotateSigner(PublisherIdentity.operator(request.caller())).toPublicData()))
                .help("Rotate the signing key.", """
                        Makes a new signing key (signing_algorithm of config) and retires the current one,
                        which keeps verifying for verification_ttl. The new key's JWK is countersigned by
                        the retired key: a compact JWS (typ herald-signer-rotation+jwt, claims sub, iat,
                        prev_kid, jwk) in the new key's countersignature, so that a client that pinned the
                        old key can follow to the new one.
                        """);
    }

    static Path definition(MountState mount) {
        return Path.pattern("signer")
                .read("Read the current signing key and the keys that still verify.", request -> {
                    List<SigningKey> keys = mount.signer().verifying();
                    // The current key is the newest and never retired: the last one that verifies.
                    Map<String, Object> data = new LinkedHashMap<>(keys.getLast().toPublicData());
                    data.put("keys", keys.stream().map(SigningKey::toPublicData).toList());
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
