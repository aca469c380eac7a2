package com.example.kvlease;

import dev.herald.sdk.Backend;
import dev.herald.sdk.Caller;
import dev.herald.sdk.Mount;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.testing.FixedSystemView;
import dev.herald.sdk.testing.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretPathTest {
    final InMemoryStorage storage = new InMemoryStorage();
    final Backend backend = KvLeasePlugin.backend(new Mount(storage, new FixedSystemView(), Map.of(), "test-mount"));

    static Request request(Operation operation, String path, Map<String, Object> data) {
        return new Request("id", operation, path, data, Caller.NONE, Request.MountInfo.NONE, null);
    }

    @Test
    void aNewNameIsACreateAndAnExistingOneAnUpdate() {
        Request write = request(Operation.UPDATE, "secrets/db", Map.of("value", "s3cret", "ttl", "10m"));
        assertEquals(Optional.of(false), backend.exists(write));
        backend.handle(write.withOperation(Operation.CREATE));
        assertEquals(Optional.of(true), backend.exists(write));

        Response read = backend.handle(request(Operation.READ, "secrets/db", Map.of()));
        assertEquals(Map.of("ttl", 600L), read.data()); // durations read back as seconds
        assertFalse(read.data().containsKey("value"), "the value is read through creds/ only");
        assertTrue(storage.keys().contains("secrets/db"));
    }

    @Test
    void theTtlDefaultsToAnHour() {
        backend.handle(request(Operation.CREATE, "secrets/api", Map.of("value", "x")));
        assertEquals(3600L, backend.handle(request(Operation.READ, "secrets/api", Map.of())).data().get("ttl"));
    }

    @Test
    void badInputIsA400NamingTheField() {
        VaultException noValue = assertThrows(VaultException.class,
                () -> backend.handle(request(Operation.CREATE, "secrets/db", Map.of("ttl", "1h"))));
        assertEquals(400, noValue.status());
        assertTrue(noValue.getMessage().contains("value"), noValue.getMessage());

        VaultException longTtl = assertThrows(VaultException.class,
                () -> backend.handle(request(Operation.CREATE, "secrets/db", Map.of("value", "x", "ttl", "48h"))));
        assertTrue(longTtl.getMessage().contains("at most 24h"), longTtl.getMessage());

        VaultException badName = assertThrows(VaultException.class,
                () -> backend.handle(request(Operation.CREATE, "secrets/Bad_Name", Map.of("value", "x"))));
        assertEquals(400, badName.status());
        assertTrue(badName.getMessage().contains("name"), badName.getMessage());
        assertTrue(storage.keys().isEmpty(), "nothing written by refused requests");
    }

    @Test
    void deleteRemovesTheSecret() {
        backend.handle(request(Operation.CREATE, "secrets/db", Map.of("value", "x")));
        backend.handle(request(Operation.DELETE, "secrets/db", Map.of()));
        assertTrue(backend.handle(request(Operation.READ, "secrets/db", Map.of())).isNone()); // none: a 404
    }
}
