package dev.herald.sdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Help text and OpenAPI documents, made from the paths and fields themselves. */
final class Help {
    private Help() {
    }

    static String root(String synopsis, String description, List<Path> paths) {
        StringBuilder text = new StringBuilder();
        text.append("## DESCRIPTION\n\n").append(synopsis.strip()).append("\n\n");
        if (!description.isBlank()) {
            text.append(description.strip()).append("\n\n");
        }
        text.append("## PATHS\n\nRead the help of one path with `path-help <mount>/<path>`.\n\n");
        for (Path path : paths) {
            text.append("    ").append(path.pattern()).append('\n');
            text.append("        ").append(path.synopsis().strip()).append("\n\n");
        }
        return text.toString();
    }

    static String path(Path path, String requestPath) {
        StringBuilder text = new StringBuilder();
        text.append("Request:        ").append(requestPath).append('\n');
        text.append("Matching Route: ").append(path.pattern()).append('\n');
        text.append("Operations:     ").append(String.join(", ",
                path.operations().stream().map(Operation::wireName).toList())).append("\n\n");
        text.append(path.synopsis().strip()).append("\n\n");
        if (!path.fields().isEmpty()) {
            text.append("## PARAMETERS\n\n");
            for (Field<?> field : path.fields()) {
                text.append("    ").append(field.name()).append(" (").append(typeName(field));
                field.defaultValue().ifPresent(value -> text.append(", default ").append(showDefault(field)));
                if (field.isRequired()) {
                    text.append(", required");
                }
                text.append(")\n");
                text.append("        ").append(field.description().strip()).append('\n');
                if (!field.allowedValues().isEmpty()) {
                    text.append("        One of: ").append(String.join(", ",
                            field.allowedValues().stream().map(String::valueOf).toList())).append('\n');
                }
                for (String rule : field.ruleDescriptions()) {
                    text.append("        Must ").append(rule).append(".\n");
                }
                text.append('\n');
            }
        }
        if (!path.description().isBlank()) {
            text.append("## DESCRIPTION\n\n").append(path.description().strip()).append('\n');
        }
        return text.toString();
    }

    private static String typeName(Field<?> field) {
        return switch (field.type()) {
            case STRING -> "string";
            case INTEGER -> "integer";
            case NUMBER -> "number";
            case BOOLEAN -> "bool";
            case DURATION -> "duration: \"24h\", \"90s\" or seconds";
            case STRING_LIST -> "list of strings";
            case STRING_MAP -> "map of strings";
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object showDefault(Field field) {
        Object value = field.defaultValue().orElseThrow();
        return value instanceof java.time.Duration d ? Durations.format(d) : value;
    }

    /** An OpenAPI 3.0 document of {@code paths}, relative to the mount, in the subset the servers read. */
    static Map<String, Object> openApi(String synopsis, String description, List<Path> paths, String prefix) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("title", synopsis.strip());
        info.put("description", description.strip());
        info.put("version", "");
        Map<String, Object> items = new LinkedHashMap<>();
        for (Path path : paths) {
            items.put(path.openApiPath(), pathItem(path, prefix));
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("openapi", "3.0.2");
        document.put("info", info);
        document.put("paths", items);
        document.put("components", Map.of("schemas", Map.of()));
        return document;
    }

    private static Map<String, Object> pathItem(Path path, String prefix) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("description", path.synopsis().strip());
        List<Object> parameters = new ArrayList<>();
        for (String name : path.parameterNames()) {
            Map<String, Object> parameter = new LinkedHashMap<>();
            parameter.put("name", name);
            Map<String, Object> schema = path.field(name).<Map<String, Object>>map(Help::fieldSchema)
                    .orElseGet(() -> new LinkedHashMap<>(Map.of("type", "string", "description", name)));
            parameter.put("description", schema.remove("description"));
            parameter.put("in", "path");
            parameter.put("required", true);
            parameter.put("schema", schema);
            parameters.add(parameter);
        }
        if (!parameters.isEmpty()) {
            item.put("parameters", parameters);
        }
        if (path.operations().contains(Operation.CREATE)) {
            item.put("x-vault-createSupported", true);
        }
        String id = operationIdBase(path, prefix);
        for (Operation operation : path.operations()) {
            switch (operation) {
                case READ -> {
                    Map<String, Object> read = operation(path, operation, id, "read", "200");
                    List<Object> query = queryParameters(path);
                    if (!query.isEmpty()) {
                        read.put("parameters", query);
                    }
                    item.put("get", read);
                }
                case LIST -> {
                    Map<String, Object> list = operation(path, operation, id, "list", "200");
                    Map<String, Object> listParameter = new LinkedHashMap<>();
                    listParameter.put("name", "list");
                    listParameter.put("description", "Must be set to `true`");
                    listParameter.put("in", "query");
                    listParameter.put("required", true);
                    listParameter.put("schema", Map.of("type", "string", "enum", List.of("true")));
                    List<Object> query = new ArrayList<>(List.of(listParameter));
                    query.addAll(queryParameters(path));
                    list.put("parameters", query);
                    item.putIfAbsent("get", list);
                }
                case CREATE, UPDATE -> {
                    if (!item.containsKey("post")) {
                        Map<String, Object> post = operation(path, operation, id, "write", "200");
                        Map<String, Object> schema = bodySchema(path);
                        if (schema != null) {
                            post.put("requestBody", Map.of("required", true,
                                    "content", Map.of("application/json", Map.of("schema", schema))));
                        }
                        item.put("post", post);
                    }
                }
                case DELETE -> item.put("delete", operation(path, operation, id, "delete", "204"));
                case PATCH -> item.put("patch", operation(path, operation, id, "patch", "200"));
                default -> {
                }
            }
        }
        return item;
    }

    private static String operationIdBase(Path path, String prefix) {
        // Parameters keep their names: "discover/:service" and "discover/:service/:instance" need two ids.
        String name = path.pattern().replace(":", "").replaceAll("[^a-zA-Z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        return (prefix.isEmpty() ? "" : prefix + "-") + (name.isEmpty() ? "root" : name);
    }

    private static Map<String, Object> operation(Path path, Operation operation, String id, String verb, String status) {
        Map<String, Object> out = new LinkedHashMap<>();
        String summary = path.summary(operation);
        out.put("summary", summary.isEmpty() ? path.synopsis().strip() : summary);
        out.put("operationId", verb + "-" + id);
        out.put("responses", Map.of(status, Map.of("description", status.equals("204") ? "No Content" : "OK")));
        return out;
    }

    /**
     * The fields of a path that only reads or lists, as query parameters (how the server passes a
     * GET's parameters to a plugin); a path that also writes describes its fields as the body.
     */
    private static List<Object> queryParameters(Path path) {
        List<Object> parameters = new ArrayList<>();
        if (path.operations().stream().anyMatch(o -> o != Operation.READ && o != Operation.LIST)) {
            return parameters;
        }
        for (Field<?> field : path.fields()) {
            if (path.parameterNames().contains(field.name())) {
                continue;
            }
            Map<String, Object> schema = fieldSchema(field);
            Object description = schema.remove("description");
            Map<String, Object> parameter = new LinkedHashMap<>();
            parameter.put("name", field.name());
            parameter.put("description", description);
            parameter.put("in", "query");
            parameter.put("required", field.isRequired());
            parameter.put("schema", schema);
            parameters.add(parameter);
        }
        return parameters;
    }

    private static Map<String, Object> bodySchema(Path path) {
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (Field<?> field : path.fields()) {
            if (path.parameterNames().contains(field.name())) {
                continue;
            }
            properties.put(field.name(), fieldSchema(field));
            if (field.isRequired()) {
                required.add(field.name());
            }
        }
        if (properties.isEmpty()) {
            return null;
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        if (!required.isEmpty()) {
            schema.put("required", required);
        }
        schema.put("additionalProperties", false); // a write with an unknown field is refused
        return schema;
    }

    /**
     * The JSON schema of a field: its type, the rules its {@link Constraint}s state, and a
     * description that also says every rule in words, since the servers keep only some keywords
     * (see {@link Constraint}) and opaque checks have none.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Map<String, Object> fieldSchema(Field field) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", field.type().openApiType);
        if (field.type().openApiFormat != null) {
            schema.put("format", field.type().openApiFormat);
        }
        StringBuilder description = new StringBuilder(field.description().strip());
        for (Object rule : field.ruleDescriptions()) {
            description.append(" Must ").append(rule).append('.');
        }
        schema.put("description", description.toString());
        field.defaultValue().ifPresent(value -> schema.put("default", field.type() == Field.Type.DURATION
                ? String.valueOf(field.toJson(value)) // of the schema's type: seconds as a string
                : field.toJson(value)));
        if (!field.allowedValues().isEmpty()) {
            schema.put("enum", field.allowedValues());
        }
        switch (field.type()) {
            case STRING_LIST -> schema.put("items", Map.of("type", "string"));
            case STRING_MAP -> schema.put("additionalProperties", Map.of("type", "string"));
            default -> {
            }
        }
        for (Object constraint : field.constraints()) {
            ((Constraint) constraint).render(schema);
        }
        if (field.type() == Field.Type.INTEGER) {
            // What the field reads at all: fuzzers draw far larger integers from an open range.
            schema.putIfAbsent("minimum", Long.MIN_VALUE);
            schema.putIfAbsent("maximum", Long.MAX_VALUE);
        }
        return schema;
    }
}
