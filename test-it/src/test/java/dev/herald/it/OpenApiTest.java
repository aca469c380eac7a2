package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 12, item 7: the OpenAPI documents tell the truth. The server's document
 * ({@code sys/internal/specs/openapi}) carries the rules of the fields in the keywords the
 * servers keep when they merge a plugin's document (pattern, enum); the plugin's own document
 * ({@code GET /v1/<mount>/?help=1}) carries every rule OpenAPI 3.0 can state. And requests
 * Schemathesis draws from either document are answered without a server error, and refused only
 * for reasons a schema cannot know (see {@link Verdict}).
 */
@Timeout(300)
class OpenApiTest {
    /** Names.PATTERN of the engine, anchored as the documents write it. */
    private static final String NAME = "^(?:[a-z0-9][a-z0-9._-]{0,127})$";
    private static final String FUZZER = Project.root().resolve("test-it/src/test/python/schemathesis_positive.py").toString();
    /** Requests drawn per operation and document: about 250 requests, a few seconds per run. */
    private static final int EXAMPLES = 25;

    @OnEachServer
    void theServersDocumentStatesTheRulesOfTheFieldsInTheKeywordsItKeeps(Herald herald) {
        String mount = herald.enable("oas-rules");
        Map<String, Object> spec = herald.server().http("GET", "sys/internal/specs/openapi", null).assertStatus(200).json();
        String m = "/" + mount + "/";

        List<Executable> checks = new ArrayList<>();
        for (String path : List.of("publish/{service}/{instance}", "discover/{service}", "discover/{service}/{instance}",
                "history/{service}", "revoke/{service}/{instance}", "roles/{name}")) {
            Map<String, Object> parameters = pathParameters(Json.at(spec, "paths", m + path));
            checks.add(() -> assertFalse(parameters.isEmpty(), path + " has path parameters"));
            parameters.forEach((name, parameter) -> checks.add(() -> assertEquals(NAME, Json.at(parameter, "schema", "pattern"),
                    () -> path + ": parameter " + name + " states the names' pattern: " + parameter)));
        }
        Map<?, ?> publish = body(spec, Json.at(spec, "paths", m + "publish/{service}/{instance}"));
        checks.add(() -> assertEquals(NAME, Json.at(publish, "properties", "role", "pattern"), "publish: role"));
        checks.add(() -> assertTrue(String.valueOf(Json.at(publish, "required")).contains("role"), "publish: role is required"));
        checks.add(() -> assertEquals(null, Json.at(publish, "properties", "ttl", "format"),
                "publish: ttl has no format (OpenAPI's \"duration\" is ISO 8601, which Herald does not read)"));
        checks.add(() -> assertTrue(Json.at(publish, "properties", "ttl", "pattern") instanceof String,
                "publish: ttl has the pattern of positive durations"));

        Map<?, ?> role = body(spec, Json.at(spec, "paths", m + "roles/{name}"));
        checks.add(() -> assertEquals(List.of("ed25519", "ec-p256", "ec-p384", "rsa"), Json.at(role, "properties", "key_types", "items", "enum"),
                "roles: key_types' items"));
        checks.add(() -> assertEquals("^[\\s\\S]{0,128}$", Json.at(role, "properties", "bound_mount_accessor", "pattern"),
                "roles: bound_mount_accessor's length as a pattern"));
        Map<String, String> good = Map.of("services", "payments-{{alias.metadata.team}}", "instance", "{{alias.metadata.pod_uid}}",
                "allowed_ports", "8000-8100", "allowed_dns_names", "*.web.internal");
        Map<String, String> bad = Map.of("services", "Payments", "instance", "-x", "allowed_ports", "65536",
                "allowed_dns_names", "Web.internal");
        good.forEach((field, value) -> {
            Object schema = Json.at(role, "properties", field);
            Object pattern = Json.at(schema, "pattern") != null ? Json.at(schema, "pattern") : Json.at(schema, "items", "pattern");
            checks.add(() -> assertTrue(pattern instanceof String p && Pattern.compile(p).matcher(value).find()
                    && !Pattern.compile(p).matcher(bad.get(field)).find(),
                    () -> "roles: " + field + " has a pattern taking " + value + " and refusing " + bad.get(field) + ": " + schema));
        });

        Map<?, ?> config = body(spec, Json.at(spec, "paths", m + "config"));
        checks.add(() -> assertEquals(List.of("EdDSA", "ES256"), Json.at(config, "properties", "signing_algorithm", "enum"), "config: algorithm"));
        checks.add(() -> assertEquals("^[\\s\\S]{0,256}$", Json.at(config, "properties", "issuer", "pattern"), "config: issuer"));
        for (String duration : List.of("default_ttl", "max_ttl", "record_ttl", "min_overlap", "wrap_ttl", "verification_ttl")) {
            checks.add(() -> assertTrue(Json.at(config, "properties", duration, "pattern") instanceof String p
                    && Pattern.compile(p).matcher("24h").find() && !Pattern.compile(p).matcher("-1s").find(),
                    () -> "config: " + duration + " has a pattern of durations: " + Json.at(config, "properties", duration)));
        }
        checks.add(() -> assertTrue(String.valueOf(Json.at(config, "properties", "max_record_instances", "description"))
                .contains("Must be between 1 and 20000."), "config: a range the server drops is still said in words"));

        Map<?, ?> revoke = body(spec, Json.at(spec, "paths", m + "revoke/{service}/{instance}"));
        checks.add(() -> assertEquals("^[\\s\\S]{0,1024}$", Json.at(revoke, "properties", "reason", "pattern"), "revoke: reason"));
        Object after = queryParameter(Json.at(spec, "paths", m + "discover/{service}"), "after");
        checks.add(() -> assertEquals("^(?:(?:[a-z0-9][a-z0-9._-]{0,127})?)$", Json.at(after, "schema", "pattern"), "discover: after"));
        assertAll(checks);
    }

    /**
     * The plugin's own document has every rule, also those the servers drop (minimum, maximum,
     * minItems, additionalProperties...), and the server's document says nothing the plugin's does
     * not: each of its schemas is the plugin's with some keywords left out.
     */
    @OnEachServer
    void thePluginsOwnDocumentStatesEveryRuleAndTheServersKeepsPartOfIt(Herald herald) {
        String mount = herald.enable("oas-own");
        DevServer server = herald.server();
        Map<String, Object> own = ownDocument(server, mount);
        Map<String, Object> spec = server.http("GET", "sys/internal/specs/openapi", null).assertStatus(200).json();

        List<Executable> checks = new ArrayList<>();
        Object discover = Json.at(own, "paths", "/discover/{service}");
        checks.add(() -> assertEquals(List.of(1L, 20_000L), range(queryParameter(discover, "limit")), "discover: limit"));
        Object history = Json.at(own, "paths", "/history/{service}");
        checks.add(() -> assertEquals(0L, Json.at(queryParameter(history, "from"), "schema", "minimum"), "history: from"));
        checks.add(() -> assertEquals(List.of(1L, 10_000L), range(queryParameter(history, "limit")), "history: limit"));
        checks.add(() -> assertEquals(List.of(1L, 10_000L), range(queryParameter(Json.at(own, "paths", "/services/"), "limit")),
                "services: limit"));
        Map<?, ?> config = body(own, Json.at(own, "paths", "/config"));
        checks.add(() -> assertEquals(List.of(1L, 1_048_576L), range(Map.of("schema", Json.at(config, "properties", "max_metadata_bytes"))),
                "config: max_metadata_bytes"));
        checks.add(() -> assertEquals(List.of(0L, true, 1L, true), List.of(Json.at(config, "properties", "rotation_window", "minimum"),
                Json.at(config, "properties", "rotation_window", "exclusiveMinimum"), Json.at(config, "properties", "rotation_window", "maximum"),
                Json.at(config, "properties", "rotation_window", "exclusiveMaximum")), "config: rotation_window"));
        checks.add(() -> assertEquals(false, Json.at(config, "additionalProperties"), "config: unknown fields are refused"));
        Map<?, ?> role = body(own, Json.at(own, "paths", "/roles/{name}"));
        checks.add(() -> assertEquals(List.of(2048L, 16_384L), range(Map.of("schema", Json.at(role, "properties", "min_rsa_bits"))),
                "roles: min_rsa_bits"));
        checks.add(() -> assertEquals(1L, Json.at(role, "properties", "services", "minItems"), "roles: services"));
        checks.add(() -> assertEquals(256L, Json.at(role, "properties", "services", "items", "maxLength"), "roles: services' items"));
        checks.add(() -> assertEquals(256L, Json.at(role, "properties", "bound_alias_metadata", "additionalProperties", "maxLength"),
                "roles: bound_alias_metadata's values"));

        Map<String, Set<String>> dropped = dropped(spec, own, mount);
        checks.add(() -> assertTrue(dropped.getOrDefault("GET /discover/{service}", Set.of()).contains("limit"),
                () -> "the servers drop minimum and maximum: " + dropped));
        ((Map<?, ?>) Json.at(own, "paths")).keySet().forEach(path -> checks.add(() ->
                assertNotNull(Json.at(spec, "paths", "/" + mount + path), () -> path + " is in the server's document")));
        checks.add(() -> assertSubset(spec, own, mount));
        assertAll(checks);
    }

    /**
     * Schemathesis draws schema-valid requests from the server's document (the mount's paths) and
     * from the plugin's own, each on a fresh mount, and sends them with the root token. No answer
     * is a 5xx, and at most 1% of the requests are refused for a reason that is not one of those
     * {@link Verdict} explains: the schemas say what each field takes, not what the mount holds
     * (roles, publications, settings), not rules between fields or about content, nor the server's
     * own rules about paths, and the server's document lacks the keywords the servers drop. The 1% leaves room for values the fuzzer's
     * work-around draws beyond the document (see schemathesis_positive.py); none were seen.
     */
    @OnEachServer
    void schemaValidRequestsAreAnsweredWithoutServerErrorsAndRefusedOnlyForReasonsNoSchemaKnows(Herald herald) throws IOException {
        DevServer server = herald.server();
        String ownMount = herald.enable("oas-fuzz-own");
        String serverMount = herald.enable("oas-fuzz-spec");
        Map<String, Object> own = ownDocument(server, ownMount);
        Map<String, Object> spec = server.http("GET", "sys/internal/specs/openapi", null).assertStatus(200).json();
        Map<String, Object> mine = new LinkedHashMap<>(spec);
        Map<String, Object> paths = new TreeMap<>();
        ((Map<?, ?>) Json.at(spec, "paths")).forEach((key, item) -> {
            if (String.valueOf(key).startsWith("/" + serverMount + "/")) {
                paths.put(String.valueOf(key), item);
            }
        });
        mine.put("paths", paths);
        Map<String, Set<String>> lost = dropped(spec, own, serverMount);

        List<Executable> checks = new ArrayList<>();
        for (Run run : List.of(new Run("the plugin's own document", own, server.address() + "/v1/" + ownMount, "", Map.of()),
                new Run("the server's document", mine, server.address() + "/v1", "/" + serverMount, lost))) {
            List<Map<String, Object>> answers = fuzz(server, run);
            Map<Verdict, List<String>> verdicts = new EnumMap<>(Verdict.class);
            for (Map<String, Object> answer : answers) {
                String operation = String.valueOf(answer.get("operation")).replaceFirst(" " + Pattern.quote(run.prefix()), " ");
                Verdict verdict = Verdict.of(((Number) answer.get("status")).intValue(), String.valueOf(answer.get("error")),
                        String.valueOf(answer.get("path")), run.lost().getOrDefault(operation, Set.of()));
                verdicts.computeIfAbsent(verdict, v -> new ArrayList<>()).add(operation + " (" + answer.get("path") + ") -> "
                        + answer.get("status") + " " + answer.get("error"));
            }
            StringBuilder summary = new StringBuilder(server.kind() + ", " + run.name() + ": " + answers.size() + " requests");
            verdicts.forEach((verdict, list) -> summary.append(", ").append(verdict).append(' ').append(list.size()));
            verdicts.getOrDefault(Verdict.UNEXPLAINED, List.of()).forEach(line -> summary.append("\n  unexplained: ").append(line));
            System.out.println(summary);
            int unexplained = verdicts.getOrDefault(Verdict.UNEXPLAINED, List.of()).size();
            checks.add(() -> assertTrue(answers.size() >= 200, () -> summary + ": too few requests drawn"));
            checks.add(() -> assertEquals(List.of(), verdicts.getOrDefault(Verdict.SERVER_ERROR, List.of()), () -> summary + ": server errors"));
            checks.add(() -> assertTrue(unexplained * 100 <= answers.size(), () -> summary + ": refusals of schema-valid requests "
                    + "that no reason explains: " + verdicts.get(Verdict.UNEXPLAINED)));
            checks.add(() -> assertTrue(verdicts.containsKey(Verdict.ACCEPTED), () -> summary + ": nothing accepted"));
        }
        assertAll(checks);
    }

    /** What an answer to a schema-valid request says about the document. */
    enum Verdict {
        ACCEPTED,
        /** 404: the random name holds nothing (a true answer, not a refusal of the input). */
        NOT_FOUND,
        /** Depends on what the mount holds, which no schema knows: a role that does not exist, the mount's settings. */
        STATE,
        /** A rule OpenAPI 3.0 cannot state (between fields, content, object keys), or that the handler checks for its message. */
        HANDLER_RULE,
        /** A rule of the plugin's document that the server's merge dropped (only in a run on the server's document). */
        DROPPED_BY_SERVER,
        /**
         * A rule of the server, not of Herald: Vault 1.21 answered some drawn paths containing ".."
         * with "relative paths not supported" (a plain "a..b" segment reaches the plugin, so the rule
         * is narrower than "any .."). Changing the name rule would strand such names stored on OpenBao.
         * And a path with a control character (a rest parameter such as log/tile/{tile} takes any
         * string): the server's HTTP layer answers 400 with no error of its own before any plugin.
         */
        SERVER_RULE,
        UNEXPLAINED,
        SERVER_ERROR;

        private static final List<Pattern> STATE_MESSAGES = compile(
                "^invalid role: no role named ",                      // publish names a role that must exist
                "^a new role needs services and instance",            // a create needs them, an update does not
                "is more than max_record_instances \\(\\d+\\) of this mount", // the mount's settings
                "more than max_metadata_bytes",
                "^invalid from: service .* has \\d+ events",          // the service's history so far
                "^invalid (ttl|max_ttl): .* is longer than",          // a role's lifetimes within the mount's
                "^invalid (endpoints|ip_addresses|dns_names): ",      // checked against the role's allowances
                "^no witnesses are configured");                      // log/cosign before config log_witnesses
        /** 403s that depend on who calls and what was served, which no schema knows (ack/). */
        private static final List<Pattern> FORBIDDEN_BY_STATE = compile(
                "acknowledging needs an identity entity",            // the fuzzer's root token has none (a 403 comes wrapped: "1 error occurred")
                "was not served with this ack_token");               // a token is made per service and seq
        private static final List<Pattern> HANDLER_MESSAGES = compile(
                "^invalid default_ttl: .* is longer than max_ttl",    // between two fields
                "^give exactly one of csr, certificate and public_key", // between three fields
                "^invalid (csr|certificate|public_key|continuity)",   // content: PEM structures, signatures
                "^invalid (checkpoint|log_witnesses): ",              // content: signed notes, verifier keys
                "^invalid allowed_cidrs: ",                           // IPv4/IPv6 networks, read by a parser
                "must be ranges whose first port is not above the last", // compares two numbers in a string
                "^invalid from: .* is larger than to",                // log/proof/consistency: compares two fields
                "shares? a name segment",                             // template placeholders: its own precise message
                "must have keys of 1-128 characters",                 // object keys: OpenAPI 3.1's propertyNames
                "^invalid metadata: keys must be",
                "^missing (seq|ack_token): ");                        // required by ack/'s update, not its delete (a leave)
        private static final Pattern FIELD = Pattern.compile("^(?:invalid|missing) ([a-z_]+):");

        private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f]|%[01][0-9a-fA-F]|%7[fF]");

        static Verdict of(int status, String error, String path, Set<String> lostFields) {
            if (status >= 500) {
                return SERVER_ERROR;
            }
            if (status < 300) {
                return ACCEPTED;
            }
            if (status == 404) {
                return NOT_FOUND;
            }
            if (status == 409) {
                return STATE; // a write-once conflict
            }
            if (status == 403 && FORBIDDEN_BY_STATE.stream().anyMatch(p -> p.matcher(error).find())) {
                return STATE;
            }
            if (status != 400) {
                return UNEXPLAINED;
            }
            if (error.contains("relative paths not supported") || (error.isEmpty() && CONTROL.matcher(path).find())) {
                return SERVER_RULE;
            }
            if (STATE_MESSAGES.stream().anyMatch(p -> p.matcher(error).find())) {
                return STATE;
            }
            if (HANDLER_MESSAGES.stream().anyMatch(p -> p.matcher(error).find())) {
                return HANDLER_RULE;
            }
            Matcher field = FIELD.matcher(error);
            if ((field.find() && lostFields.contains(field.group(1))) || (error.startsWith("unknown field") && lostFields.contains("(body)"))) {
                return DROPPED_BY_SERVER;
            }
            return UNEXPLAINED;
        }

        private static List<Pattern> compile(String... patterns) {
            return List.of(patterns).stream().map(Pattern::compile).toList();
        }
    }

    /** One run of the fuzzer: a document, the URL its paths are relative to, and how the answers name operations. */
    private record Run(String name, Map<String, Object> document, String baseUrl, String prefix, Map<String, Set<String>> lost) {
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> fuzz(DevServer server, Run run) throws IOException {
        java.nio.file.Path dir = Files.createDirectories(Project.outputDir().resolve("openapi"));
        java.nio.file.Path document = Files.createTempFile(dir, server.kind() + "-", ".json");
        java.nio.file.Path out = Files.createTempFile(dir, server.kind() + "-", ".answers.json");
        Files.writeString(document, Json.write(run.document()));
        // The token reaches the fuzzer in VAULT_TOKEN, from the server's client environment.
        CliResult result = server.run(List.of("python3", FUZZER, document.toString(), run.baseUrl(), String.valueOf(EXAMPLES),
                out.toString()));
        assertEquals(0, result.exitCode(), () -> "the fuzzer on " + run.name() + " failed (is schemathesis installed? "
                + "scripts/test.sh installs it): " + result);
        try {
            return (List<Map<String, Object>>) Json.parse(Files.readString(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> ownDocument(DevServer server, String mount) {
        Object document = server.http("GET", mount + "/?help=1", null).assertStatus(200).json().get("openapi");
        assertTrue(document instanceof Map, "the mount's help carries its OpenAPI document");
        @SuppressWarnings("unchecked")
        Map<String, Object> own = (Map<String, Object>) document;
        return own;
    }

    /**
     * For each operation of the plugin's document ("GET /discover/{service}"), the fields whose
     * schema in the server's document lacks keywords the plugin's has, and "(body)" if the body
     * schema lost its own (additionalProperties: false).
     */
    private static Map<String, Set<String>> dropped(Map<String, Object> spec, Map<String, Object> own, String mount) {
        Map<String, Set<String>> lost = new TreeMap<>();
        ((Map<?, ?>) Json.at(own, "paths")).forEach((path, item) -> {
            Object merged = Json.at(spec, "paths", "/" + mount + path);
            for (String method : List.of("get", "post", "delete")) {
                if (Json.at(item, method) == null) {
                    continue;
                }
                Set<String> fields = new LinkedHashSet<>();
                Map<String, Object> ownFields = fields(own, item, method);
                Map<String, Object> mergedFields = fields(spec, merged, method);
                ownFields.forEach((name, schema) -> {
                    if (!schema.equals(mergedFields.get(name))) {
                        fields.add(name);
                    }
                });
                lost.put(method.toUpperCase() + " " + path, fields);
            }
        });
        return lost;
    }

    /** Fails unless every schema of the mount in the server's document is the plugin's with some keywords left out. */
    private static void assertSubset(Map<String, Object> spec, Map<String, Object> own, String mount) {
        List<String> differences = new ArrayList<>();
        ((Map<?, ?>) Json.at(own, "paths")).forEach((path, item) -> {
            Object merged = Json.at(spec, "paths", "/" + mount + path);
            for (String method : List.of("get", "post", "delete")) {
                Map<String, Object> ownFields = fields(own, item, method);
                fields(spec, merged, method).forEach((name, schema) -> {
                    if (!containedIn(schema, ownFields.get(name))) {
                        differences.add(method + " " + path + " " + name + ": server " + schema + ", plugin " + ownFields.get(name));
                    }
                });
            }
        });
        assertEquals(List.of(), differences, "the server's schemas say only what the plugin's say");
    }

    /** Whether {@code part} is {@code whole} with some object keys left out, at any depth. */
    private static boolean containedIn(Object part, Object whole) {
        if (part instanceof Map<?, ?> p && whole instanceof Map<?, ?> w) {
            return p.entrySet().stream().allMatch(e -> w.containsKey(e.getKey()) && containedIn(e.getValue(), w.get(e.getKey())));
        }
        return part == null ? whole == null : part.equals(whole);
    }

    /**
     * The schemas of an operation's fields by name: path and query parameters, body properties,
     * and the body itself as "(body)" without its properties.
     */
    private static Map<String, Object> fields(Map<String, Object> document, Object item, String method) {
        Map<String, Object> fields = new TreeMap<>();
        for (Object parameters : new Object[] {Json.at(item, "parameters"), Json.at(item, method, "parameters")}) {
            if (parameters instanceof List<?> list) {
                list.forEach(p -> fields.put(String.valueOf(Json.at(p, "name")), Json.at(p, "schema")));
            }
        }
        if (method.equals("post")) {
            Map<?, ?> body = body(document, item);
            if (Json.at(body, "properties") instanceof Map<?, ?> properties) {
                properties.forEach((name, schema) -> fields.put(String.valueOf(name), schema));
            }
            Map<Object, Object> rest = new LinkedHashMap<>(body);
            rest.remove("properties");
            rest.remove("required"); // Vault sorts it
            fields.put("(body)", rest);
        }
        return fields;
    }

    /** The path parameters of a path item, by name. */
    private static Map<String, Object> pathParameters(Object item) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (Json.at(item, "parameters") instanceof List<?> list) {
            list.stream().filter(p -> "path".equals(Json.at(p, "in")))
                    .forEach(p -> parameters.put(String.valueOf(Json.at(p, "name")), p));
        }
        return parameters;
    }

    private static Object queryParameter(Object item, String name) {
        if (Json.at(item, "get", "parameters") instanceof List<?> list) {
            return list.stream().filter(p -> name.equals(Json.at(p, "name"))).findFirst().orElse(null);
        }
        return null;
    }

    private static List<Object> range(Object parameter) {
        return java.util.Arrays.asList(Json.at(parameter, "schema", "minimum"), Json.at(parameter, "schema", "maximum"));
    }

    /** The request body schema of a path item's POST ({@code $ref} followed), or an empty map. */
    private static Map<?, ?> body(Map<String, Object> document, Object item) {
        Object schema = Json.at(item, "post", "requestBody", "content", "application/json", "schema");
        if (Json.at(schema, "$ref") instanceof String ref) { // "#/components/schemas/Name"
            schema = Json.at(document, ref.substring(2).split("/"));
        }
        return schema instanceof Map<?, ?> map ? map : Map.of();
    }
}
