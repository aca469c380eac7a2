package dev.herald.it;

/**
 * What a test needs to talk to one server over its HTTP API: a {@link DevServer}, or one node of a
 * {@link RaftCluster}. Helpers that only make requests ({@link JwtIssuer}) take this.
 */
public interface ServerHttp {

    /** The token of {@link #http(String, String, Object)}: the root token. */
    String rootToken();

    /**
     * One HTTP request with {@code token} (none if null). {@code path} is relative to {@code /v1/} (a
     * leading {@code /v1/} is accepted too); {@code body} is null, a JSON string, or a Map/List written
     * as JSON.
     */
    HttpResult http(String method, String path, Object body, String token);

    /** One HTTP request with the root token. */
    default HttpResult http(String method, String path, Object body) {
        return http(method, path, body, rootToken());
    }

    /** An HTTP request with no token at all, as an unauthenticated client sends it. */
    default HttpResult httpWithoutToken(String method, String path) {
        return http(method, path, null, null);
    }
}
