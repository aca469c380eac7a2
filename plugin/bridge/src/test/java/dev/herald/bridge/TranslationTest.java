package dev.herald.bridge;

import dev.herald.proto.pb.Secret;
import dev.herald.sdk.Lease;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

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
