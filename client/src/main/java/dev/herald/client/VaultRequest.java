package dev.herald.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One request to the Vault HTTP API: {@code path} relative to {@code /v1/}, a JSON body (or none),
 * the token to send (or none), and extra headers such as {@code X-Vault-Wrap-TTL}.
 */
public record VaultRequest(String method, String path, Map<String, ?> body, String token, Map<String, String> headers) {

    public VaultRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        path = path.replaceFirst("^/+", "").replaceFirst("^v1/", "");
        body = body == null ? null : Map.copyOf(body);
        headers = Map.copyOf(headers);
    }

    public static VaultRequest get(String path, String token) {
        return new VaultRequest("GET", path, null, token, Map.of());
    }

    public static VaultRequest post(String path, Map<String, ?> body, String token) {
        return new VaultRequest("POST", path, body, token, Map.of());
    }

    /** The same request with one more header. */
    public VaultRequest withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new VaultRequest(method, path, body, token, more);
    }

    @Override
    public String toString() {
        return method + " /v1/" + path; // never the token or the body (a secret id, a JWT)
    }
}
