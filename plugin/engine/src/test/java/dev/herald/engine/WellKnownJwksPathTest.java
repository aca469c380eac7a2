package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.RawBody;
import dev.herald.sdk.Response;
import dev.herald.sdk.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WellKnownJwksPathTest {
    private final EngineFixture mount = new EngineFixture();

    private RawBody fetch() {
        return mount.send(Operation.READ, ".well-known/jwks.json", Map.of()).raw().orElseThrow();
    }

    @Test
    void theBodyIsExactlyTheSetJwksAnswers() {
        RawBody raw = fetch();
        assertEquals(200, raw.status());
        assertEquals("application/jwk-set+json", raw.contentType());
        Map<String, Object> set = Json.parseObject(new String(raw.body(), StandardCharsets.UTF_8));
        assertEquals(mount.send(Operation.READ, "jwks", Map.of()).data(), set);
        assertEquals(1, ((java.util.List<?>) set.get("keys")).size());
    }

    @Test
    void aRotatedKeyAppearsBesideTheOldOne() {
        fetch();
        mount.send(Operation.UPDATE, "signer/rotate", Map.of());
        Map<String, Object> set = Json.parseObject(new String(fetch().body(), StandardCharsets.UTF_8));
        assertEquals(2, ((java.util.List<?>) set.get("keys")).size());
        assertEquals(mount.send(Operation.READ, "jwks", Map.of()).data(), set);
    }

    @Test
    void clientsMayCacheItForATenthOfRecordTtl() {
        assertEquals("public, max-age=30", fetch().cacheControl().orElseThrow(), "record_ttl 5m by default");
        Response changed = mount.send(Operation.UPDATE, "config", Map.of("record_ttl", "20m"));
        assertTrue(changed.isNone() || !changed.data().containsKey("error"), changed.data().toString());
        assertEquals("public, max-age=120", fetch().cacheControl().orElseThrow());
    }

    @Test
    void theMaxAgeStaysUnderRecordTtlForShortOnes() {
        assertEquals(Duration.ZERO, WellKnownJwksPath.maxAge(Duration.ofSeconds(9)));
        assertEquals(Duration.ofSeconds(1), WellKnownJwksPath.maxAge(Duration.ofSeconds(10)));
        assertEquals(Duration.ofHours(1), WellKnownJwksPath.maxAge(Duration.ofHours(10)));
    }

    @Test
    void itNeedsNoToken() {
        assertTrue(mount.backend.specialPaths().unauthenticated().contains(".well-known/jwks.json"));
        assertTrue(mount.backend.specialPaths().unauthenticated().contains("jwks"), "jwks stays as it was");
    }
}
