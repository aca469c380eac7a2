package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** Issue tests 3 and 4: {@code path-help} and the server's OpenAPI document describe Herald's paths. */
@Timeout(180)
class HelpTest {

    /**
     * One path of the engine (DESIGN §5), as its definition in plugin/engine declares it.
     *
     * @param request    a request path that routes to it
     * @param pattern    the path pattern, as path-help shows it in "Matching Route"
     * @param operations the operations, as path-help names them
     * @param fields     every field, path parameters included
     */
    private record EnginePath(String request, String pattern, Set<String> operations, List<String> fields) {
        /** The pattern as an OpenAPI path relative to the mount: {@code publish/{service}/{instance}}. */
        String openApiPath() {
            return pattern.replaceAll("[:*]([a-z_]+)", "{$1}");
        }

        Set<String> parameters() {
            Set<String> names = new LinkedHashSet<>();
            Matcher matcher = Pattern.compile("[:*]([a-z_]+)").matcher(pattern);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
            return names;
        }

        /** The fields sent in a request body: all but the path parameters, where the path writes. */
        Set<String> bodyFields() {
            return readsOnly() ? Set.of() : nonPathFields();
        }

        /** The fields sent as query parameters: all but the path parameters, where the path only reads or lists. */
        Set<String> queryFields() {
            return readsOnly() ? nonPathFields() : Set.of();
        }

        boolean readsOnly() {
            return operations.stream().allMatch(o -> o.equals("read") || o.equals("list"));
        }

        private Set<String> nonPathFields() {
            Set<String> names = new LinkedHashSet<>(fields);
            names.removeAll(parameters());
            return names;
        }
    }

    private static final List<String> CONFIG_FIELDS = List.of("default_ttl", "max_ttl", "rotation_window", "min_overlap",
            "record_ttl", "verification_ttl", "signing_algorithm", "issuer", "require_wrapping", "wrap_ttl",
            "max_metadata_bytes", "max_record_instances", "log_witnesses", "max_overlap", "consumer_ttl", "max_consumers",
            "max_consumer_sessions");
    private static final List<String> ROLE_FIELDS = List.of("name", "services", "instance", "bound_mount_accessor",
            "bound_alias_metadata", "allow_unbound", "key_types", "min_rsa_bits", "ttl", "max_ttl", "lease_bound",
            "require_proof", "allowed_dns_names", "allowed_cidrs", "allowed_ports", "allow_wildcard_claims", "max_overlap");
    private static final List<String> PUBLISH_FIELDS = List.of("service", "instance", "role", "csr", "certificate",
            "public_key", "endpoints", "ip_addresses", "dns_names", "metadata", "ttl", "continuity");

    /** Every path of DESIGN §5 with every field its engine definition declares. */
    private static final List<EnginePath> PATHS = List.of(
            new EnginePath("config", "config", Set.of("read", "update"), CONFIG_FIELDS),
            new EnginePath("roles/x", "roles/:name", Set.of("create", "read", "update", "delete"), ROLE_FIELDS),
            new EnginePath("roles/", "roles/", Set.of("list"), List.of()),
            new EnginePath("publish/web/a", "publish/:service/:instance", Set.of("create", "update"), PUBLISH_FIELDS),
            new EnginePath("discover/web", "discover/:service", Set.of("read"), List.of("service", "limit", "after")),
            new EnginePath("discover/web/a", "discover/:service/:instance", Set.of("read"), List.of("service", "instance")),
            new EnginePath("services/", "services/", Set.of("list"), List.of("limit", "after")),
            new EnginePath("history/web", "history/:service", Set.of("read"), List.of("service", "from", "limit")),
            new EnginePath("revoke/web/a", "revoke/:service/:instance", Set.of("update"), List.of("service", "instance", "reason", "reset")),
            new EnginePath("tidy", "tidy", Set.of("update"), List.of()),
            new EnginePath("signer", "signer", Set.of("read"), List.of()),
            new EnginePath("signer/rotate", "signer/rotate", Set.of("update"), List.of()),
            new EnginePath("jwks", "jwks", Set.of("read"), List.of()),
            new EnginePath(".well-known/jwks.json", ".well-known/jwks.json", Set.of("read"), List.of()),
            new EnginePath("log/checkpoint", "log/checkpoint", Set.of("read"), List.of()),
            new EnginePath("log/key", "log/key", Set.of("read"), List.of()),
            new EnginePath("log/tile/0/x001/234.p/5", "log/tile/*tile", Set.of("read"), List.of("tile")),
            new EnginePath("log/proof/inclusion", "log/proof/inclusion", Set.of("read"), List.of("index", "size")),
            new EnginePath("log/proof/consistency", "log/proof/consistency", Set.of("read"), List.of("from", "to")),
            new EnginePath("log/witnessed", "log/witnessed", Set.of("read"), List.of()),
            new EnginePath("log/cosign", "log/cosign", Set.of("update"), List.of("checkpoint")),
            new EnginePath("ack/web", "ack/:service", Set.of("update", "delete"), List.of("service", "seq", "ack_token", "session")),
            new EnginePath("rotation/web/a", "rotation/:service/:instance", Set.of("read"), List.of("service", "instance")),
            new EnginePath("consumers/web", "consumers/:service", Set.of("read"), List.of("service", "limit", "after")));

    /** A parameter line of path-help: four spaces, the field's name, its type in parentheses. */
    private static final Pattern PARAMETER_LINE = Pattern.compile("^ {4}([a-z_]+) \\(.*\\)$", Pattern.MULTILINE);

    @OnEachServer
    void pathHelpDescribesConfigAndTheRootListsIt(Herald herald) {
        String mount = herald.enable("help");
        DevServer server = herald.server();

        CliResult config = server.cli("path-help", mount + "/config").assertSuccess();
        assertTrue(config.stdout().contains("default_ttl"), config::toString);

        CliResult root = server.cli("path-help", mount).assertSuccess();
        assertTrue(root.stdout().contains("config"), root::toString);
    }

    @OnEachServer
    void openApiDocumentHasTheConfigPathAndItsFields(Herald herald) {
        String mount = herald.enable("spec");
        DevServer server = herald.server();

        Map<String, Object> spec = server.http("GET", "sys/internal/specs/openapi", null).assertStatus(200).json();

        Object path = Json.at(spec, "paths", "/" + mount + "/config");
        assertNotNull(path, () -> "/" + mount + "/config not among " + ((Map<?, ?>) Json.at(spec, "paths")).keySet());
        Object schema = Json.at(path, "post", "requestBody", "content", "application/json", "schema");
        assertNotNull(schema, () -> "no request body schema for POST /" + mount + "/config: " + path);
        if (Json.at(schema, "$ref") instanceof String ref) { // "#/components/schemas/Name"
            schema = Json.at(spec, ref.substring(2).split("/"));
        }
        Object properties = Json.at(schema, "properties");
        assertTrue(properties instanceof Map, "schema has properties: " + schema);
        for (String field : ConfigTest.DEFAULTS.keySet()) {
            assertTrue(((Map<?, ?>) properties).containsKey(field), field + " in " + ((Map<?, ?>) properties).keySet());
        }
        assertTrue(((Map<?, ?>) properties).containsKey("issuer"), "issuer in " + ((Map<?, ?>) properties).keySet());
    }

    /**
     * {@code path-help} of every path succeeds, names the matching route and its operations, shows the
     * path's synopsis (the one the OpenAPI document gives it) and lists exactly the path's fields.
     */
    @OnEachServer
    void pathHelpOfEveryPathShowsItsSynopsisOperationsAndEveryField(Herald herald) {
        String mount = herald.enable("help-all");
        DevServer server = herald.server();
        Map<String, Object> spec = openApi(server);

        List<Executable> checks = new ArrayList<>();
        for (EnginePath path : PATHS) {
            CliResult help = server.cli("path-help", mount + "/" + path.request());
            String text = help.stdout();
            checks.add(() -> assertEquals(0, help.exitCode(), () -> path.request() + ": " + help));
            checks.add(() -> assertTrue(text.contains("Matching Route: " + path.pattern() + "\n"),
                    () -> path.request() + " routes to " + path.pattern() + ": " + help));
            checks.add(() -> assertEquals(path.operations(), operationsLine(text), () -> path.request() + ": " + help));
            Object synopsis = Json.at(spec, "paths", "/" + mount + "/" + path.openApiPath(), "description");
            checks.add(() -> assertTrue(synopsis instanceof String s && !s.isBlank() && text.contains(s),
                    () -> path.request() + " shows its synopsis \"" + synopsis + "\": " + help));
            Set<String> shown = new LinkedHashSet<>();
            Matcher parameter = PARAMETER_LINE.matcher(text);
            while (parameter.find()) {
                shown.add(parameter.group(1));
            }
            checks.add(() -> assertEquals(new TreeSet<>(path.fields()), new TreeSet<>(shown),
                    () -> path.request() + ": the parameters path-help lists: " + help));
            for (String field : path.fields()) {
                // the line after the field's own line is its description
                checks.add(() -> assertTrue(Pattern.compile("^ {4}" + field + " \\(.*\\)\\n {8}\\S.*$", Pattern.MULTILINE)
                        .matcher(text).find(), () -> path.request() + ": " + field + " has a description: " + help));
            }
        }
        assertAll(checks);
    }

    /**
     * The server's OpenAPI document has every path, with a description, the operations, and every
     * field (path parameters and body properties) with a type and a description; the fields are
     * exactly those of the engine's definitions.
     */
    @OnEachServer
    void openApiDescribesEveryFieldOfEveryPathWithATypeAndADescription(Herald herald) {
        String mount = herald.enable("spec-all");
        Map<String, Object> spec = openApi(herald.server());

        List<Executable> checks = new ArrayList<>();
        for (EnginePath path : PATHS) {
            String key = "/" + mount + "/" + path.openApiPath();
            Object item = Json.at(spec, "paths", key);
            if (!(item instanceof Map<?, ?> operations)) {
                checks.add(() -> assertTrue(false, key + " is not among the OpenAPI paths: "
                        + ((Map<?, ?>) Json.at(spec, "paths")).keySet()));
                continue;
            }
            checks.add(() -> assertTrue(Json.at(item, "description") instanceof String s && !s.isBlank(),
                    () -> key + " has a description: " + item));
            for (String operation : path.operations()) {
                String method = switch (operation) {
                    case "read", "list" -> "get";
                    case "create", "update" -> "post";
                    case "delete" -> "delete";
                    default -> throw new IllegalArgumentException(operation);
                };
                checks.add(() -> assertTrue(operations.get(method) instanceof Map<?, ?> op
                                && Json.at(op, "summary") instanceof String s && !s.isBlank(),
                        () -> key + ": " + operation + " is a " + method + " with a summary: " + item));
            }
            if (path.operations().contains("list")) {
                checks.add(() -> assertTrue(String.valueOf(Json.at(item, "get", "parameters")).contains("name=list"),
                        () -> key + ": the list operation takes list=true: " + item));
            }
            if (path.operations().contains("create")) {
                checks.add(() -> assertEquals(true, Json.at(item, "x-vault-createSupported"),
                        () -> key + " supports create: " + item));
            }

            Map<String, Object> parameters = new LinkedHashMap<>();
            collectPathParameters(Json.at(item, "parameters"), parameters);
            for (String method : List.of("get", "post", "delete", "patch")) {
                collectPathParameters(Json.at(item, method, "parameters"), parameters);
            }
            checks.add(() -> assertEquals(path.parameters(), parameters.keySet(), () -> key + ": path parameters: " + item));
            parameters.forEach((name, parameter) -> {
                checks.add(() -> assertTrue(Json.at(parameter, "schema", "type") instanceof String s && !s.isBlank(),
                        () -> key + ": parameter " + name + " has a type: " + parameter));
                checks.add(() -> assertTrue(Json.at(parameter, "description") instanceof String s && !s.isBlank()
                        && !s.equals(name), () -> key + ": parameter " + name + " has a description: " + parameter));
            });

            Set<String> query = new TreeSet<>();
            if (Json.at(item, "get", "parameters") instanceof List<?> list) {
                for (Object parameter : list) {
                    if ("query".equals(Json.at(parameter, "in")) && !"list".equals(Json.at(parameter, "name"))) {
                        query.add(String.valueOf(Json.at(parameter, "name")));
                        checks.add(() -> assertTrue(Json.at(parameter, "schema", "type") instanceof String s && !s.isBlank()
                                && Json.at(parameter, "description") instanceof String d && !d.isBlank(),
                                () -> key + ": query parameter with a type and a description: " + parameter));
                    }
                }
            }
            checks.add(() -> assertEquals(new TreeSet<>(path.queryFields()), query, () -> key + ": query parameters: " + item));
            Map<?, ?> properties = bodyProperties(spec, item);
            Set<String> documented = new TreeSet<>();
            properties.keySet().forEach(name -> documented.add(String.valueOf(name)));
            checks.add(() -> assertEquals(new TreeSet<>(path.bodyFields()), documented, () -> key + ": body fields: " + item));
            properties.forEach((name, property) -> {
                checks.add(() -> assertTrue(Json.at(property, "type") instanceof String s && !s.isBlank(),
                        () -> key + ": field " + name + " has a type: " + property));
                checks.add(() -> assertTrue(Json.at(property, "description") instanceof String s && !s.isBlank(),
                        () -> key + ": field " + name + " has a description: " + property));
                if ("array".equals(Json.at(property, "type"))) {
                    checks.add(() -> assertTrue(Json.at(property, "items", "type") instanceof String,
                            () -> key + ": array field " + name + " says what its items are: " + property));
                }
            });
        }
        assertAll(checks);
    }

    /** Code generators need every operationId to be unique (OpenAPI 3.0: "MUST be unique"). */
    @OnEachServer
    void openApiOperationIdsOfTheMountAreUnique(Herald herald) {
        String mount = herald.enable("spec-ids");
        Map<String, Object> spec = openApi(herald.server());

        Map<String, List<String>> byId = new LinkedHashMap<>();
        ((Map<?, ?>) Json.at(spec, "paths")).forEach((key, item) -> {
            if (!String.valueOf(key).startsWith("/" + mount + "/")) {
                return;
            }
            for (String method : List.of("get", "post", "delete", "patch")) {
                if (Json.at(item, method, "operationId") instanceof String id) {
                    byId.computeIfAbsent(id, k -> new ArrayList<>()).add(method.toUpperCase() + " " + key);
                }
            }
        });
        assertFalse(byId.isEmpty(), "the mount's paths have operationIds");
        Map<String, List<String>> duplicates = new LinkedHashMap<>(byId);
        duplicates.values().removeIf(uses -> uses.size() == 1);
        assertTrue(duplicates.isEmpty(), () -> "operationIds used more than once: " + duplicates);
    }

    // ---- helpers ----

    private static Map<String, Object> openApi(DevServer server) {
        return server.http("GET", "sys/internal/specs/openapi", null).assertStatus(200).json();
    }

    /** The operations named on path-help's "Operations:" line. */
    private static Set<String> operationsLine(String help) {
        Matcher line = Pattern.compile("^Operations: +(.*)$", Pattern.MULTILINE).matcher(help);
        Set<String> operations = new TreeSet<>();
        if (line.find()) {
            for (String operation : line.group(1).split(",")) {
                operations.add(operation.strip());
            }
        }
        return operations;
    }

    private static void collectPathParameters(Object parameters, Map<String, Object> into) {
        if (parameters instanceof List<?> list) {
            for (Object parameter : list) {
                if ("path".equals(Json.at(parameter, "in")) && Json.at(parameter, "name") instanceof String name) {
                    into.put(name, parameter);
                }
            }
        }
    }

    /** The properties of the request body schema of the path's POST ({@code $ref}s followed), or none. */
    private static Map<?, ?> bodyProperties(Map<String, Object> spec, Object item) {
        Object schema = Json.at(item, "post", "requestBody", "content", "application/json", "schema");
        if (Json.at(schema, "$ref") instanceof String ref) { // "#/components/schemas/Name"
            schema = Json.at(spec, ref.substring(2).split("/"));
        }
        return Json.at(schema, "properties") instanceof Map<?, ?> properties ? properties : Map.of();
    }
}
