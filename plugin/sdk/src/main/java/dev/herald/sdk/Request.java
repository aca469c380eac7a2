package dev.herald.sdk;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One request to a mount, as a handler sees it: the operation, the path relative to the mount, the
 * caller, and the path's fields already read and checked.
 */
public final class Request {
    private final String id;
    private final Operation operation;
    private final String path;
    private final Body body;
    private final Caller caller;
    private final MountInfo mount;
    private final Duration wrapTtl;
    private final Map<String, String> pathParameters;
    private final Map<String, Object> fieldValues;
    private final Lease lease;

    /** The mount a request arrived on. */
    public record MountInfo(String path, String type, String accessor) {
        public static final MountInfo NONE = new MountInfo("", "", "");
    }

    /**
     * A request as it arrives, before routing.
     *
     * @param data     the request body (or query parameters) as decoded JSON
     * @param wrapTtl  the response-wrapping TTL the caller asked for, or null
     */
    public Request(String id, Operation operation, String path, Map<String, Object> data, Caller caller,
                   MountInfo mount, Duration wrapTtl) {
        this(id, operation, path, Body.decoded(data), caller, mount, wrapTtl, Map.of(), Map.of(), null);
    }

    /**
     * A request as it arrives, whose body is decoded only when something first reads it. A
     * {@link Router} refuses an unknown path or an operation the path lacks before that, so a body
     * sent where no write is accepted (to an unauthenticated read-only path, say) is never parsed.
     *
     * @param body decodes the request body; what it throws (e.g. a
     *             {@link dev.herald.sdk.json.JsonException}) comes out where the body is first read
     */
    public static Request decodingBody(String id, Operation operation, String path, Supplier<Map<String, Object>> body,
                                       Caller caller, MountInfo mount, Duration wrapTtl) {
        return new Request(id, operation, path, new Body(body), caller, mount, wrapTtl, Map.of(), Map.of(), null);
    }

    /**
     * A renew or revoke request for a lease the mount issued.
     *
     * @param data the data of the response that issued the lease, as the server kept it
     */
    public static Request forLease(String id, Operation operation, String path, Map<String, Object> data,
                                   Caller caller, MountInfo mount, Lease lease) {
        if (operation != Operation.RENEW && operation != Operation.REVOKE) {
            throw new IllegalArgumentException("only renew and revoke carry a lease, not " + operation.wireName());
        }
        return new Request(id, operation, path, Body.decoded(data), caller, mount, null, Map.of(), Map.of(),
                java.util.Objects.requireNonNull(lease));
    }

    private Request(String id, Operation operation, String path, Body body, Caller caller,
                    MountInfo mount, Duration wrapTtl, Map<String, String> pathParameters,
                    Map<String, Object> fieldValues, Lease lease) {
        this.id = id;
        this.operation = operation;
        this.path = path;
        this.body = body;
        this.caller = caller;
        this.mount = mount;
        this.wrapTtl = wrapTtl;
        this.pathParameters = Map.copyOf(pathParameters);
        this.fieldValues = Map.copyOf(fieldValues);
        this.lease = lease;
    }

    /** This request once routed: its path parameters and its checked field values (absent ones left out). */
    Request routed(Map<String, String> pathParameters, Map<String, Object> fieldValues) {
        return new Request(id, operation, path, body, caller, mount, wrapTtl, pathParameters, fieldValues, lease);
    }

    /** This request with another operation (an update that the existence check turned into a create...). */
    public Request withOperation(Operation other) {
        return new Request(id, other, path, body, caller, mount, wrapTtl, pathParameters, fieldValues, lease);
    }

    /** The server's id of this request, as shown in its audit log. */
    public String id() {
        return id;
    }

    public Operation operation() {
        return operation;
    }

    /** The path relative to the mount, e.g. "config" or "roles/web". */
    public String path() {
        return path;
    }

    /**
     * The raw body as decoded from JSON; handlers normally use {@link #get(Field)} instead.
     *
     * @throws RuntimeException what decoding a {@link #decodingBody} request's body throws
     */
    public Map<String, Object> rawData() {
        return body.get();
    }

    public Caller caller() {
        return caller;
    }

    public MountInfo mount() {
        return mount;
    }

    /** For renew and revoke: the lease as the server kept it. */
    public Optional<Lease> lease() {
        return Optional.ofNullable(lease);
    }

    /** The response-wrapping TTL the caller asked for, if any. */
    public Optional<Duration> wrapTtl() {
        return Optional.ofNullable(wrapTtl);
    }

    /**
     * The value of a field of the path: the one the request carried, else the field's default.
     *
     * @throws IllegalStateException if the request has no value and the field no default (a
     *                               handler that reads an optional field must ask {@link #has} first)
     */
    @SuppressWarnings("unchecked")
    public <T> T get(Field<T> field) {
        Object value = fieldValues.get(field.name());
        if (value != null) {
            return (T) value;
        }
        return field.defaultValue().orElseThrow(() ->
                new IllegalStateException("field " + field.name() + " has no value and no default"));
    }

    /** The value of a field if the request carried one. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(Field<T> field) {
        return Optional.ofNullable((T) fieldValues.get(field.name()));
    }

    /** Whether the request carried a value for this field. */
    public boolean has(Field<?> field) {
        return fieldValues.containsKey(field.name());
    }

    /** A path parameter, e.g. {@code name} of "roles/:name". */
    public String pathParameter(String name) {
        String value = pathParameters.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the path has no parameter " + name);
        }
        return value;
    }

    /** A request's body, decoded once on first use and shared by the copies of the request. */
    private static final class Body {
        private Supplier<Map<String, Object>> source;
        private Map<String, Object> decoded;

        Body(Supplier<Map<String, Object>> source) {
            this.source = java.util.Objects.requireNonNull(source);
        }

        static Body decoded(Map<String, Object> data) {
            Body body = new Body(() -> data);
            body.get();
            return body;
        }

        synchronized Map<String, Object> get() {
            if (decoded == null) {
                decoded = Collections.unmodifiableMap(new LinkedHashMap<>(source.get()));
                source = null; // let go of the encoded body
            }
            return decoded;
        }
    }

    @Override
    public String toString() {
        // No data: request bodies may carry secrets.
        return "Request[" + operation.wireName() + " " + path + "]";
    }
}
