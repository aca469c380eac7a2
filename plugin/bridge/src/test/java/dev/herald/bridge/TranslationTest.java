package dev.herald.bridge;

import dev.herald.proto.pb.Secret;
import dev.herald.sdk.Lease;
import dev.herald.sdk.Operation;
import dev.herald.sdk.RawBody;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leases on the wire: what the servers require of a secret, and what they send back. */
class TranslationTest {
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00.5Z");

    @Test
    void anIssuedLeaseCarriesItsTypeDurationsAndAnIssueTime() {
        Response response = Response.data(Map.of("k", "v")).withLease(
                Lease.renewable("publication", Duration.ofHours(1), Duration.ofHours(3), Map.of("service", "web")));
        Secret secret = Translation.response(response, NOW).getSecret();
        assertEquals(Duration.ofHours(1).toNanos(), secret.getLeaseOptions().getTTL());
        assertEquals(Duration.ofHours(3).toNanos(), secret.getLeaseOptions().getMaxTTL());
        assertTrue(secret.getLeaseOptions().getRenewable());
        assertTrue(secret.getLeaseOptions().hasIssueTime(), "both servers refuse a lease without issue_time");
        assertEquals(NOW.getEpochSecond(), secret.getLeaseOptions().getIssueTime().getSeconds());
        assertEquals(Map.of("service", "web", "secret_type", "publication"), Json.parseObject(secret.getInternalData()));
    }

    @Test
    void aRawResponseTravelsAsTheDataKeysTheServersAnswerRaw() {
        // A body that is valid base64 as it stands: sent as it is, the servers would decode it.
        byte[] body = "abcd".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        dev.herald.proto.pb.Response wire = Translation.response(Response.raw(
                RawBody.of(200, "application/jwk-set+json", body).withCacheControl("public, max-age=30")), NOW);
        Map<String, Object> data = Json.parseObject(wire.getData());
        assertEquals(4, data.size(), data.toString());
        assertEquals(200L, ((Number) data.get("http_status_code")).longValue());
        assertEquals("application/jwk-set+json", data.get("http_content_type"));
        assertEquals("public, max-age=30", data.get("http_raw_cache_control"));
        assertArrayEquals(body, Base64.getDecoder().decode((String) data.get("http_raw_body")));
        assertFalse(wire.hasSecret());
        assertFalse(wire.hasWrapInfo());
        assertEquals(0, wire.getWarningsCount());
    }

    @Test
    void aRawResponseWithoutCacheControlSendsNone() {
        Map<String, Object> data = Json.parseObject(Translation.response(
                Response.raw(RawBody.of(404, "text/plain", new byte[0])), NOW).getData());
        assertFalse(data.containsKey("http_raw_cache_control"));
        assertEquals("", data.get("http_raw_body"));
        assertEquals(404L, ((Number) data.get("http_status_code")).longValue());
    }

    @Test
    void aResponseWithoutLeaseHasNoSecret() {
        assertFalse(Translation.response(Response.data(Map.of("k", "v")), NOW).hasSecret());
    }

    @Test
    void renewAndRevokeRequestsBringTheKeptLeaseBack() {
        Secret kept = Translation.secret(Lease.renewable("publication", Duration.ofMinutes(5), Duration.ZERO,
                Map.of("generation", 2)), NOW).toBuilder().setLeaseId("herald/publish/web/a/xyz").build();
        for (String operation : new String[] {"renew", "revoke"}) {
            Request request = Translation.request(dev.herald.proto.pb.Request.newBuilder()
                    .setOperation(operation).setPath("publish/web/a").setData("{\"service\":\"web\"}").setSecret(kept).build());
            assertEquals(Operation.fromWireName(operation).orElseThrow(), request.operation());
            Lease lease = request.lease().orElseThrow();
            assertEquals("publication", lease.secretType());
            assertEquals(2L, ((Number) lease.internalData().get("generation")).longValue());
            assertEquals(Duration.ofMinutes(5), lease.ttl());
            assertEquals(NOW, lease.issueTime());
            assertEquals("herald/publish/web/a/xyz", lease.leaseId());
            assertEquals("web", request.rawData().get("service"));
        }
    }
}
