package com.example.kvlease;

import dev.herald.sdk.Backend;
import dev.herald.sdk.Caller;
import dev.herald.sdk.Lease;
import dev.herald.sdk.Mount;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.testing.FixedSystemView;
import dev.herald.sdk.testing.InMemoryStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static com.example.kvlease.SecretPathTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredsPathTest {
    final Backend backend = KvLeasePlugin.backend(new Mount(new InMemoryStorage(), new FixedSystemView(), Map.of(), "m"));

    @BeforeEach
    void storeASecret() {
        backend.handle(request(Operation.CREATE, "secrets/db", Map.of("value", "s3cret", "ttl", "10m")));
    }

    Lease readLease() {
        Response read = backend.handle(request(Operation.READ, "creds/db", Map.of()));
        assertEquals("s3cret", read.data().get("value"));
        return read.lease().orElseThrow();
    }

    Request forLease(Operation operation, Lease lease) {
        return Request.forLease("id", operation, "creds/db", Map.of(), Caller.NONE, Request.MountInfo.NONE, lease);
    }

    @Test
    void theValueComesWithARenewableLeaseOfTheSecretsTtl() {
        Lease lease = readLease();
        assertEquals(CredsPath.SECRET_TYPE, lease.secretType());
        assertEquals(Duration.ofMinutes(10), lease.ttl());
        assertTrue(lease.renewable());
        assertEquals("db", lease.string("name").orElseThrow());
    }

    @Test
    void renewalTakesTheCurrentTtl() {
        Lease lease = readLease();
        backend.handle(request(Operation.UPDATE, "secrets/db", Map.of("value", "s3cret", "ttl", "20m")));
        Response renewed = backend.handle(forLease(Operation.RENEW, lease));
        assertEquals(Duration.ofMinutes(20), renewed.lease().orElseThrow().ttl());
    }

    @Test
    void aDeletedSecretsLeasesAreNotRenewedButStillRevoked() {
        Lease lease = readLease();
        backend.handle(request(Operation.DELETE, "secrets/db", Map.of()));
        VaultException refused = assertThrows(VaultException.class, () -> backend.handle(forLease(Operation.RENEW, lease)));
        assertEquals(400, refused.status());
        assertTrue(backend.handle(forLease(Operation.REVOKE, lease)).isNone());
    }

    @Test
    void anUnknownNameIsA404() {
        assertTrue(backend.handle(request(Operation.READ, "creds/none", Map.of())).isNone());
    }
}
