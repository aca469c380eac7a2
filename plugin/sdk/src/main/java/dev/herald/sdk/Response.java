package dev.herald.sdk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a handler returns: a JSON object of data, optional warnings, optionally a lease
 * ({@link #withLease}) and optionally a demand that the server wrap the response. {@link #none()} means "no response": a 404 for a read, a 204 for
 * a write. {@link #raw} is the exception: an HTTP body the server sends as it is, without data.
 */
public final class Response {
    private static final Response NONE = new Response(null, List.of(), null, null, null);

    private final Map<String, Object> data;
    private final List<String> warnings;
    private final Duration wrapTtl;
    private final Lease lease;
    private final RawBody raw;

    private Response(Map<String, Object> data, List<String> warnings, Duration wrapTtl, Lease lease, RawBody raw) {
        if (raw != null && (!warnings.isEmpty() || wrapTtl != null || lease != null)) {
            // The servers send a raw body as it is: a warning would be lost, and they refuse a
            // wrapped or leased raw answer with a 500.
            throw new IllegalStateException("a raw response carries no warnings, wrapping or lease");
        }
        this.data = data == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(data));
        this.warnings = List.copyOf(warnings);
        this.wrapTtl = wrapTtl;
        this.lease = lease;
        this.raw = raw;
    }

    /**
     * A response carrying data.
     *
     * @param data the JSON object's members (values: strings, numbers, booleans, lists, maps, null)
     * @return the response
     */
    public static Response data(Map<String, ?> data) {
        return new Response(new LinkedHashMap<>(data), List.of(), null, null, null);
    }

    /**
     * An HTTP answer sent as it is (status, content type, bytes, Cache-Control) instead of the
     * servers' JSON envelope, e.g. a document a standard defines at a well-known URL. It carries no
     * data, warnings, wrapping or lease.
     *
     * @param body the answer
     * @return the response
     */
    public static Response raw(RawBody body) {
        return new Response(Map.of(), List.of(), null, null, java.util.Objects.requireNonNull(body));
    }

    /**
     * The answer to a list operation.
     *
     * @param keys the keys listed
     * @return the response
     */
    public static Response list(List<String> keys) {
        return data(Map.of("keys", List.copyOf(keys)));
    }

    /**
     * The answer to a list operation, with details per key (shown by {@code vault list -detailed}).
     *
     * @param keys    the keys listed
     * @param keyInfo details of some or all of them, by key
     * @return the response
     */
    public static Response list(List<String> keys, Map<String, ? extends Map<String, ?>> keyInfo) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("keys", List.copyOf(keys));
        data.put("key_info", keyInfo);
        return data(data);
    }

    /** {@return no response: the server answers 404 to a read and 204 to a write} */
    public static Response none() {
        return NONE;
    }

    /**
     * This response with a warning the caller sees beside the data.
     *
     * @param warning the warning's text
     * @return the new response
     */
    public Response withWarning(String warning) {
        List<String> more = new ArrayList<>(warnings);
        more.add(warning);
        return new Response(data == null ? Map.of() : data, more, wrapTtl, lease, raw);
    }

    /**
     * This response, which the server must wrap in a single-use token.
     *
     * @param ttl how long the wrapping token lives
     * @return the new response
     */
    public Response wrapped(Duration ttl) {
        return new Response(data == null ? Map.of() : data, warnings, ttl, lease, raw);
    }

    /**
     * This response granting a lease: the server records it, shows the caller its id and TTL, and
     * later calls the renew and revoke handlers of its secret type.
     *
     * @param granted the lease
     * @return the new response
     */
    public Response withLease(Lease granted) {
        return new Response(data == null ? Map.of() : data, warnings, wrapTtl, java.util.Objects.requireNonNull(granted), raw);
    }

    /**
     * The answer of a renew handler: the renewed lease, with no data of its own.
     *
     * @param renewed the lease as renewed ({@link Lease#renewedFor})
     * @return the response
     */
    public static Response renewal(Lease renewed) {
        return new Response(Map.of(), List.of(), null, java.util.Objects.requireNonNull(renewed), null);
    }

    /** {@return the lease this response grants, if any} */
    public Optional<Lease> lease() {
        return Optional.ofNullable(lease);
    }

    /** {@return the raw HTTP answer, if this is one ({@link #raw}); its {@link #data()} is then empty} */
    public Optional<RawBody> raw() {
        return Optional.ofNullable(raw);
    }

    /** {@return whether this is {@link #none()}} */
    public boolean isNone() {
        return data == null;
    }

    /** {@return the data, or an empty map for {@link #none()}} */
    public Map<String, Object> data() {
        return data == null ? Map.of() : data;
    }

    /** {@return the warnings, in the order they were added} */
    public List<String> warnings() {
        return warnings;
    }

    /** {@return the TTL of the wrapping token, if the server must wrap this response} */
    public Optional<Duration> wrapTtl() {
        return Optional.ofNullable(wrapTtl);
    }
}
