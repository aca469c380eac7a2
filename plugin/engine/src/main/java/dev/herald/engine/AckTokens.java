package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The proof that a {@code seq} of a service was served (docs/design-ack.md §3.2): every
 * {@code discover} answer carries {@code ack_token} = the first 16 bytes of HMAC-SHA-256(the
 * mount's ack key, "herald-ack-v1\n" service "\n" seq), base64url, and an acknowledgement of that
 * seq must bring it back. Only an answer made for that service at that seq holds it, so a consumer
 * cannot acknowledge a seq it was never served (a future one has no token yet); tokens are
 * deterministic, so a kept record keeps its token, and any node checks one without state.
 *
 * <p>The key is 32 random bytes made at first use, stored in {@value #STORAGE_KEY} (under the
 * seal-wrapped {@code signer/} prefix), never returned or logged, and never rotated.
 */
final class AckTokens {
    static final String STORAGE_KEY = "signer/ack-key";
    private static final String DOMAIN = "herald-ack-v1";
    private static final int TOKEN_BYTES = 16;
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Storage storage;
    private final Clock clock;
    /** Serialises the first-use generation: two concurrent first uses must not make two keys. */
    private final Object lock = new Object();
    /** One entry, kept by the stamp rule of {@link CacheTable}: a slow first read never puts an older key back. */
    private final CacheTable<byte[]> cached = new CacheTable<>(1, 1, value -> 1);

    AckTokens(Storage storage, Clock clock) {
        this.storage = storage;
        this.clock = clock;
    }

    /** The token of {@code seq} of {@code service}: 22 characters of base64url. */
    String token(String service, long seq) {
        return BASE64URL.encodeToString(mac(key(), service, seq));
    }

    /** Whether {@code token} was made for exactly this service and seq; in constant time. */
    boolean valid(String service, long seq, String token) {
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return given.length == TOKEN_BYTES && MessageDigest.isEqual(mac(key(), service, seq), given);
    }

    /** The stored key changed elsewhere (another node made it first): read it again. */
    boolean invalidate(String key) {
        if (!key.equals(STORAGE_KEY)) {
            return false;
        }
        cached.remove(STORAGE_KEY);
        return true;
    }

    private static byte[] mac(byte[] key, String service, long seq) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] full = hmac.doFinal((DOMAIN + "\n" + service + "\n" + seq).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(full, TOKEN_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available", e);
        }
    }

    private byte[] key() {
        byte[] key = cached.get(STORAGE_KEY);
        if (key != null) {
            return key;
        }
        long stamp = cached.stamp(STORAGE_KEY);
        byte[] stored = read();
        if (stored != null) {
            return cached.offer(STORAGE_KEY, stored, stamp);
        }
        synchronized (lock) {
            stored = read();
            if (stored == null) {
                stored = new byte[32];
                RANDOM.nextBytes(stored);
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("key", Base64.getEncoder().encodeToString(stored));
                entry.put("created_at", clock.instant().toString());
                storage.put(STORAGE_KEY, Json.write(entry).getBytes(StandardCharsets.UTF_8));
                cached.put(STORAGE_KEY, stored);
                return stored;
            }
            return cached.offer(STORAGE_KEY, stored, stamp);
        }
    }

    private byte[] read() {
        return storage.get(STORAGE_KEY)
                .map(bytes -> Base64.getDecoder().decode((String) Json.parseObject(
                        new String(bytes, StandardCharsets.UTF_8)).get("key")))
                .orElse(null);
    }
}
