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

    /**
     * The mount a request arrived on.
     *
     * @param path     the mount's path, e.g. "herald/"
     * @param type     the plugin's name as mounted, e.g. "herald"
     * @param accessor the mount's accessor, e.g. "herald_1a2b3c4d"
     */
    public record MountInfo(String path, String type, String accessor) {
        /** No mount: for requests made outside a server (tests). */
        public static final MountInfo NONE = new MountInfo("", "", "");
    }

    /**
     * A request as it arrives, before routing.
     *
     * @param id        the server's id of the request
     * @param operation the operation
     * @param path      the path relative to the mount
     * @param data      the request body (or query parameters) as decoded JSON
     * @param caller    who sent it
     * @param mount     the mount it arrived on
     * @param wrapTtl   the response-wrapping TTL the caller asked for, or null
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
     * @param id        the server's id of the request
     * @param operation the operation
     * @param path      the path relative to the mount
     * @param body      decodes the request body; what it throws (e.g. a
     *                  {@link dev.herald.sdk.json.JsonException}) comes out where the body is first read
     * @param caller    who sent it
     * @param mount     the mount it arrived on
     * @param wrapTtl   the response-wrapping TTL the caller asked for, or null
     * @return the request
     */
    public static Request decodingBody(String id, Operation operation, String path, Supplier<Map<String, Object>> body,
                                       Caller caller, MountInfo mount, Duration wrapTtl) {
        return new Request(id, operation, path, new Body(body), caller, mount, wrapTtl, Map.of(), Map.of(), null);
    }

    /**
     * A renew or revoke request for a lease the mount issued.
     *
     * @param id        the server's id of the request
     * @param operation {@link Operation#RENEW} or {@link Operation#REVOKE}
     * @param path      the path relative to the mount
     * @param data      the data of the response that issued the lease, as the server kept it
     * @param caller    who sent it (the server itself for an expiry)
     * @param mount     the mount it arrived on
     * @param lease     the lease as the server kept it
     * @return the request
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

    /**
     * This request with another operation (an update that the existence check turned into a create...).
     *
     * @param other the operation
     * @return the new request
     */
    public Request withOperation(Operation other) {
        return new Request(id, other, path, body, caller, mount, wrapTtl, pathParameters, fieldValues, lease);
    }

    /** {@return the server's id of this request, as shown in its audit log} */
    public String id() {
        return id;
    }

    /** {@return the operation} */
    public Operation operation() {
        return operation;
    }

    /** {@return the path relative to the mount, e.g. "config" or "roles/web"} */
    public String path() {
        return path;
    }

    /**
     * The raw body as decoded from JSON; handlers normally use {@link #get(Field)} instead.
     *
     * @return the body's members
     * @throws RuntimeException what decoding a {@link #decodingBody} request's body throws
     */
    public Map<String, Object> rawData() {
        return body.get();
    }

    /** {@return who sent the request} */
    public Caller caller() {
        return caller;
    }

    /** {@return the mount the request arrived on} */
    public MountInfo mount() {
        return mount;
    }

    /** {@return for renew and revoke: the lease as the server kept it} */
    public Optional<Lease> lease() {
        return Optional.ofNullable(lease);
    }

    /** {@return the response-wrapping TTL the caller asked for, if any} */
    public Optional<Duration> wrapTtl() {
        return Optional.ofNullable(wrapTtl);
    }

    /**
     * The value of a field of the path: the one the request carried, else the field's default.
     *
     * @param <T>   the field's type
     * @param field a field of the path
     * @return its value
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

    /**
     * The value of a field if the request carried one.
     *
     * @param <T>   the field's type
     * @param field a field of the path
     * @return the value the request carried, or empty (defaults do not count)
     */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(Field<T> field) {
        return Optional.ofNullable((T) fieldValues.get(field.name()));
    }

    /**
     * Whether the request carried a value for a field.
     *
     * @param field a field of the path
     * @return whether it did
     */
    public boolean has(Field<?> field) {
        return fieldValues.containsKey(field.name());
    }

    /**
     * A path parameter, e.g. {@code name} of "roles/:name".
     *
     * @param name the parameter's name
     * @return its value in this request's path
     * @throws IllegalArgumentException if the path has no such parameter
     */
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
