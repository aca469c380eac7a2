package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RolesPathTest {
    private final EngineFixture mount = new EngineFixture();
    private final dev.herald.sdk.testing.InMemoryStorage storage = mount.storage;

    private Response send(Operation operation, String path, Map<String, Object> data) {
        return mount.send(operation, path, data);
    }

    private static Map<String, Object> web() {
        Map<String, Object> data = new HashMap<>();
        data.put("services", "web,web-*");
        data.put("instance", "{{alias.metadata.pod_uid}}");
        return data;
    }

    @Test
    void aRoleReadsBackWhatItWasWrittenWithAndItsDefaults() {
        Map<String, Object> data = web();
        data.put("ttl", "12h");
        data.put("bound_alias_metadata", Map.of("namespace", "prod-*"));
        data.put("allowed_cidrs", List.of("10.0.0.0/8", "fd00::/8"));
        data.put("allowed_ports", "443,8000-8100");
        Map<String, Object> written = send(Operation.CREATE, "roles/web", data).data();
        Map<String, Object> read = send(Operation.READ, "roles/web", Map.of()).data();
        assertEquals(written, read);
        assertEquals(List.of("web", "web-*"), read.get("services"));
        assertEquals(43200L, read.get("ttl"));
        assertEquals(0L, read.get("max_ttl"));
        assertEquals(List.of("ed25519", "ec-p256", "ec-p384", "rsa"), read.get("key_types"));
        assertEquals(2048L, read.get("min_rsa_bits"));
        assertEquals(true, read.get("lease_bound"));
        assertEquals(true, read.get("require_proof"));
        assertEquals(false, read.get("allow_unbound"));
        assertEquals(List.of("443", "8000-8100"), read.get("allowed_ports"));
        assertEquals(false, read.get("allow_wildcard_claims"));
        assertEquals(0L, read.get("max_overlap"), "the mount's");
    }

    /** A role stored before max_overlap existed reads as taking the mount's, and can be updated. */
    @Test
    void aRoleStoredWithoutMaxOverlapTakesTheMountsAndItsOwnIsKept() {
        send(Operation.CREATE, "roles/web", web());
        Map<String, Object> stored = Json.parseObject(new String(storage.get("roles/web").orElseThrow(), StandardCharsets.UTF_8));
        stored.remove("max_overlap");
        EngineFixture fresh = new EngineFixture();
        fresh.storage.put("roles/web", Json.write(stored).getBytes(StandardCharsets.UTF_8));
        assertEquals(0L, fresh.send(Operation.READ, "roles/web", Map.of()).data().get("max_overlap"));
        fresh.send(Operation.UPDATE, "roles/web", Map.of("max_overlap", "2h"));
        assertEquals(7200L, fresh.send(Operation.READ, "roles/web", Map.of()).data().get("max_overlap"));
    }

    @Test
    void wildcardClaimsAreAllowedOnlyByChoice() {
        Map<String, Object> data = web();
        data.put("allow_wildcard_claims", true);
        assertEquals(true, send(Operation.CREATE, "roles/web", data).data().get("allow_wildcard_claims"));
        send(Operation.UPDATE, "roles/web", Map.of("min_rsa_bits", 3072L));
        assertEquals(true, send(Operation.READ, "roles/web", Map.of()).data().get("allow_wildcard_claims"),
                "an update that does not name it keeps it");
        send(Operation.UPDATE, "roles/web", Map.of("allow_wildcard_claims", false));
        assertEquals(false, send(Operation.READ, "roles/web", Map.of()).data().get("allow_wildcard_claims"));
    }

    /** A role stored before allow_wildcard_claims existed reads as not allowing them, and can be updated. */
    @Test
    void aRoleStoredWithoutTheFieldDoesNotAllowWildcards() {
        send(Operation.CREATE, "roles/web", web());
        Map<String, Object> stored = Json.parseObject(new String(storage.get("roles/web").orElseThrow(), StandardCharsets.UTF_8));
        stored.remove("allow_wildcard_claims");
        EngineFixture fresh = new EngineFixture(); // a mount that has cached no role: it reads storage
        fresh.storage.put("roles/web", Json.write(stored).getBytes(StandardCharsets.UTF_8));
        assertEquals(false, fresh.send(Operation.READ, "roles/web", Map.of()).data().get("allow_wildcard_claims"));
        fresh.send(Operation.UPDATE, "roles/web", Map.of("min_rsa_bits", 3072L));
        assertEquals(false, fresh.send(Operation.READ, "roles/web", Map.of()).data().get("allow_wildcard_claims"));
    }

    @Test
    void theExistenceCheckSeparatesCreateFromUpdate() {
        assertEquals(Optional.of(false), mount.exists("roles/web"));
        send(Operation.CREATE, "roles/web", web());
        assertEquals(Optional.of(true), mount.exists("roles/web"));
    }

    @Test
    void anUpdateKeepsWhatItDoesNotNameAndARewriteChangesNothing() {
        send(Operation.CREATE, "roles/web", web());
        send(Operation.UPDATE, "roles/web", Map.of("min_rsa_bits", 3072L));
        Map<String, Object> read = send(Operation.READ, "roles/web", Map.of()).data();
        assertEquals(3072L, read.get("min_rsa_bits"));
        assertEquals("{{alias.metadata.pod_uid}}", read.get("instance"));
        // Terraform re-applies the same body as a plain second write, then compares the read.
        Map<String, Object> again = web();
        again.put("min_rsa_bits", 3072L);
        send(Operation.UPDATE, "roles/web", again);
        assertEquals(read, send(Operation.READ, "roles/web", Map.of()).data());
    }

    @Test
    void rolesAreListedAndDeleted() {
        send(Operation.CREATE, "roles/web", web());
        send(Operation.CREATE, "roles/api", web());
        assertEquals(List.of("api", "web"), send(Operation.LIST, "roles/", Map.of()).data().get("keys"));
        assertTrue(send(Operation.DELETE, "roles/web", Map.of()).isNone());
        assertTrue(send(Operation.READ, "roles/web", Map.of()).isNone(), "404 once deleted");
        assertEquals(List.of("api"), send(Operation.LIST, "roles/", Map.of()).data().get("keys"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "name              | Web      | invalid name: must be 1-128 characters of a-z",
            "services          | Pay*     | invalid services: must be a non-empty list of globs",
            "services          | a/b      | invalid services: must be a non-empty list of globs",
            "services          | {{alias.nope}} | invalid services: must be a non-empty list of globs",
            "instance          | a b      | invalid instance: must be \"*\", a name, or a template",
            "services          | web,{{alias.metadata.team}}* | invalid services: {{alias.metadata.team}} shares a name segment with '*'",
            "services          | *{{alias.name}} | invalid services: {{alias.name}} shares a name segment with '*'",
            "services          | {{alias.metadata.a}}{{alias.metadata.b}}-* | invalid services: {{alias.metadata.a}} and {{alias.metadata.b}} share a name segment",
            "instance          | {{alias.metadata.a}}{{alias.metadata.b}} | invalid instance: {{alias.metadata.a}} and {{alias.metadata.b}} share a name segment",
            "key_types         | ed25519,dsa | invalid key_types: must be a non-empty list of ed25519, ec-p256, ec-p384, rsa",
            "min_rsa_bits      | 1024     | invalid min_rsa_bits: must be between 2048 and 16384, got 1024",
            "ttl               | -1h      | invalid ttl: must not be negative",
            "ttl               | 100h     | invalid ttl: 100h0m0s is longer than the mount's max_ttl (72h0m0s)",
            "max_ttl           | 73h      | invalid max_ttl: 73h0m0s is longer than the mount's max_ttl (72h0m0s)",
            "max_overlap       | 30m      | invalid max_overlap: 30m0s is shorter than the mount's min_overlap (1h0m0s)",
            "max_overlap       | -1s      | invalid max_overlap: must not be negative",
            "allowed_cidrs     | 10.0.0.0/33 | invalid allowed_cidrs: \"10.0.0.0/33\" is not an IPv4 or IPv6 network",
            "allowed_cidrs     | 256.1.1.1/8 | invalid allowed_cidrs: \"256.1.1.1/8\" is not an IPv4 or IPv6 network",
            "allowed_cidrs     | example.com/8 | invalid allowed_cidrs: \"example.com/8\" is not an IPv4 or IPv6 network",
            "allowed_ports     | 0        | invalid allowed_ports: must be ports or ranges of ports between 1 and 65535",
            "allowed_ports     | 90-80    | invalid allowed_ports: must be ranges whose first port is not above the last",
            "allowed_dns_names | Web.example.com | invalid allowed_dns_names: must be globs of lower-case DNS names",
            "lease_bound       | perhaps  | invalid lease_bound: expected true or false",
            "colour            | blue     | unknown field \"colour\"",
    })
    void badInputIsA400NamingTheFieldAndChangesNothing(String field, String value, String message) {
        send(Operation.CREATE, "roles/web", web());
        Map<String, Object> before = send(Operation.READ, "roles/web", Map.of()).data();
        Set<String> keysBefore = storage.keys();
        Map<String, Object> data = web();
        String path = "roles/web";
        if (field.equals("name")) {
            path = "roles/" + value;
        } else {
            data.put(field, value);
        }
        String target = path;
        VaultException e = assertThrows(VaultException.class, () -> send(Operation.UPDATE, target, data));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
        assertEquals(before, send(Operation.READ, "roles/web", Map.of()).data());
        assertEquals(keysBefore, storage.keys());
    }

    /** A long glob once overflowed the stack of the regex before its length was checked: a 500, from any token's existence check. */
    @Test
    void aServiceGlobTooLongIsA400NamingItsLength() {
        String glob = "{{alias.name}}".repeat(400);
        VaultException e = assertThrows(VaultException.class,
                () -> send(Operation.CREATE, "roles/web", Map.of("services", List.of(glob), "instance", "*")));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("invalid services: must "), e.getMessage().substring(0, 80));
        assertTrue(storage.keys().isEmpty());
    }

    @Test
    void aNewRoleNeedsServicesAndInstance() {
        VaultException e = assertThrows(VaultException.class,
                () -> send(Operation.CREATE, "roles/web", Map.of("services", "web")));
        assertEquals("a new role needs services and instance", e.getMessage());
        assertTrue(storage.keys().isEmpty());
    }
}
