package dev.herald.sdk;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One request to a mount, as a handler sees it: the operation, the path relative to the mount, the
 * caller, and the path's fields already read and checked.
 */
public final class Request {
    private final String id;
    private final Operation operation;
    private final String path;
    private final Map<String, Object> data;
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
        this(id, operation, path, data, caller, mount, wrapTtl, Map.of(), Map.of(), null);
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
        return new Request(id, operation, path, data, caller, mount, null, Map.of(), Map.of(),
                java.util.Objects.requireNonNull(lease));
    }

    private Request(String id, Operation operation, String path, Map<String, Object> data, Caller caller,
                    MountInfo mount, Duration wrapTtl, Map<String, String> pathParameters,
                    Map<String, Object> fieldValues, Lease lease) {
        this.id = id;
        this.operation = operation;
        this.path = path;
        this.data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
        this.caller = caller;
        this.mount = mount;
        this.wrapTtl = wrapTtl;
        this.pathParameters = Map.copyOf(pathParameters);
        this.fieldValues = Map.copyOf(fieldValues);
        this.lease = lease;
    }

    /** This request once routed: its path parameters and its checked field values (absent ones left out). */
    Request routed(Map<String, String> pathParameters, Map<String, Object> fieldValues) {
        return new Request(id, operation, path, data, caller, mount, wrapTtl, pathParameters, fieldValues, lease);
    }

    /** This request with another operation (an update that the existence check turned into a create...). */
    public Request withOperation(Operation other) {
        return new Request(id, other, path, data, caller, mount, wrapTtl, pathParameters, fieldValues, lease);
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

    /** The raw body as decoded from JSON; handlers normally use {@link #get(Field)} instead. */
    public Map<String, Object> rawData() {
        return data;
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

    @Override
    public String toString() {
        // No data: request bodies may carry secrets.
        return "Request[" + operation.wireName() + " " + path + "]";
    }
}
