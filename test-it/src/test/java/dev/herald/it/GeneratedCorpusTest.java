package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Timeout;

/**
 * DESIGN §7 and §8 with a generated corpus: at least 300 malformed requests over HTTP, built from
 * the mount's own OpenAPI document (every path, every body field, every operation a path does not
 * have) and from mutations of a valid publish body: type confusion, huge strings and deep nesting
 * (up to what the server passes to the plugin), unicode, NUL, control characters and traversal in
 * names and path segments, duplicate keys, overflowing durations, huge lists, other instances'
 * names and other identities' tokens, unknown fields. Every answer must be a 4xx, the plugin
 * process must be the same one at the end, and the mount's observable state must not change. The
 * answers the server makes itself, before the plugin sees the request, are counted apart, each
 * recognised by its exact status and message (see {@code serverMade}).
 *
 * <p>Left out because the engine accepts them on purpose: any text as the config's {@code issuer}
 * (NUL, control characters, {@code ../} included: it is written into records as it is, and only an
 * operator sets it), a URL path in an endpoint (the role bounds host and port, not the path), and a {@code ttl} that fits a duration but exceeds {@code max_ttl} (clamped to
 * it, as Vault clamps lease TTLs; a ttl that overflows a duration is in the corpus).
 *
 * <p>The corpus is drawn with a fixed seed ({@code -Dherald.corpus.seed=N} to change it; printed).
 */
@Timeout(600)
class GeneratedCorpusTest {

    private static final String MOUNT = "corpus";
    private static final long SEED = Long.getLong("herald.corpus.seed", 20261129L);
    /** Stands for a raw JSON value in a body written as a map: replaced in the JSON text. */
    private static final String RAW = "@@raw@@";

    /** One generated request; {@code body} is a JSON text (or null). */
    private record Request(String what, String method, String path, String body, boolean asPod2) {
        @Override
        public String toString() {
            return "[" + what + "] " + method + " " + path + (body == null ? "" : " (" + body.length() + " chars)");
        }
    }

    private final Random random = new Random(SEED);

    @OnEachServer
    void everyGeneratedMalformedRequestGetsA4xxAndChangesNothing(Herald herald) {
        System.out.println("GeneratedCorpusTest seed " + SEED + " (-Dherald.corpus.seed=" + SEED + ")");
        DevServer server = herald.server();
        String mount = herald.enable(MOUNT);
        JwtIssuer issuer = JwtIssuer.enable(server, "jwt-" + MOUNT);
        JwtIssuer.policy(server, MOUNT + "-publisher", "path \"" + mount + "/publish/*\" { capabilities = "
                + "[\"create\", \"update\"] }\npath \"" + mount + "/discover/*\" { capabilities = [\"read\"] }\n");
        issuer.role("pods", List.of(MOUNT + "-publisher"), Map.of("pod_uid", "pod_uid"));
        server.http("POST", mount + "/roles/web", Map.of("services", List.of("web"),
                "instance", "{{alias.metadata.pod_uid}}", "bound_mount_accessor", issuer.mountAccessor(),
                "allowed_dns_names", List.of("*.web.internal"), "allowed_cidrs", List.of("10.0.0.0/8"),
                "allowed_ports", List.of("8443"))).assertStatus(200);
        String pod1 = issuer.login("pods", "system:serviceaccount:prod:pod-1", Map.of("pod_uid", "pod-1")).token();
        String pod2 = issuer.login("pods", "system:serviceaccount:prod:pod-2", Map.of("pod_uid", "pod-2")).token();
        server.http("POST", mount + "/publish/web/pod-1", goodBody(Publisher.ed25519().csrPem(), "pod-1"), pod1)
                .assertStatus(200);

        long pid = herald.pluginProcess().pid();
        Map<String, Object> spec = server.http("GET", "sys/internal/specs/openapi", null).assertStatus(200).json();
        String nextCsr = Publisher.ed25519().csrPem();
        List<Request> corpus = new ArrayList<>();
        corpus.addAll(fromOpenApi(spec, mount));
        corpus.addAll(mutationsOfPublish(goodBody(nextCsr, "pod-2")));
        corpus.addAll(pathSegments());
        corpus.addAll(otherIdentities(nextCsr));
        assertTrue(corpus.size() >= 300, "at least 300 requests, got " + corpus.size());

        boolean vault = server.kind() == ServerKind.VAULT;
        Map<String, Object> state = snapshot(server, mount);
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> serverMade = new TreeMap<>();
        int fivexx = 0;
        long started = System.nanoTime();
        for (Request request : corpus) {
            HttpResult result = server.http(request.method(), mount + "/" + request.path(), request.body(),
                    request.asPod2() ? pod2 : server.rootToken());
            statuses.merge(result.status(), 1, Integer::sum);
            String byServer = serverMade(request, result, vault);
            if (result.status() >= 500) {
                fivexx++;
            }
            if (byServer != null) {
                serverMade.merge(byServer, 1, Integer::sum);
            } else if (result.status() >= 500) {
                failures.add(request + " -> " + result);
            } else if (result.status() < 400) {
                failures.add(request + ": expected a 4xx: " + result);
            }
            Map<String, Object> before = state;
            Map<String, Object> after = snapshot(server, mount);
            List<String> changed = before.keySet().stream()
                    .filter(key -> !Objects.equals(before.get(key), after.get(key))).toList();
            if (!changed.isEmpty()) {
                failures.add(request + " changed " + changed + "; answer: " + result);
            }
            state = after;
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        System.out.printf("GeneratedCorpusTest [%s]: seed %d, %d requests tried in %d s, statuses %s, 5xx seen %d"
                + "; answered by the server itself, before the plugin: %s%n",
                server.kind(), SEED, corpus.size(), seconds, statuses, fivexx, serverMade);
        failures.forEach(failure -> System.out.println("GeneratedCorpusTest [" + server.kind() + "] FAILED "
                + (failure.length() > 600 ? failure.substring(0, 600) : failure)));
        assertEquals(pid, herald.pluginProcess().pid(), "the plugin process was not restarted");
        assertTrue(failures.isEmpty(), failures.size() + " of " + corpus.size() + " requests (seed " + SEED + "):\n"
                + String.join("\n", failures.stream().limit(40).toList()));
        // The control: pod-2's base body was good all along.
        server.http("POST", mount + "/publish/web/pod-2", goodBody(nextCsr, "pod-2"), pod2).assertStatus(200);
    }

    // ---- the generators ----

    /**
     * From the OpenAPI document: for each of the mount's paths (parameters filled with the one good
     * publication's names), each operation it does not have; for each POST body field, values of
     * the wrong type and values no field takes.
     */
    private List<Request> fromOpenApi(Map<String, Object> spec, String mount) {
        List<Request> requests = new ArrayList<>();
        Map<?, ?> paths = (Map<?, ?>) Json.at(spec, "paths");
        Set<String> mine = new TreeSet<>();
        for (Object key : paths.keySet()) {
            if (key instanceof String path && path.startsWith("/" + mount + "/")) {
                mine.add(path);
            }
        }
        assertTrue(mine.size() >= 10, "the mount's paths in the OpenAPI document: " + mine);
        for (String template : mine) {
            Object item = paths.get(template);
            String path = template.substring(mount.length() + 2)
                    .replace("{service}", "web").replace("{instance}", "pod-1").replace("{name}", "web")
                    .replace("{tile}", "0/x001/234"); // the log's rest parameter: any tile path (none exists here)
            if (path.startsWith("publish/") || path.startsWith("signer/rotate") || path.startsWith("tidy")
                    || path.startsWith("revoke/")) {
                path = path.replace("pod-1", "pod-9"); // nothing there: a wrong acceptance changes little
            }
            path = path.replace("roles/web", "roles/zz-new");
            boolean list = Json.at(item, "get", "parameters") instanceof List<?> parameters
                    && parameters.stream().anyMatch(p -> "list".equals(Json.at(p, "name")));
            for (String method : List.of("GET", "POST", "DELETE", "PATCH", "LIST")) {
                String operation = method.equals("LIST") ? "get" : method.toLowerCase();
                boolean has = method.equals("LIST") ? list : Json.at(item, operation) != null;
                if (!has && !method.equals("GET")) { // a GET the spec lacks may still be a 405
                    requests.add(new Request("operation " + method + " not in the spec", method, path,
                            method.equals("POST") || method.equals("PATCH") ? "{}" : null, false));
                }
            }
            Object schema = Json.at(item, "post", "requestBody", "content", "application/json", "schema");
            if (Json.at(schema, "$ref") instanceof String ref) {
                schema = Json.at(spec, ref.substring(2).split("/"));
            }
            if (!(Json.at(schema, "properties") instanceof Map<?, ?> properties) || path.startsWith("publish/")) {
                continue; // publish bodies get their own mutations below
            }
            for (Map.Entry<?, ?> property : properties.entrySet()) {
                String field = (String) property.getKey();
                String type = String.valueOf(Json.at(property.getValue(), "type"));
                for (String raw : wrongValues(type, field)) {
                    requests.add(new Request(field + " (" + type + ") = " + abbreviate(raw), "POST", path,
                            withRaw(new LinkedHashMap<>(Map.of(field, RAW)), raw), false));
                }
            }
        }
        return requests;
    }

    /** JSON texts no field of {@code type} may take. */
    private List<String> wrongValues(String type, String field) {
        List<String> values = new ArrayList<>(List.of(
                "{\"a\":{\"b\":[1,2,{}]}}", "[{\"x\":1},[2]]", nested(64), "1e400", "-1e400"));
        if (!field.equals("issuer")) { // any text is an issuer: see the class comment
            values.addAll(List.of("\"\\u0000\"", "\"../../../etc\"", "\"%2e%2e/%2e%2e\"",
                    "\"" + "\\u202e\\ud83d\\ude00\\u0007".repeat(50) + "\""));
        }
        switch (type) {
            case "integer", "number" -> values.addAll(List.of("\"seven\"", "true", "-99999999999999999999", "99999999999999999999",
                    "\"99999999999999999999s\""));
            case "boolean" -> values.addAll(List.of("\"maybe\"", "2", "[true]"));
            case "array" -> values.addAll(List.of("[[\"a\"]]", "[{\"a\":1}]", "[null]", "[\"\\u0000\"]"));
            default -> values.addAll(field.equals("issuer") ? List.of("[[\"a\"]]")
                    : List.of("\"" + "x".repeat(300_000) + "\"", "[[\"a\"]]"));
        }
        if (field.contains("ttl") || field.contains("overlap") || field.contains("freshness") || field.contains("duration")) {
            values.addAll(List.of("\"99999999999999999999s\"", "\"-1s\"", "\"1e400s\"", "\"9223372036854775807h\"", "\"1 fortnight\""));
        }
        return values;
    }

    /** Mutations of pod-2's valid publish body: one field at a time, each made invalid. */
    private List<Request> mutationsOfPublish(Map<String, Object> good) {
        List<Request> requests = new ArrayList<>();
        String path = "publish/web/pod-2";
        List<String> anywhere = List.of("{\"a\":1}", "[{\"a\":1}]", "[[1]]", "\"\\u0000\"", "\"\\u0001\\u001f\"",
                "\"../../x\"", "1e400", "-1", "true", "\"" + "\\u00e9\\u0301".repeat(2000) + "\"", nested(128),
                nested(400), "\"" + "y".repeat(900_000) + "\"");
        for (String field : List.of("role", "csr", "endpoints", "ip_addresses", "dns_names", "metadata", "ttl")) {
            for (String raw : anywhere) {
                if (field.equals("ttl") && raw.equals("-1")) {
                    continue;
                }
                Map<String, Object> body = new LinkedHashMap<>(good);
                body.put(field, RAW);
                requests.add(new Request(field + " = " + abbreviate(raw), "POST", path, withRaw(body, raw), true));
            }
        }
        for (String ttl : List.of("\"99999999999999999999s\"", "\"-1s\"", "1e400", "\"1e400s\"", "-5",
                "\"0x10s\"", "\"5 s\"", "\"\\u0000s\"", "99999999999999999999")) {
            Map<String, Object> body = new LinkedHashMap<>(good);
            body.put("ttl", RAW);
            requests.add(new Request("ttl = " + ttl, "POST", path, withRaw(body, ttl), true));
        }
        // huge lists and maps
        requests.add(put(good, "endpoints", java.util.stream.IntStream.range(0, 20_000)
                .mapToObj(i -> "pod-2.web.internal:" + (8000 + i % 1000)).toList(), "20,000 endpoints"));
        requests.add(put(good, "ip_addresses", java.util.stream.IntStream.range(0, 20_000)
                .mapToObj(i -> "10.0." + (i / 250) % 250 + "." + i % 250).toList(), "20,000 addresses"));
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (int i = 0; i < 5_000; i++) {
            metadata.put("k" + i, "v" + i);
        }
        requests.add(put(good, "metadata", metadata, "5,000 metadata keys"));
        requests.add(put(good, "dns_names", java.util.stream.IntStream.range(0, 10_000)
                .mapToObj(i -> "n" + i + ".web.internal").toList(), "10,000 dns names"));
        // values outside the role, in names
        for (String name : List.of("pod-2.evil.example", "*.web.internal", "..web.internal", "pod-2.web.internal.",
                "p\u0000d.web.internal", "p\u202ed.web.internal", "\u0440od-2.web.internal", "x".repeat(300) + ".web.internal")) {
            requests.add(put(good, "dns_names", List.of(name), "dns name " + abbreviate(name)));
            requests.add(put(good, "endpoints", List.of(name + ":8443"), "endpoint " + abbreviate(name)));
        }
        for (String endpoint : List.of("pod-2.web.internal:99999", "pod-2.web.internal:-1", "pod-2.web.internal:0",
                "pod-2.web.internal:443", "pod-2.web.internal:8443\u0000",
                "[::1]:8443", "file:///etc/passwd", "pod-2.web.internal:1e400")) {
            requests.add(put(good, "endpoints", List.of(endpoint), "endpoint " + abbreviate(endpoint)));
        }
        for (String ip : List.of("11.0.0.1", "10.0.0.256", "10.0.0.1/8", "::ffff:11.0.0.1", "10.0.0.1\u0000", "0x0a000001", "")) {
            requests.add(put(good, "ip_addresses", List.of(ip), "ip " + abbreviate(ip)));
        }
        // duplicate keys: the second one bad, then the first one bad
        String json = Json.write(good);
        requests.add(new Request("duplicate role key, the last one bad", "POST", path,
                json.substring(0, json.length() - 1) + ",\"role\":\"nope\"}", true));
        requests.add(new Request("duplicate csr key, the last one bad", "POST", path,
                json.substring(0, json.length() - 1) + ",\"csr\":\"not a csr\"}", true));
        requests.add(new Request("duplicate ttl key, overflowing", "POST", path,
                "{\"ttl\":\"99999999999999999999s\"," + json.substring(1, json.length() - 1) + ",\"ttl\":\"99999999999999999999s\"}", true));
        requests.add(new Request("duplicate endpoints, last outside the role", "POST", path,
                json.substring(0, json.length() - 1) + ",\"endpoints\":[\"evil.example:8443\"]}", true));
        // unknown fields beside a bad one, and bodies that are not objects
        for (String body : List.of("[]", "null", "\"csr\"", "1e400", "{", "{\"role\":", "{\"role\":\"web\"}}",
                "\u0000", "{\"role\":\"web\",}", json.substring(0, json.length() / 2))) {
            requests.add(new Request("body " + abbreviate(body), "POST", path, body, true));
        }
        for (int i = 0; i < 10; i++) {
            Map<String, Object> body = new LinkedHashMap<>(good);
            body.put("unknown_" + random.nextInt(1000), random.nextBoolean() ? List.of(random.nextInt()) : "x");
            body.put("ttl", "-" + (1 + random.nextInt(1000)) + "s");
            requests.add(new Request("unknown field beside a negative ttl", "POST", path, Json.write(body), true));
        }
        // deep nesting and long strings around the servers' limits
        requests.add(new Request("metadata nested 480 deep", "POST", path, withRaw(put(good, "metadata"), nested(480)), true));
        requests.add(new Request(VAULT_DEPTH + ": metadata nested 600 deep", "POST", path,
                withRaw(put(good, "metadata"), nested(600)), true));
        requests.add(new Request("csr of 1,000,000 characters", "POST", path,
                withRaw(put(good, "csr"), "\"" + "A".repeat(1_000_000) + "\""), true));
        requests.add(new Request(VAULT_STRING + ": csr of 1,100,000 characters", "POST", path,
                withRaw(put(good, "csr"), "\"" + "A".repeat(1_100_000) + "\""), true));
        requests.add(new Request("12 strings of 300,000 characters (3.6 MB)", "POST", path,
                withRaw(put(good, "metadata"), "{" + String.join(",", java.util.stream.IntStream.range(0, 12)
                        .mapToObj(i -> "\"k" + i + "\":\"" + "m".repeat(300_000) + "\"").toList()) + "}"), true));
        return requests;
    }

    private static final String VAULT_DEPTH = "JSON input exceeds allowed nesting depth";
    private static final String VAULT_STRING = "JSON string value exceeds allowed length";

    private static final String INVALID_UTF8 = "grpc: error while marshaling: string field contains invalid UTF-8";
    private static final String VAULT_NUMBER = "malformed JSON, invalid number syntax for";
    /**
     * The answers of Vault 1.21's listener to bodies it will not pass on (the plugin words its own
     * JSON errors differently: {@code duplicate key "x"}): its JSON limits (nesting depth, string
     * length, array element count), duplicate keys, and JSON it cannot parse.
     */
    private static final List<String> VAULT_LISTENER = List.of(VAULT_DEPTH, VAULT_STRING,
            "JSON array exceeds allowed element count", "duplicate key '", "malformed JSON, ", "invalid character '");

    /**
     * What the server answered itself, before the plugin saw the request (so the plugin's own
     * answers are judged on everything else), or null:
     * <ul>
     * <li>a 307 to the cleaned path, for a raw {@code ..} segment (both servers' HTTP handlers);
     * <li>a 500 naming invalid UTF-8, for a path whose percent-escapes decode to invalid UTF-8: the
     *     server cannot put such a path into the protobuf request it sends the plugin (both servers);
     * <li>on Vault, its listener's documented JSON limits (docs/protocol-differences.md), and a 500
     *     for a number outside the range of a double ({@code 1e400}), which Vault's own JSON parsing
     *     refuses; OpenBao passes all three on, and the plugin answers them with a 400.
     * </ul>
     */
    private static String serverMade(Request request, HttpResult result, boolean vault) {
        List<String> segments = List.of(request.path().split("/"));
        if (result.status() == 307 && segments.contains("..")) {
            return "307 for a .. segment";
        }
        if (result.status() == 500 && invalidUtf8(request.path()) && (result.errors().contains(INVALID_UTF8)
                || vault && result.errors().equals("1 error occurred:\n\t* internal error\n\n"))) {
            // Vault words it so for a write: its log says "failed to run existence check" with INVALID_UTF8
            return "500 for invalid UTF-8 in the path";
        }
        if (vault && result.status() == 500) {
            if (request.body() != null && request.body().contains("1e400") && result.errors().contains(VAULT_NUMBER)) {
                return "500 for 1e400";
            }
            String errors = result.errors();
            for (String limit : VAULT_LISTENER) {
                if (errors.startsWith(limit)) {
                    return "500 " + limit;
                }
            }
        }
        return null;
    }

    private static boolean invalidUtf8(String path) {
        byte[] bytes = java.net.URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.ISO_8859_1)
                .getBytes(StandardCharsets.ISO_8859_1);
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return false;
        } catch (java.nio.charset.CharacterCodingException e) {
            return true;
        }
    }

    /** Names and path segments: traversal, NUL, control characters, unicode, length. */
    private List<Request> pathSegments() {
        List<String> names = new ArrayList<>(List.of("..", "%2e%2e", "%2E%2E%2F%2E%2E", "..%2f..%2fsys", "%00", "pod%00-1",
                "%01%02", "%7f", "%ff%fe", "%c0%ae%c0%ae", "%e2%80%ae", "%f0%9f%98%80", "pod-1%2f..%2f..%2fconfig",
                "%20", "pod-1%20", "%0d%0aX-Injected:%201", "POD-1", "-", "_", "pod_1", "pod.1", "a".repeat(300),
                "%25", "%5c..%5c..", "*", "%2a", "~", "%3f", "%23"));
        for (int i = 0; i < 6; i++) {
            StringBuilder name = new StringBuilder();
            for (int j = 0, n = 1 + random.nextInt(12); j < n; j++) {
                int c = random.nextInt(4) == 0 ? random.nextInt(32) : 0x80 + random.nextInt(0x2f80);
                name.append(Character.toChars(c));
            }
            names.add(URLEncoder.encode(name.toString(), StandardCharsets.UTF_8).replace("+", "%20"));
        }
        List<Request> requests = new ArrayList<>();
        String csr = Publisher.ed25519().csrPem();
        for (String name : names) {
            requests.add(new Request("instance " + name, "POST", "publish/web/" + name, Json.write(goodBody(csr, "pod-2")), true));
            requests.add(new Request("service " + name, "POST", "publish/" + name + "/pod-2", Json.write(goodBody(csr, "pod-2")), true));
            requests.add(new Request("discover " + name, "GET", "discover/" + name + "/pod-1", null, false));
            requests.add(new Request("history " + name, "GET", "history/" + name, null, false));
            requests.add(new Request("revoke " + name, "POST", "revoke/web/" + name, "{}", false));
            requests.add(new Request("role " + name, "GET", "roles/" + name, null, false));
        }
        return requests;
    }

    /** Other identities: pod-2 writing pod-1's instance, operator paths with pod-2's token. */
    private List<Request> otherIdentities(String csr) {
        List<Request> requests = new ArrayList<>();
        for (String instance : List.of("pod-1", "pod-3", "POD-2", "pod-2%20", "pod-22")) {
            requests.add(new Request("pod-2 publishes " + instance, "POST", "publish/web/" + instance,
                    Json.write(goodBody(csr, instance)), true));
        }
        for (String operator : List.of("config", "roles/web", "roles/pod", "revoke/web/pod-1", "signer/rotate", "tidy")) {
            requests.add(new Request("pod-2 writes " + operator, "POST", operator, "{}", true));
        }
        for (String path : List.of("history/web", "services", "signer", "roles/web", "config")) {
            requests.add(new Request("pod-2 reads " + path, "GET", path, null, true));
        }
        requests.add(new Request("pod-2 deletes roles/web", "DELETE", "roles/web", null, true));
        return requests;
    }

    // ---- observable state ----

    private static Map<String, Object> snapshot(DevServer server, String mount) {
        Map<String, Object> state = MountSnapshot.of(server, mount, List.of("discover/web", "discover/web/pod-1"),
                List.of("web"));
        state.put("discover/web/pod-2 status", server.http("GET", mount + "/discover/web/pod-2", null).status());
        return state;
    }

    // ---- helpers ----

    private static Map<String, Object> goodBody(String csr, String pod) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role", "web");
        body.put("csr", csr);
        body.put("endpoints", List.of(pod + ".web.internal:8443"));
        body.put("ip_addresses", List.of("10.0.0.8"));
        body.put("dns_names", List.of(pod + ".web.internal"));
        body.put("metadata", Map.of("zone", "a"));
        body.put("ttl", "10m");
        return body;
    }

    private static Request put(Map<String, Object> good, String field, Object value, String what) {
        Map<String, Object> body = new LinkedHashMap<>(good);
        body.put(field, value);
        return new Request(what, "POST", "publish/web/pod-2", Json.write(body), true);
    }

    /** {@code good} with {@code field} standing for a raw value. */
    private static Map<String, Object> put(Map<String, Object> good, String field) {
        Map<String, Object> body = new LinkedHashMap<>(good);
        body.put(field, RAW);
        return body;
    }

    private static String withRaw(Map<String, Object> body, String raw) {
        String json = Json.write(body);
        int at = json.indexOf("\"" + RAW + "\"");
        return json.substring(0, at) + raw + json.substring(at + RAW.length() + 2);
    }

    /** {@code depth} nested arrays around a string. */
    private static String nested(int depth) {
        return "[".repeat(depth) + "\"deep\"" + "]".repeat(depth);
    }

    private static String abbreviate(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "...(" + text.length() + ")" : text;
        StringBuilder escaped = new StringBuilder();
        shown.codePoints().forEach(c -> escaped.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : Character.toString(c)));
        return escaped.toString();
    }
}
