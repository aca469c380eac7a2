package dev.herald.sdk;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Renew and revoke reach the handlers of the lease's secret type, whatever the path. */
class LeaseRoutingTest {
    private final List<String> calls = new ArrayList<>();

    private Router router() {
        return Router.builder("Leases.", "")
                .path(Path.pattern("creds/:name").fields(Field.string("name", "Name."))
                        .read("Issue.", request -> Response.data(Map.of("user", "u1"))
                                .withLease(Lease.renewable("creds", Duration.ofMinutes(5), Duration.ofHours(1),
                                        Map.of("user", "u1")))))
                .secretType("creds",
                        request -> {
                            calls.add("renew " + request.lease().orElseThrow().string("user").orElseThrow());
                            return Response.renewal(request.lease().orElseThrow().renewedFor(Duration.ofMinutes(7)));
                        },
                        request -> {
                            calls.add("revoke " + request.lease().orElseThrow().string("user").orElseThrow());
                            return Response.none();
                        })
                .build();
    }

    private static Request leaseRequest(Operation operation, Lease lease) {
        return Request.forLease("id", operation, "creds/x", Map.of("user", "u1"), Caller.NONE,
                Request.MountInfo.NONE, lease);
    }

    @Test
    void aHandlerIssuesALeaseAndTheServerCallsBackByItsType() {
        Response issued = router().handle(new Request("id", Operation.READ, "creds/x", Map.of(), Caller.NONE,
                Request.MountInfo.NONE, null));
        Lease lease = issued.lease().orElseThrow();
        assertEquals("creds", lease.secretType());
        assertEquals(Duration.ofMinutes(5), lease.ttl());
        assertTrue(lease.renewable());

        Instant issuedAt = Instant.parse("2026-11-24T10:00:00Z");
        Lease kept = new Lease("creds", lease.internalData(), lease.ttl(), lease.maxTtl(), true, issuedAt,
                Duration.ofMinutes(2), "creds/x/abc");
        Lease renewed = router().handle(leaseRequest(Operation.RENEW, kept)).lease().orElseThrow();
        assertEquals(Duration.ofMinutes(7), renewed.ttl());
        assertEquals(issuedAt, renewed.issueTime(), "a renewal keeps the original issue time");
        assertTrue(router().handle(leaseRequest(Operation.REVOKE, kept)).isNone());
        assertEquals(List.of("renew u1", "revoke u1"), calls);
    }

    @Test
    void leasesOfUnknownTypesAreRevokedQuietlyButNotRenewed() {
        Lease foreign = Lease.renewable("gone", Duration.ofMinutes(1), Duration.ZERO, Map.of());
        assertTrue(router().handle(leaseRequest(Operation.REVOKE, foreign)).isNone(),
                "an unknown type must not block the mount's removal");
        VaultException e = assertThrows(VaultException.class, () -> router().handle(leaseRequest(Operation.RENEW, foreign)));
        assertEquals(400, e.status());
        assertTrue(calls.isEmpty());
    }

    @Test
    void onlyRenewAndRevokeCarryALease() {
        Lease lease = Lease.fixed("creds", Duration.ofMinutes(1), Map.of());
        assertThrows(IllegalArgumentException.class, () -> Request.forLease("id", Operation.READ, "creds/x", Map.of(),
                Caller.NONE, Request.MountInfo.NONE, lease));
    }
}
