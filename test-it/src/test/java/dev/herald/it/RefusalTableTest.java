package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Requests an identity or a claim must not get through, on real servers, beside
 * {@link MalformedInputTest} (which it does not repeat): role templates filled with values that
 * would reach into another tenant's names, ports with leading zeros, wildcard DNS claims, endpoint
 * and address spellings that readers disagree on, a non-canonical Ed25519 key, and requests
 * without a token. Each row must get its status, with errors naming the problem, and leave the
 * mount's observable state as it was; controls at the end show the base requests were good.
 */
@Timeout(600)
class RefusalTableTest {

    private static final String MOUNT = "refusals";

    /** Who sends a request: the root token, no token, or a workload logged in through jwt auth. */
    private enum Who {
        ROOT(null, null),
        NONE(null, null),
        /** The workload with the one good publication. */
        POD1("pod-1", "web"),
        /** Team pay: the publisher of most rows, and of the controls. */
        POD2("pod-2", "pay"),
        PAY_ROLL("pod-3", "pay-roll"),
        ROLL_PAY("pod-4", "roll-pay"),
        TEAM_STAR("pod-5", "*"),
        TEAM_UPPER("pod-6", "PAY"),
        UID_STAR("*", "pay"),
        UID_DOT_STAR(".*", "pay"),
        UID_UPPER("POD-8", "pay");

        final String podUid;
        final String team;

        Who(String podUid, String team) {
            this.podUid = podUid;
            this.team = team;
        }
    }

    /** One refused request: its status, and fragments of which the errors must hold at least one. */
    private record Case(String what, String method, String path, Object body, Who who, int status,
                        List<String> fragments) {
        @Override
        public String toString() {
            return "[" + what + "] " + method + " " + path;
        }
    }

    /** pod-2's key: its CSR is in every base body, and the controls publish it. */
    private final String csr = Publisher.ed25519().csrPem();

    @OnEachServer
    void everyRefusalNamesItsRuleAndChangesNothing(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable(MOUNT);
        JwtIssuer issuer = JwtIssuer.enable(server, "jwt-" + MOUNT);
        JwtIssuer.policy(server, MOUNT + "-publisher", "path \"" + mount + "/publish/*\" { capabilities = "
                + "[\"create\", \"update\"] }\npath \"" + mount + "/discover/*\" { capabilities = [\"read\"] }\n");
        // Both claims become alias metadata, which the roles' templates read.
        issuer.role("pods", List.of(MOUNT + "-publisher"), Map.of("pod_uid", "pod_uid", "team", "team"));
        Map<String, Object> web = map("services", List.of("web"), "instance", "{{alias.metadata.pod_uid}}",
                "bound_mount_accessor", issuer.mountAccessor(), "allowed_dns_names", List.of("*.web.internal"),
                "allowed_cidrs", List.of("10.0.0.0/8"), "allowed_ports", List.of("443", "8443"));
        writeRole(server, mount, "web", web, map());
        writeRole(server, mount, "teams", web, map("services", List.of("{{alias.metadata.team}}-*")));
        writeRole(server, mount, "suffix", web, map("services", List.of("*-{{alias.metadata.team}}")));
        writeRole(server, mount, "wild", web, map("services", List.of("wild"), "allow_wildcard_claims", true));
        writeRole(server, mount, "raw", web, map("require_proof", false));

        Map<Who, String> tokens = new LinkedHashMap<>();
        tokens.put(Who.ROOT, server.rootToken());
        tokens.put(Who.NONE, null);
        for (Who who : Who.values()) {
            if (who.podUid != null) {
                tokens.put(who, issuer.login("pods", "system:serviceaccount:prod:" + who.name().toLowerCase(),
                        Map.of("pod_uid", who.podUid, "team", who.team)).token());
            }
        }
        server.http("POST", mount + "/publish/web/pod-1", body("web", Publisher.ed25519().csrPem(), "pod-1"),
                tokens.get(Who.POD1)).assertStatus(200);

        List<Case> cases = cases();
        Map<String, Object> state = snapshot(server, mount);
        List<Executable> checks = new ArrayList<>();
        for (Case c : cases) {
            HttpResult result = server.http(c.method(), mount + "/" + c.path(), c.body(), tokens.get(c.who()));
            Map<String, Object> before = state;
            Map<String, Object> after = snapshot(server, mount);
            checks.add(() -> assertEquals(c.status(), result.status(), c + ": " + result));
            checks.add(() -> assertTrue(c.fragments().stream().anyMatch(result.errors()::contains),
                    () -> c + ": the errors should name the problem (" + String.join(" | ", c.fragments()) + "): " + result));
            List<String> changed = before.keySet().stream()
                    .filter(key -> !Objects.equals(before.get(key), after.get(key))).toList();
            checks.add(() -> assertTrue(changed.isEmpty(),
                    () -> c + " changed the mount's state (" + String.join(", ", changed) + "); answer: " + result));
            state = after; // so that one wrongly accepted request does not fail every later one
        }

        // Controls: the base bodies were good, and what the rows refused is allowed where it should be.
        String pod2 = tokens.get(Who.POD2);
        HttpResult ownTeam = server.http("POST", mount + "/publish/pay-api/pod-2", body("teams", csr, "pod-2"), pod2);
        checks.add(() -> assertEquals(200, ownTeam.status(), "team pay publishes pay-api: " + ownTeam));
        HttpResult base = server.http("POST", mount + "/publish/web/pod-2", body("web", csr, "pod-2"), pod2);
        checks.add(() -> assertEquals(200, base.status(), "pod-2's base body publishes: " + base));
        Map<String, Object> wildcard = body("wild", csr, "pod-2");
        wildcard.put("dns_names", List.of("*.web.internal"));
        HttpResult wild = server.http("POST", mount + "/publish/wild/pod-2", wildcard, pod2);
        checks.add(() -> assertEquals(200, wild.status(), "a wildcard claim where the role allows it: " + wild));
        if (wild.status() == 200) {
            Object claimed = Json.at(server.http("GET", mount + "/discover/wild/pod-2", null).assertStatus(200).data(),
                    "instances", "0", "dns_names");
            checks.add(() -> assertEquals(List.of("*.web.internal"), claimed, "the record carries the wildcard claim"));
        }
        assertAll(checks);
    }

    /**
     * The regex matcher backtracked through every split of a name among a glob's stars: one
     * request of a 4-star glob against a 243-character name took 5.7 s. Thirty such requests
     * must all be answered within the test's timeout, server set-up included.
     */
    @OnEachServer
    @Timeout(150)
    void aGlobOfManyStarsAgainstALongNameAnswersPromptly(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable("slow-glob");
        server.http("POST", mount + "/roles/slow", map("services", List.of("web"), "instance", "*", "allow_unbound", true,
                "allowed_dns_names", List.of("*a*a*a*b"))).assertStatus(200);
        // 243 characters: three labels of 63 a's and one of 51, which *a*a*a*b never matches
        String name = String.join(".", "a".repeat(63), "a".repeat(63), "a".repeat(63), "a".repeat(51));
        assertEquals(243, name.length());
        String key = Publisher.ed25519().csrPem();
        for (int i = 0; i < 30; i++) {
            HttpResult result = server.http("POST", mount + "/publish/web/i-" + i,
                    map("role", "slow", "csr", key, "dns_names", List.of(name)));
            assertEquals(403, result.status(), result::toString);
            assertTrue(result.errors().contains("is not in allowed_dns_names of role slow"), result::toString);
        }
    }

    // ---- the table ----

    private List<Case> cases() {
        List<Case> cases = new ArrayList<>();

        // -- templates: a filled value must be a whole name segment (DESIGN §5.2) --
        String segment = "{{alias.metadata.team}} must be a whole name segment";
        cases.add(publishAs(Who.PAY_ROLL, "team pay-roll under {{alias.metadata.team}}-*, in its would-be space",
                "teams", "pay-roll-api", map(), 403, segment));
        cases.add(publishAs(Who.PAY_ROLL, "team pay-roll under {{alias.metadata.team}}-*, in team pay's space",
                "teams", "pay-api", map(), 403, segment));
        cases.add(publishAs(Who.ROLL_PAY, "team roll-pay under *-{{alias.metadata.team}} (a separator before it)",
                "suffix", "x-roll-pay", map(), 403, segment));
        cases.add(publishAs(Who.TEAM_STAR, "team '*' stays literal, never a glob", "teams", "web-api", map(), 403, segment));
        cases.add(publishAs(Who.TEAM_UPPER, "team 'PAY' is not folded to lower case", "teams", "pay-api", map(), 403, segment));
        cases.add(publishAs(Who.UID_STAR, "pod_uid '*' stays literal: not any instance", "web", "pod-7", map(),
                403, "requires the instance to be {{alias.metadata.pod_uid}}"));
        cases.add(publishAs(Who.UID_DOT_STAR, "pod_uid '.*' stays literal: no regex", "web", "pod-7", map(),
                403, "requires the instance to be {{alias.metadata.pod_uid}}"));
        cases.add(publishAs(Who.UID_UPPER, "pod_uid 'POD-8' is not folded to pod-8", "web", "pod-8", map(),
                403, "requires the instance to be {{alias.metadata.pod_uid}}"));
        cases.add(new Case("role template with '*' in the placeholder's segment", "POST", "roles/prefix",
                map("services", List.of("{{alias.metadata.team}}*"), "instance", "*"), Who.ROOT,
                400, List.of("invalid services: {{alias.metadata.team}} shares a name segment with '*'")));
        cases.add(new Case("role template with two placeholders in one segment", "POST", "roles/joined",
                map("services", List.of("web"), "instance", "{{alias.metadata.team}}{{alias.metadata.pod_uid}}"), Who.ROOT,
                400, List.of("invalid instance: {{alias.metadata.team}} and {{alias.metadata.pod_uid}} share a name segment")));

        // -- ports with leading zeros --
        cases.add(endpoint("endpoint port 08443", "pod-2.web.internal:08443",
                400, "port \"08443\" of \"pod-2.web.internal:08443\" has a leading zero"));
        cases.add(endpoint("URL endpoint port 08443", "https://pod-2.web.internal:08443/",
                400, "has a leading zero"));

        // -- wildcard DNS claims --
        cases.add(claim("dns_names *.web.internal without allow_wildcard_claims", map("dns_names", List.of("*.web.internal")),
                400, "invalid dns_names: \"*.web.internal\" is a wildcard, and role web does not allow wildcard claims"));
        cases.add(publishAs(Who.POD2, "wildcard endpoint host, even where wildcard claims are allowed", "wild", "pod-2",
                map("endpoints", List.of("*.web.internal:8443")), 400, "is a wildcard, which nothing can connect to"));
        cases.add(publishAs(Who.POD2, "wildcard claim beyond allowed_dns_names", "wild", "pod-2",
                map("dns_names", List.of("*.internal")), 403, "name *.internal is not in allowed_dns_names"));

        // -- endpoints that readers disagree on --
        cases.add(endpoint("endpoint host with a trailing dot", "pod-2.web.internal.:8443",
                400, "invalid endpoints: the host of \"pod-2.web.internal.:8443\" is neither"));
        cases.add(endpoint("upper-case endpoint host", "POD-2.web.internal:8443",
                400, "is neither an IP address nor a lower-case DNS name"));
        // 10.0.0.1 to inet_aton, a name to us: not an address allowed_cidrs can vouch for
        cases.add(endpoint("endpoint host 0x0a000001", "0x0a000001:8443",
                403, "endpoints: name 0x0a000001 is not in allowed_dns_names"));
        cases.add(endpoint("IPv4-mapped IPv6 endpoint", "[::ffff:10.0.0.1]:8443",
                400, "has a malformed IPv6 address"));
        cases.add(endpoint("IPv6 endpoint with a zone id", "[fe80::1%eth0]:8443",
                400, "has a malformed IPv6 address"));
        cases.add(endpoint("IPv6 endpoint with an escaped zone id", "[fe80::1%25eth0]:8443",
                400, "has a malformed IPv6 address"));
        cases.add(endpoint("user information without a scheme", "admin@pod-2.web.internal:8443",
                400, "is neither an IP address nor a lower-case DNS name"));
        cases.add(endpoint("host:port followed by @host", "pod-2.web.internal:8443@evil.example",
                400, "needs a port"));
        cases.add(endpoint("URL with :port@host", "https://pod-2.web.internal:8443@evil.example/",
                400, "carries user information"));
        cases.add(endpoint("URL with \\@host", "https://pod-2.web.internal\\@evil.example/",
                400, "carries user information"));
        cases.add(endpoint("endpoint port 0", "pod-2.web.internal:0", 400, "is not between 1 and 65535"));
        cases.add(endpoint("endpoint port 65536", "pod-2.web.internal:65536",
                400, "port 65536 of \"pod-2.web.internal:65536\" is not between 1 and 65535"));
        cases.add(endpoint("bare IPv6 endpoint", "fd00::1", 400, "needs a port"));
        cases.add(endpoint("bare IPv6 endpoint with a port after it", "fd00::1:8443", 400, "needs a port"));

        // -- ip_addresses under a role of IPv4 networks --
        for (String ip : List.of("::ffff:10.0.0.1", "10.1", "167772161", "localhost")) {
            cases.add(claim("ip address " + ip, map("ip_addresses", List.of(ip)),
                    400, "invalid ip_addresses: \"" + ip + "\" is not an IPv4 or IPv6 address"));
        }

        // -- dns_names --
        for (String name : List.of("pod-2.web.internal.", "pod-2..web.internal", "pod-2.web.123")) {
            cases.add(claim("dns name " + name, map("dns_names", List.of(name)),
                    400, "invalid dns_names: \"" + name + "\" is not a lower-case DNS name"));
        }

        // -- keys --
        cases.add(publishAs(Who.POD2, "Ed25519 key encoded non-canonically (y = p + 3, a point on the curve)", "raw",
                "pod-2", map("csr", null, "public_key", ed25519NonCanonical()), 400,
                "invalid public_key: the Ed25519 key is not a valid point of prime order"));

        // -- without a token: every path but jwks (and .well-known/jwks.json) and the log's reads needs one --
        List<String[]> paths = List.of(new String[] {"GET", "config"}, new String[] {"GET", "roles/web"},
                new String[] {"GET", "roles?list=true"}, new String[] {"POST", "publish/web/pod-2"},
                new String[] {"GET", "discover/web"}, new String[] {"GET", "discover/web/pod-1"},
                new String[] {"GET", "services?list=true"}, new String[] {"GET", "history/web"},
                new String[] {"POST", "revoke/web/pod-1"}, new String[] {"POST", "tidy"}, new String[] {"GET", "signer"},
                new String[] {"POST", "signer/rotate"}, new String[] {"POST", "config"}, new String[] {"POST", "log/cosign"});
        for (String[] path : paths) {
            Object body = path[1].startsWith("publish/") ? body("web", csr, "pod-2")
                    : path[0].equals("POST") ? map() : null;
            cases.add(new Case("no token", path[0], path[1], body, Who.NONE, 403, List.of("permission denied")));
        }
        cases.add(new Case("POST on jwks", "POST", "jwks", map(), Who.NONE, 405, List.of("unsupported operation")));
        cases.add(new Case("DELETE on jwks", "DELETE", "jwks", null, Who.NONE, 405, List.of("unsupported operation")));
        return cases;
    }

    /** pod-2 publishes web/pod-2 under role web, claiming the one endpoint {@code endpoint}. */
    private Case endpoint(String what, String endpoint, int status, String... fragments) {
        return claim(what, map("endpoints", List.of(endpoint)), status, fragments);
    }

    /** pod-2 publishes web/pod-2 under role web: its base body changed by {@code changes}. */
    private Case claim(String what, Map<String, Object> changes, int status, String... fragments) {
        return publishAs(Who.POD2, what, "web", "pod-2", changes, status, fragments);
    }

    /** {@code who} publishes {@code service/instance} under {@code role}: a base body changed by {@code changes}. */
    private Case publishAs(Who who, String what, String role, String serviceOrInstance, Map<String, Object> changes,
                           int status, String... fragments) {
        String path = role.equals("web") || role.equals("raw") ? "web/" + serviceOrInstance
                : role.equals("wild") ? "wild/" + serviceOrInstance : serviceOrInstance + "/" + who.podUid;
        Map<String, Object> body = body(role, who == Who.POD2 ? csr : Publisher.ed25519().csrPem(), "pod-2");
        changes.forEach((key, value) -> {
            if (value == null) {
                body.remove(key);
            } else {
                body.put(key, value);
            }
        });
        return new Case(what, "POST", "publish/" + path, body, who, status, List.of(fragments));
    }

    /** A publication whose claims lie inside every role here, for {@code pod}'s names and an address of 10/8. */
    private static Map<String, Object> body(String role, String csr, String pod) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role", role);
        body.put("csr", csr);
        body.put("endpoints", List.of(pod + ".web.internal:8443"));
        body.put("ip_addresses", List.of(pod.equals("pod-1") ? "10.0.0.7" : "10.0.0.8"));
        body.put("dns_names", List.of(pod + ".web.internal"));
        body.put("metadata", Map.of("zone", "a"));
        body.put("ttl", "10m");
        return body;
    }

    /**
     * The SPKI PEM of an Ed25519 key whose encoded y is p + 3 (p = 2^255 - 19): the point with
     * y = 3 is on the curve, but its canonical encoding is 3, and only that one may be accepted.
     */
    private static String ed25519NonCanonical() {
        BigInteger y = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19)).add(BigInteger.valueOf(3));
        byte[] bigEndian = y.toByteArray(); // 32 bytes: y < 2^255
        byte[] littleEndian = new byte[32];
        for (int i = 0; i < 32; i++) {
            littleEndian[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return JwtIssuer.pem("PUBLIC KEY", HexFormat.of().parseHex("302a300506032b6570032100" + HexFormat.of().formatHex(littleEndian)));
    }

    // ---- observable state ----

    private static final List<String> ROLES = List.of("web", "teams", "suffix", "wild", "raw");

    /**
     * What a client or operator can see of the mount: pod-1's record (without iat, exp and jti),
     * the services with their counts and sequences (which any publication changes), web's history,
     * the config, the roles, and the signing keys.
     */
    private static Map<String, Object> snapshot(DevServer server, String mount) {
        return MountSnapshot.of(server, mount, List.of("discover/web"), ROLES);
    }

    // ---- small helpers ----

    private static void writeRole(DevServer server, String mount, String name, Map<String, Object> base,
                                  Map<String, Object> changes) {
        Map<String, Object> role = new LinkedHashMap<>(base);
        role.putAll(changes);
        server.http("POST", mount + "/roles/" + name, role).assertStatus(200);
    }

    /** An insertion-ordered map of key, value, key, value...; a null value means "remove" where a body is changed. */
    private static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
