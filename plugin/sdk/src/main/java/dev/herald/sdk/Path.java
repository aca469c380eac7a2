package dev.herald.sdk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One path of a mount: its pattern, fields, the operations it answers and its help text.
 *
 * <p>Patterns are literal segments and {@code :name} parameters, each one whole segment:
 * {@code "config"}, {@code "roles/:name"}, {@code "publish/:service/:instance"}. The last segment
 * may instead be a rest parameter, {@code *name}, which takes the rest of the request path, one or
 * more whole segments with the '/' between them ({@code "log/tile/*tile"} matches
 * {@code log/tile/0/x001/234}: {@code tile} is {@code 0/x001/234}); it never matches an empty
 * segment, nor a leading or trailing '/'. A pattern ending in '/' is a listing path
 * ({@code "roles/"}), which also matches without the slash. Paths are immutable; every method
 * returns a new path.
 */
public final class Path {
    private static final Pattern PARAMETER = Pattern.compile(":([a-z][a-z0-9_]*)");
    private static final Pattern REST = Pattern.compile("\\*([a-z][a-z0-9_]*)");
    /** Parameters in OpenAPI form: the rest parameter is a parameter there too (it may hold '/'). */
    private static final Pattern ANY_PARAMETER = Pattern.compile("[:*]([a-z][a-z0-9_]*)");

    private final String pattern;
    private final Pattern regex;
    private final List<String> parameterNames;
    private final List<Field<?>> fields;
    private final Map<Operation, Handler> handlers;
    private final Map<Operation, String> summaries;
    private final ExistenceCheck existenceCheck;
    private final String synopsis;
    private final String description;

    private Path(String pattern, List<Field<?>> fields, Map<Operation, Handler> handlers,
                 Map<Operation, String> summaries, ExistenceCheck existenceCheck, String synopsis, String description) {
        this.pattern = pattern;
        this.parameterNames = new ArrayList<>();
        this.regex = compile(pattern, parameterNames);
        this.fields = List.copyOf(fields);
        EnumMap<Operation, Handler> byOperation = new EnumMap<>(Operation.class);
        byOperation.putAll(handlers);
        this.handlers = Collections.unmodifiableMap(byOperation);
        this.summaries = Map.copyOf(summaries);
        this.existenceCheck = existenceCheck;
        this.synopsis = synopsis;
        this.description = description;
    }

    /**
     * A path with this pattern, no fields, no operations yet.
     *
     * @param pattern relative to the mount: literal segments and {@code :name} parameters, e.g.
     *                {@code "roles/:name"}, the last one possibly a rest parameter {@code *name};
     *                a trailing '/' makes it a listing path ({@code "roles/"})
     * @return the path
     */
    public static Path pattern(String pattern) {
        if (pattern.startsWith("/") || pattern.contains("//")) {
            throw new IllegalArgumentException("a path pattern is relative to the mount and has no empty segments: " + pattern);
        }
        return new Path(pattern, List.of(), Map.of(), Map.of(), null, "", "");
    }

    private static Pattern compile(String pattern, List<String> names) {
        StringBuilder regex = new StringBuilder("^");
        boolean listing = pattern.endsWith("/");
        String body = listing ? pattern.substring(0, pattern.length() - 1) : pattern;
        String[] segments = body.isEmpty() ? new String[0] : body.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                regex.append('/');
            }
            Matcher parameter = PARAMETER.matcher(segments[i]);
            Matcher rest = REST.matcher(segments[i]);
            if (parameter.matches()) {
                names.add(parameter.group(1));
                regex.append("([^/]+)");
            } else if (rest.matches()) {
                if (i != segments.length - 1 || listing) {
                    throw new IllegalArgumentException("a rest parameter is the last segment of a path that is not a listing: " + pattern);
                }
                names.add(rest.group(1));
                regex.append("([^/]+(?:/[^/]+)*)");
            } else if (segments[i].contains(":") || segments[i].contains("*")) {
                throw new IllegalArgumentException("bad parameter segment \"" + segments[i] + "\" in " + pattern);
            } else {
                regex.append(Pattern.quote(segments[i]));
            }
        }
        regex.append(listing ? "/?$" : "$");
        return Pattern.compile(regex.toString());
    }

    /**
     * This path with these fields (path parameters are fields too: declare them here).
     *
     * @param more the fields to add
     * @return the new path
     */
    public Path fields(Field<?>... more) {
        List<Field<?>> all = new ArrayList<>(fields);
        all.addAll(Arrays.asList(more));
        return new Path(pattern, all, handlers, summaries, existenceCheck, synopsis, description);
    }

    /**
     * This path answering an operation.
     *
     * @param operation the operation
     * @param summary   what it does, one line for OpenAPI
     * @param handler   its handler
     * @return the new path
     */
    public Path operation(Operation operation, String summary, Handler handler) {
        Map<Operation, Handler> more = new EnumMap<>(Operation.class);
        more.putAll(handlers);
        more.put(operation, handler);
        Map<Operation, String> moreSummaries = new LinkedHashMap<>(summaries);
        moreSummaries.put(operation, summary);
        return new Path(pattern, fields, more, moreSummaries, existenceCheck, synopsis, description);
    }

    /**
     * This path answering reads.
     *
     * @param summary what the operation does, one line for OpenAPI
     * @param handler the operation's handler
     * @return the new path
     */
    public Path read(String summary, Handler handler) {
        return operation(Operation.READ, summary, handler);
    }

    /**
     * This path answering writes to something that does not exist yet (see {@link #existence}).
     *
     * @param summary what the operation does, one line for OpenAPI
     * @param handler the operation's handler
     * @return the new path
     */
    public Path create(String summary, Handler handler) {
        return operation(Operation.CREATE, summary, handler);
    }

    /**
     * This path answering writes to something that exists, or every write if the path has no existence check.
     *
     * @param summary what the operation does, one line for OpenAPI
     * @param handler the operation's handler
     * @return the new path
     */
    public Path update(String summary, Handler handler) {
        return operation(Operation.UPDATE, summary, handler);
    }

    /**
     * This path answering deletes.
     *
     * @param summary what the operation does, one line for OpenAPI
     * @param handler the operation's handler
     * @return the new path
     */
    public Path delete(String summary, Handler handler) {
        return operation(Operation.DELETE, summary, handler);
    }

    /**
     * This path answering lists.
     *
     * @param summary what the operation does, one line for OpenAPI
     * @param handler the operation's handler
     * @return the new path
     */
    public Path list(String summary, Handler handler) {
        return operation(Operation.LIST, summary, handler);
    }

    /**
     * This path with an existence check, so that the server asks for the {@code create} capability
     * for a write to something that does not exist yet and {@code update} for the rest.
     *
     * @param check the check; it must have no side effects
     * @return the new path
     */
    public Path existence(ExistenceCheck check) {
        return new Path(pattern, fields, handlers, summaries, check, synopsis, description);
    }

    /**
     * This path with help, shown by {@code path-help} and in OpenAPI.
     *
     * @param synopsis    one line
     * @param description longer text
     * @return the new path
     */
    public Path help(String synopsis, String description) {
        return new Path(pattern, fields, handlers, summaries, existenceCheck, synopsis, description);
    }

    /** {@return the pattern, as given to {@link #pattern(String)}} */
    public String pattern() {
        return pattern;
    }

    /** {@return the fields, in declaration order} */
    public List<Field<?>> fields() {
        return fields;
    }

    /**
     * A field of this path.
     *
     * @param name the field's name
     * @return the field, or empty if the path has none of that name
     */
    public Optional<Field<?>> field(String name) {
        return fields.stream().filter(field -> field.name().equals(name)).findFirst();
    }

    /** {@return the names of the pattern's parameters, in order} */
    public List<String> parameterNames() {
        return Collections.unmodifiableList(parameterNames);
    }

    /** {@return the operations this path answers, in declaration order of {@link Operation}} */
    public List<Operation> operations() {
        return List.copyOf(handlers.keySet());
    }

    Optional<Handler> handler(Operation operation) {
        return Optional.ofNullable(handlers.get(operation));
    }

    String summary(Operation operation) {
        return summaries.getOrDefault(operation, "");
    }

    Optional<ExistenceCheck> existenceCheck() {
        return Optional.ofNullable(existenceCheck);
    }

    /** {@return the one-line help, or ""} */
    public String synopsis() {
        return synopsis;
    }

    /** {@return the longer help, or ""} */
    public String description() {
        return description;
    }

    /** The path parameters if {@code requestPath} matches this pattern. */
    Optional<Map<String, String>> match(String requestPath) {
        Matcher matcher = regex.matcher(requestPath);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < parameterNames.size(); i++) {
            parameters.put(parameterNames.get(i), matcher.group(i + 1));
        }
        return Optional.of(parameters);
    }

    /** The pattern as OpenAPI writes it: "/roles/{name}". */
    String openApiPath() {
        return "/" + ANY_PARAMETER.matcher(pattern).replaceAll("{$1}");
    }
}
