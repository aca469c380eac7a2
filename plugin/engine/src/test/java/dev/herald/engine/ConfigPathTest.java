package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigPathTest {
    private final EngineFixture mount = new EngineFixture();
    private final dev.herald.sdk.testing.InMemoryStorage storage = mount.storage;

    private Response send(Operation operation, Map<String, Object> data) {
        return mount.send(operation, "config", data);
    }

    @Test
    void aFreshMountReadsTheDefaultsWithDurationsInSeconds() {
        assertEquals(Map.ofEntries(
                Map.entry("default_ttl", 86400L), Map.entry("max_ttl", 259200L), Map.entry("rotation_window", 0.5),
                Map.entry("min_overlap", 3600L), Map.entry("record_ttl", 300L), Map.entry("verification_ttl", 86400L),
                Map.entry("signing_algorithm", "EdDSA"), Map.entry("issuer", "herald/"),
                Map.entry("require_wrapping", false), Map.entry("wrap_ttl", 60L), Map.entry("max_metadata_bytes", 4096L),
                Map.entry("max_record_instances", 1000L), Map.entry("log_witnesses", java.util.List.of()),
                Map.entry("max_overlap", 21600L), Map.entry("consumer_ttl", 7200L), Map.entry("max_consumers", 20000L),
                Map.entry("max_consumer_sessions", 256L)),
                send(Operation.READ, Map.of()).data());
    }

    @Test
    void anUpdateChangesOnlyTheFieldsItNamesAndPersists() {
        send(Operation.UPDATE, Map.of("default_ttl", "12h", "record_ttl", 120L, "issuer", "me"));
        send(Operation.UPDATE, Map.of("signing_algorithm", "ES256", "rotation_window", "0.6"));
        Map<String, Object> data = send(Operation.READ, Map.of()).data();
        assertEquals(43200L, data.get("default_ttl"));
        assertEquals(120L, data.get("record_ttl"));
        assertEquals("me", data.get("issuer"));
        assertEquals("ES256", data.get("signing_algorithm"));
        assertEquals(0.6, data.get("rotation_window"));
        assertEquals(259200L, data.get("max_ttl"));
        assertTrue(storage.keys().contains("config"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "default_ttl        | abc   | invalid default_ttl: invalid duration \"abc\"",
            "default_ttl        | 0     | invalid default_ttl: must be greater than zero",
            "default_ttl        | 100h  | invalid default_ttl: 100h0m0s is longer than max_ttl (72h0m0s)",
            "max_ttl            | 1h    | invalid default_ttl: 24h0m0s is longer than max_ttl (1h0m0s)",
            "rotation_window    | 1.5   | invalid rotation_window: must be between 0 and 1 (exclusive), got 1.5",
            "rotation_window    | 0     | invalid rotation_window: must be between 0 and 1 (exclusive), got 0.0",
            "min_overlap        | -1s   | invalid min_overlap: must not be negative",
            "signing_algorithm  | RS1   | invalid signing_algorithm: \"RS1\" is not one of \"EdDSA\", \"ES256\"",
            "require_wrapping   | maybe | invalid require_wrapping: expected true or false",
            "max_metadata_bytes | -1    | invalid max_metadata_bytes: must be between 1 and 1048576, got -1",
            "max_metadata_bytes | 2.5   | invalid max_metadata_bytes: expected a whole number",
            "max_overlap        | 30m   | invalid max_overlap: 30m0s is shorter than min_overlap (1h0m0s)",
            "min_overlap        | 7h    | invalid max_overlap: 6h0m0s is shorter than min_overlap (7h0m0s)",
            "consumer_ttl       | 1m    | invalid consumer_ttl: 1m0s is shorter than record_ttl (5m0s)",
            "record_ttl         | 3h    | invalid consumer_ttl: 2h0m0s is shorter than record_ttl (3h0m0s)",
            "consumer_ttl       | 0     | invalid consumer_ttl: must be greater than zero",
            "max_consumers      | 0     | invalid max_consumers: must be between 1 and 100000, got 0",
            "max_consumer_sessions | 10001 | invalid max_consumer_sessions: must be between 1 and 10000, got 10001",
            "colour             | blue  | unknown field \"colour\"",
    })
    void badInputIsA400NamingTheFieldAndChangesNothing(String field, String value, String message) {
        send(Operation.UPDATE, Map.of("issuer", "kept"));
        VaultException e = assertThrows(VaultException.class, () -> send(Operation.UPDATE, Map.of(field, value)));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
        Map<String, Object> after = send(Operation.READ, Map.of()).data();
        assertEquals("kept", after.get("issuer"));
        assertEquals(86400L, after.get("default_ttl"));
        assertEquals(259200L, after.get("max_ttl"));
    }

    @Test
    void logWitnessesAreCosignatureKeysEachNamedOnce() {
        var one = dev.herald.tlog.Ed25519Keys.generate().getPublic();
        var two = dev.herald.tlog.Ed25519Keys.generate().getPublic();
        String a = dev.herald.tlog.NoteVerifier.cosigner("witness-a", one).vkey();
        String b = dev.herald.tlog.NoteVerifier.cosigner("witness-b", two).vkey();
        send(Operation.UPDATE, Map.of("log_witnesses", a + "," + b));
        assertEquals(java.util.List.of(a, b), send(Operation.READ, Map.of()).data().get("log_witnesses"));
        Map<String, String> refused = Map.of(
                "not a key", "invalid log_witnesses: entry 1: a verifier key is <name>+<id>+<key>",
                dev.herald.tlog.NoteVerifier.ed25519("log", one).vkey(), "invalid log_witnesses: entry 1: the key of log is of type 0x01",
                a + "," + dev.herald.tlog.NoteVerifier.cosigner("witness-a", two).vkey(),
                "invalid log_witnesses: entry 2: a second key named witness-a",
                a.substring(0, a.length() - 4) + "AAA=", "invalid log_witnesses: entry 1: ");
        refused.forEach((value, message) -> {
            VaultException e = assertThrows(VaultException.class, () -> send(Operation.UPDATE, Map.of("log_witnesses", value)));
            assertEquals(400, e.status());
            assertTrue(e.getMessage().startsWith(message), e.getMessage());
            assertEquals(java.util.List.of(a, b), send(Operation.READ, Map.of()).data().get("log_witnesses"), "unchanged");
        });
        send(Operation.UPDATE, Map.of("log_witnesses", java.util.List.of()));
        assertEquals(java.util.List.of(), send(Operation.READ, Map.of()).data().get("log_witnesses"));
    }
}
