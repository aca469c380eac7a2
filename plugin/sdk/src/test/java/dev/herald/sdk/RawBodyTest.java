package dev.herald.sdk;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raw responses: what they carry, and what the servers would refuse or lose, refused here first. */
class RawBodyTest {
    private static final byte[] BODY = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRawResponseCarriesItsBodyAndNoData() {
        Response response = Response.raw(RawBody.of(200, "application/jwk-set+json", BODY)
                .withCacheControl("public, max-age=30"));
        RawBody raw = response.raw().orElseThrow();
        assertEquals(200, raw.status());
        assertEquals("application/jwk-set+json", raw.contentType());
        assertArrayEquals(BODY, raw.body());
        assertEquals("public, max-age=30", raw.cacheControl().orElseThrow());
        assertFalse(response.isNone(), "a raw response is an answer, not a 404");
        assertTrue(response.data().isEmpty());
        assertTrue(Response.data(Map.of("k", "v")).raw().isEmpty());
    }

    @Test
    void theBodyCannotBeChangedAfterwards() {
        byte[] body = BODY.clone();
        RawBody raw = RawBody.of(200, "application/json", body);
        body[0] = 'x';
        raw.body()[1] = 'x';
        assertArrayEquals(BODY, raw.body());
    }

    @Test
    void cacheControlIsAbsentUnlessGiven() {
        assertTrue(RawBody.of(200, "text/plain", BODY).cacheControl().isEmpty());
    }

    @Test
    void headerValuesAreSingleNonBlankLines() {
        assertThrows(IllegalArgumentException.class, () -> RawBody.of(200, "text/plain\r\nX-Evil: 1", BODY));
        assertThrows(IllegalArgumentException.class, () -> RawBody.of(200, " ", BODY));
        RawBody raw = RawBody.of(200, "text/plain", BODY);
        assertThrows(IllegalArgumentException.class, () -> raw.withCacheControl("max-age=1\nSet-Cookie: a=b"));
    }

    @Test
    void theStatusIsAnHttpStatus() {
        assertThrows(IllegalArgumentException.class, () -> RawBody.of(99, "text/plain", BODY));
        assertThrows(IllegalArgumentException.class, () -> RawBody.of(600, "text/plain", BODY));
        assertEquals(204, RawBody.of(204, "text/plain", new byte[0]).status());
    }

    @Test
    void aRawResponseTakesNoWarningWrappingOrLease() {
        Response raw = Response.raw(RawBody.of(200, "text/plain", BODY));
        assertThrows(IllegalStateException.class, () -> raw.withWarning("lost on the way"));
        assertThrows(IllegalStateException.class, () -> raw.wrapped(Duration.ofMinutes(1)));
        assertThrows(IllegalStateException.class, () -> raw.withLease(
                Lease.renewable("t", Duration.ofMinutes(1), Duration.ofMinutes(2), Map.of())));
    }

    @Test
    void equalBodiesMakeEqualValues() {
        assertEquals(RawBody.of(200, "text/plain", BODY), RawBody.of(200, "text/plain", BODY.clone()));
        assertEquals(RawBody.of(200, "text/plain", BODY).hashCode(), RawBody.of(200, "text/plain", BODY.clone()).hashCode());
        assertFalse(RawBody.of(200, "text/plain", BODY).equals(RawBody.of(200, "text/plain", BODY).withCacheControl("no-store")));
    }
}
