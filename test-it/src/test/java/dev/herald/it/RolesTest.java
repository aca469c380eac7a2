package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** {@code roles/:name} and {@code roles/} on real servers, as an operator and Terraform use them. */
@Timeout(120)
class RolesTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readRole(DevServer server, String path) {
        return (Map<String, Object>) server.cli("read", "-format=json", path).assertSuccess().json().get("data");
    }

    /** {@code list -format=json} prints a JSON array of the keys. */
    private static Object listRoles(DevServer server, String mount) {
        return Json.parse(server.cli("list", "-format=json", mount + "/roles").assertSuccess().stdout());
    }

    @OnEachServer
    void aRoleIsWrittenReadListedReappliedAndDeleted(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable("roles");
        server.cli("write", mount + "/roles/web", "services=web,web-*", "instance={{alias.metadata.pod_uid}}",
                "ttl=12h", "allowed_cidrs=10.0.0.0/8", "allowed_ports=443,8000-8100").assertSuccess();
        server.cli("write", mount + "/roles/api", "services=api", "instance=*").assertSuccess();

        Map<String, Object> web = readRole(server, mount + "/roles/web");
        assertEquals(List.of("web", "web-*"), web.get("services"));
        assertEquals("{{alias.metadata.pod_uid}}", web.get("instance"));
        assertEquals(43200L, web.get("ttl"), "durations read back in seconds");
        assertEquals(List.of("10.0.0.0/8"), web.get("allowed_cidrs"));
        assertEquals(List.of("ed25519", "ec-p256", "ec-p384", "rsa"), web.get("key_types"));
        assertEquals(true, web.get("lease_bound"));

        assertEquals(List.of("api", "web"), listRoles(server, mount));

        // Terraform's vault_generic_endpoint: the same body written again, then read to detect drift.
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("services", List.of("web", "web-*"));
        body.put("instance", "{{alias.metadata.pod_uid}}");
        body.put("ttl", 43200);
        body.put("allowed_cidrs", List.of("10.0.0.0/8"));
        body.put("allowed_ports", List.of("443", "8000-8100"));
        server.http("POST", mount + "/roles/web", body).assertStatus(200);
        assertEquals(web, readRole(server, mount + "/roles/web"));

        server.cli("delete", mount + "/roles/web").assertSuccess();
        assertEquals(404, server.http("GET", mount + "/roles/web", null).status());
        assertEquals(List.of("api"), listRoles(server, mount));
    }

    @OnEachServer
    void badInputIsRefusedWithA400NamingTheFieldAndChangesNothing(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable("roles-bad");
        server.cli("write", mount + "/roles/web", "services=web", "instance=*").assertSuccess();
        Map<String, Object> before = readRole(server, mount + "/roles/web");

        record Case(String field, Object value) {
        }
        List<Case> cases = List.of(
                new Case("services", "Web"),
                new Case("instance", "a b"),
                new Case("key_types", List.of("ed25519", "dsa")),
                new Case("min_rsa_bits", 1024),
                new Case("ttl", "100h"), // above the mount's max_ttl
                new Case("allowed_cidrs", List.of("10.0.0.0/33")),
                new Case("allowed_ports", List.of("70000")),
                new Case("colour", "blue"));
        List<Executable> checks = new ArrayList<>();
        for (Case c : cases) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("min_rsa_bits", 4096); // a valid change beside the bad one: it must not apply either
            body.put(c.field(), c.value());
            HttpResult result = server.http("POST", mount + "/roles/web", body);
            Map<String, Object> after = readRole(server, mount + "/roles/web");
            checks.add(() -> assertEquals(400, result.status(), c + ": " + result));
            checks.add(() -> assertTrue(result.errors().contains(c.field()), () -> c + ": " + result));
            checks.add(() -> assertEquals(before, after, c + " changed the role"));
        }
        HttpResult badName = server.http("POST", mount + "/roles/Bad_Name", Map.of("services", "web", "instance", "*"));
        checks.add(() -> assertEquals(400, badName.status(), badName::toString));
        checks.add(() -> assertTrue(badName.errors().contains("invalid name"), badName::toString));
        assertAll(checks);
        assertEquals(Set.of("web"), Set.copyOf((List<?>) listRoles(server, mount)));
    }
}
