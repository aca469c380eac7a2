package dev.herald.sdk;

import dev.herald.sdk.json.JsonException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link Backend} made of {@link Path}s: it picks the path and the operation, reads and checks
 * the fields, calls the handler, and answers help and OpenAPI requests from the paths themselves.
 *
 * <pre>{@code
 * Router router = Router.builder("Publishes workload keys.", "Longer help...")
 *         .path(ConfigPath.definition(storage))
 *         .build();
 * }</pre>
 */
public final class Router implements Backend {
    private final String synopsis;
    private final String description;
    private final List<Path> paths;
    private final SpecialPaths specialPaths;
    private final Runnable periodic;
    private final Runnable initializer;
    private final Consumer<String> invalidator;
    private final Runnable cleaner;
    private final Map<String, SecretType> secretTypes;
    /** Asked whether the mount is on a standby, if the mount answers on the active node only. */
    private final SystemView activeNodeOnly;
    /** The patterns of the paths whose reads a standby answers itself. */
    private final Set<String> servedOnStandbys;
    private volatile Boolean standby;

    /** The renew and revoke handlers of one type of lease. */
    private record SecretType(Handler renew, Handler revoke) {
    }

    private Router(Builder builder) {
        this.synopsis = builder.synopsis;
        this.description = builder.description;
        this.paths = List.copyOf(builder.paths);
        this.specialPaths = builder.specialPaths;
        this.periodic = builder.periodic;
        this.initializer = builder.initializer;
        this.invalidator = builder.invalidator;
        this.cleaner = builder.cleaner;
        this.secretTypes = Map.copyOf(builder.secretTypes);
        this.activeNodeOnly = builder.system;
        this.servedOnStandbys = Set.copyOf(builder.servedOnStandbys);
    }

    /**
     * Starts a router.
     *
     * @param synopsis    the mount's one-line help, shown by {@code path-help} on its root
     * @param description the longer help
     * @return a builder
     */
    public static Builder builder(String synopsis, String description) {
        return new Builder(synopsis, description);
    }

    /** Collects the parts of a {@link Router}. */
    public static final class Builder {
        private final String synopsis;
        private final String description;
        private final List<Path> paths = new ArrayList<>();
        private SpecialPaths specialPaths = SpecialPaths.NONE;
        private Runnable periodic;
        private SystemView system;
        private Set<String> servedOnStandbys = Set.of();
        private Runnable initializer = () -> { };
        private Consumer<String> invalidator = key -> { };
        private Runnable cleaner = () -> { };
        private final Map<String, SecretType> secretTypes = new LinkedHashMap<>();

        private Builder(String synopsis, String description) {
            this.synopsis = Objects.requireNonNull(synopsis);
            this.description = Objects.requireNonNull(description);
        }

        /**
         * Adds a path; the first path whose pattern matches a request handles it.
         *
         * @param path the path
         * @return this builder
         */
        public Builder path(Path path) {
            paths.add(path);
            return this;
        }

        /**
         * Declares the paths the server treats specially (unauthenticated, root, seal-wrapped, local).
         *
         * @param special the special paths
         * @return this builder
         */
        public Builder specialPaths(SpecialPaths special) {
            this.specialPaths = Objects.requireNonNull(special);
            return this;
        }

        /**
         * Work the server triggers about once a minute (its "rollback" call).
         *
         * @param work the work; its failures are logged
         * @return this builder
         */
        public Builder periodic(Runnable work) {
            this.periodic = work;
            return this;
        }

        /**
         * The handlers of the leases of {@code type} ({@link Lease#secretType()}). Renew answers with
         * {@link Response#renewal}; revoke ends what the lease held and answers {@link Response#none()}.
         * Every type a mount issues needs a revoke that succeeds: the server revokes all leases of a
         * mount before it can disable it.
         *
         * @param type   the secret type
         * @param renew  the renew handler
         * @param revoke the revoke handler
         * @return this builder
         */
        public Builder secretType(String type, Handler renew, Handler revoke) {
            secretTypes.put(Objects.requireNonNull(type), new SecretType(Objects.requireNonNull(renew),
                    Objects.requireNonNull(revoke)));
            return this;
        }

        /**
         * Work to do once storage is writable (after mounting or unsealing): {@link Backend#initialize()}.
         *
         * @param work the work
         * @return this builder
         */
        public Builder onInitialize(Runnable work) {
            this.initializer = Objects.requireNonNull(work);
            return this;
        }

        /**
         * Every request that reaches this mount on a standby node ({@link SystemView#standby}) is
         * sent back for the server to forward to the active node, and periodic work is skipped
         * there: for a mount whose answers must include every write acknowledged before them,
         * which a standby's caches cannot promise. Lease renewals and revocations come from the
         * active node's lease manager only.
         *
         * @param system the mount's system view, which tells whether this node is a standby
         * @return this builder
         */
        public Builder servedByTheActiveNode(SystemView system) {
            return servedByTheActiveNode(system, Set.of());
        }

        /**
         * As {@link #servedByTheActiveNode(SystemView)}, except reads of the paths with these
         * patterns, which a standby answers itself: for what a standby can serve from storage
         * without breaking a promise (immutable data, or data whose staleness the reader detects),
         * so that read load spreads over the cluster. Every other operation on them is forwarded.
         *
         * @param system           the mount's system view, which tells whether this node is a standby
         * @param servedOnStandbys patterns exactly as the paths were given ({@link Path#pattern()})
         * @return this builder
         */
        public Builder servedByTheActiveNode(SystemView system, Set<String> servedOnStandbys) {
            this.system = Objects.requireNonNull(system);
            this.servedOnStandbys = Set.copyOf(servedOnStandbys);
            return this;
        }

        /**
         * What to do when a storage key changed outside this process: {@link Backend#invalidate}.
         *
         * @param work called with the key
         * @return this builder
         */
        public Builder onInvalidate(Consumer<String> work) {
            this.invalidator = Objects.requireNonNull(work);
            return this;
        }

        /**
         * What to do when the mount goes away: {@link Backend#cleanup()}.
         *
         * @param work the work
         * @return this builder
         */
        public Builder onCleanup(Runnable work) {
            this.cleaner = Objects.requireNonNull(work);
            return this;
        }

        /** {@return the router} */
        public Router build() {
            return new Router(this);
        }
    }

    /** {@return the paths, in the order they are matched} */
    public List<Path> paths() {
        return paths;
    }

    @Override
    public SpecialPaths specialPaths() {
        return specialPaths;
    }

    @Override
    public void initialize() {
        initializer.run();
    }

    @Override
    public void invalidate(String key) {
        invalidator.accept(key);
    }

    @Override
    public void cleanup() {
        cleaner.run();
    }

    /** Whether this mount is on a standby and must send requests to the active node; asked once. */
    private boolean onStandby() {
        if (activeNodeOnly == null) {
            return false;
        }
        Boolean known = standby;
        if (known == null) {
            known = activeNodeOnly.standby();
            standby = known;
        }
        return known;
    }

    /** A read of a path declared served on standbys. */
    private boolean answeredOnStandby(Request request) {
        return request.operation() == Operation.READ && !servedOnStandbys.isEmpty()
                && match(request.path()).filter(path -> servedOnStandbys.contains(path.pattern())).isPresent();
    }

    @Override
    public Response handle(Request request) {
        if (onStandby() && !answeredOnStandby(request)) {
            if (request.operation() == Operation.ROLLBACK) {
                return Response.none(); // periodic work writes: the active node does it
            }
            throw VaultException.forwardToActive("this mount answers on the active node only");
        }
        switch (request.operation()) {
            case HELP -> {
                return help(request);
            }
            case ROLLBACK -> {
                if (periodic == null) {
                    throw VaultException.unsupportedOperation("no periodic work");
                }
                periodic.run();
                return Response.none();
            }
            case RENEW, REVOKE -> {
                return leaseOperation(request);
            }
            default -> {
                // Path and operation first: a request they refuse is answered without parsing its body.
                Path path = find(request.path());
                Handler handler = path.handler(request.operation()).orElseThrow(() ->
                        VaultException.unsupportedOperation(request.operation().wireName()
                                + " is not supported on " + displayPath(request.path())));
                return handler.handle(route(path, request, true));
            }
        }
    }

    /** Renew and revoke go by the lease's secret type, not by path (the path is the one that issued it). */
    private Response leaseOperation(Request request) {
        Lease lease = request.lease().orElseThrow(() -> VaultException.badRequest(
                request.operation().wireName() + " needs the lease the server keeps; none came with the request"));
        SecretType type = secretTypes.get(lease.secretType());
        if (type == null) {
            if (request.operation() == Operation.REVOKE) {
                // Nothing of this mount is held by a lease type it does not know: let the server forget it,
                // or the lease would block the mount's removal forever.
                return Response.none();
            }
            throw VaultException.badRequest("leases of type \"" + lease.secretType() + "\" cannot be renewed by this mount");
        }
        return (request.operation() == Operation.RENEW ? type.renew() : type.revoke()).handle(request);
    }

    @Override
    public Optional<Boolean> exists(Request request) {
        Optional<Path> path = match(request.path());
        if (path.isEmpty() || path.get().existenceCheck().isEmpty()) {
            return Optional.empty();
        }
        Request routed;
        try {
            routed = route(path.get(), request, false);
        } catch (VaultException e) {
            // A path parameter or a body that does not parse: no answer, so that the write goes on
            // to its handler, whose strict routing refuses it with a 400 that names the problem.
            // (An error from an existence check would reach the caller as a 500.)
            return Optional.empty();
        }
        return Optional.of(path.get().existenceCheck().get().exists(routed));
    }

    private Optional<Path> match(String requestPath) {
        return paths.stream().filter(path -> path.match(requestPath).isPresent()).findFirst();
    }

    private Path find(String requestPath) {
        return match(requestPath).orElseThrow(() ->
                VaultException.unsupportedPath("no path " + displayPath(requestPath) + " on this mount"));
    }

    private static String displayPath(String requestPath) {
        return "\"" + (requestPath.length() > 80 ? requestPath.substring(0, 80) + "..." : requestPath) + "\"";
    }

    /**
     * Reads the request's fields. Path parameters must always parse. {@code strict}: body fields
     * must parse, unknown fields of a write and missing required fields are errors; the existence
     * check reads the body leniently, since the handler reports its problems.
     */
    private static Request route(Path path, Request request, boolean strict) {
        Map<String, String> parameters = path.match(request.path()).orElseThrow();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            Optional<Field<?>> field = path.field(parameter.getKey());
            values.put(parameter.getKey(), field.isPresent() ? field.get().parse(parameter.getValue()) : parameter.getValue());
        }
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, Object> entry : body(request).entrySet()) {
            Optional<Field<?>> field = path.field(entry.getKey());
            if (field.isEmpty() || parameters.containsKey(entry.getKey())) {
                if (field.isEmpty()) {
                    unknown.add(entry.getKey());
                }
                continue;
            }
            if (entry.getValue() == null) {
                continue;
            }
            try {
                values.put(entry.getKey(), field.get().parse(entry.getValue()));
            } catch (VaultException e) {
                if (strict) {
                    throw e;
                }
            }
        }
        if (strict && request.operation().writes()) {
            if (!unknown.isEmpty()) {
                throw VaultException.badRequest("unknown field" + (unknown.size() > 1 ? "s " : " ")
                        + String.join(", ", unknown.stream().sorted().map(name -> "\"" + name + "\"").toList())
                        + "; " + path.pattern() + acceptedFields(path, parameters));
            }
            for (Field<?> field : path.fields()) {
                if (field.isRequired() && !values.containsKey(field.name())) {
                    throw VaultException.badRequest("missing " + field.name() + ": " + field.description());
                }
            }
        }
        return request.routed(parameters, values);
    }

    /** The request's body, read only now: after the path and the operation have been found. */
    private static Map<String, Object> body(Request request) {
        try {
            return request.rawData();
        } catch (JsonException e) {
            throw VaultException.badRequest("invalid request body: " + e.getMessage());
        }
    }

    private static String acceptedFields(Path path, Map<String, String> parameters) {
        List<String> names = path.fields().stream().map(Field::name).filter(name -> !parameters.containsKey(name)).toList();
        return names.isEmpty() ? " accepts no fields" : " accepts: " + String.join(", ", names);
    }

    private Response help(Request request) {
        String prefix = body(request).get("requestResponsePrefix") instanceof String s ? s : "";
        if (request.path().isEmpty()) {
            return helpResponse(Help.root(synopsis, description, paths), Help.openApi(synopsis, description, paths, prefix));
        }
        Path path = find(request.path());
        return helpResponse(Help.path(path, request.path()), Help.openApi(synopsis, description, List.of(path), prefix));
    }

    private static Response helpResponse(String text, Map<String, Object> openApi) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("help", text);
        data.put("see_also", null);
        data.put("openapi", openApi);
        return Response.data(data);
    }
}
