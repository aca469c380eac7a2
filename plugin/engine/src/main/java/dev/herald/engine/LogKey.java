package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;
import dev.herald.tlog.Ed25519Keys;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.NoteSigner;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.SignedNote;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The mount's log key (docs/design-log.md §4): an Ed25519 key pair made at the first append, whose
 * name is the log's origin. Stored under {@code signer/}, which the mount declares seal-wrapped,
 * like the record-signing keys; only its public half ever leaves ({@code log/key}).
 */
final class LogKey {
    static final String STORAGE_KEY = "signer/log-keys";

    private LogKey() {
    }

    /** The stored key's signer, if the mount has made one. */
    @SuppressWarnings("unchecked")
    static Optional<NoteSigner> load(Storage storage) {
        return storage.get(STORAGE_KEY).map(bytes -> {
            Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
            Map<String, Object> current = ((List<Map<String, Object>>) stored.get("keys")).getLast();
            try {
                PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(
                        new PKCS8EncodedKeySpec(Base64.getDecoder().decode((String) current.get("private_pkcs8"))));
                PublicKey publicKey = Ed25519Keys.publicKey(Base64.getDecoder().decode((String) current.get("public")));
                return signer((String) stored.get("origin"), key, publicKey);
            } catch (GeneralSecurityException | MalformedException e) {
                throw new IllegalStateException("the stored log key cannot be read", e);
            }
        });
    }

    /** The public halves of every stored key version, current first: what {@code log/key} serves. */
    @SuppressWarnings("unchecked")
    static List<NoteVerifier> verifiers(Storage storage) {
        return storage.get(STORAGE_KEY).map(bytes -> {
            Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
            String origin = (String) stored.get("origin");
            List<NoteVerifier> keys = new ArrayList<>();
            for (Map<String, Object> version : ((List<Map<String, Object>>) stored.get("keys")).reversed()) {
                try {
                    keys.add(NoteVerifier.ed25519(origin, Ed25519Keys.publicKey(Base64.getDecoder().decode((String) version.get("public")))));
                } catch (MalformedException e) {
                    throw new IllegalStateException("the stored log key cannot be read", e);
                }
            }
            return List.copyOf(keys);
        }).orElse(List.of());
    }

    /** Makes and stores the mount's log key, named {@code origin}. */
    static NoteSigner create(Storage storage, String origin, Instant now) {
        KeyPair pair = Ed25519Keys.generate();
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("private_pkcs8", Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
        version.put("public", Base64.getEncoder().encodeToString(Ed25519Keys.raw(pair.getPublic())));
        version.put("created_at", now.toString());
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("origin", origin);
        stored.put("keys", List.of(version));
        storage.put(STORAGE_KEY, Json.write(stored).getBytes(StandardCharsets.UTF_8));
        return signer(origin, pair.getPrivate(), pair.getPublic());
    }

    /**
     * The origin a new log takes: the issuer without its scheme and trailing '/', plus "/log",
     * when the issuer is an absolute URL with a host (a name a client can recognise); otherwise
     * a unique name under "herald.invalid", visibly not a place to fetch from.
     */
    static String defaultOrigin(String issuer, SecureRandom random) {
        try {
            URI uri = new URI(issuer);
            if (uri.isAbsolute() && uri.getHost() != null) {
                String withoutScheme = issuer.substring(uri.getScheme().length() + 3).replaceAll("/+$", "");
                String origin = withoutScheme + "/log";
                if (SignedNote.isValidKeyName(origin) && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                    return origin;
                }
            }
        } catch (java.net.URISyntaxException e) {
            // not a URL: a name of its own
        }
        byte[] unique = new byte[8];
        random.nextBytes(unique);
        return "herald.invalid/" + HexFormat.of().formatHex(unique);
    }

    /**
     * The log key's note signer, signing with BouncyCastle where the key is in the plain form (as
     * the JDK makes it): one signature per committed batch, on the writer's one thread, where the
     * JDK's Ed25519 took most of a millisecond.
     */
    private static NoteSigner signer(String origin, PrivateKey key, PublicKey publicKey) {
        byte[] pkcs8 = key.getEncoded();
        if (pkcs8 != null && Jws.isPlainEd25519(pkcs8)) {
            return NoteSigner.ed25519(origin, key, publicKey, message -> Jws.ed25519(pkcs8, message));
        }
        return NoteSigner.ed25519(origin, key, publicKey);
    }
}
