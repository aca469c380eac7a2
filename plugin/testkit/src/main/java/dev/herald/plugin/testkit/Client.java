package dev.herald.plugin.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Talks to one server over its HTTP API with one token (or none), as any client application does.
 * Immutable: {@link #withToken(String)} and {@link #withoutToken()} give other clients of the same
 * server.
 *
 * <p>Paths are relative to {@code /v1/} (a leading {@code /v1/} or {@code /} is accepted too). A
 * body is null, a JSON text as a String, a {@code Map} or {@code List} (written as JSON), or the
 * bytes of a JSON text. An answer of any status is returned, never thrown: check it with
 * {@link Response#assertStatus(int)}.
 *
 * <pre>{@code
 * client.post("my-mount/config", Map.of("ttl", "1h")).assertStatus(204);
 * Map<String, Object> data = client.get("my-mount/config").assertStatus(200).data();
 * }</pre>
 */
public final class Client {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final String address;
    private final String token;

    Client(HttpClient http, String address, String token) {
        this.http = http;
        this.address = address;
        this.token = token;
    }

    /**
     * The server's address.
     *
     * @return {@code http://127.0.0.1:PORT}
     */
    public String address() {
        return address;
    }

    /**
     * The token this client sends.
     *
     * @return the token, empty for a client without one
     */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    /**
     * A client of the same server with another token.
     *
     * @param token the token to send in {@code X-Vault-Token}
     * @return the new client
     */
    public Client withToken(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the token must not be empty; use withoutToken()");
        }
        return new Client(http, address, token);
    }

    /**
     * A client of the same server that sends no token, as an unauthenticated caller.
     *
     * @return the new client
     */
    public Client withoutToken() {
        return new Client(http, address, null);
    }

    /**
     * {@code GET path}.
     *
     * @param path the path
     * @return the answer
     */
    public Response get(String path) {
        return send("GET", path, null);
    }

    /**
     * {@code LIST path}.
     *
     * @param path the path
     * @return the answer
     */
    public Response list(String path) {
        return send("LIST", path, null);
    }

    /**
     * {@code POST path} (what the CLI's {@code write} sends).
     *
     * @param path the path
     * @param body the body, or null
     * @return the answer
     */
    public Response post(String path, Object body) {
        return send("POST", path, body);
    }

    /**
     * {@code PUT path}.
     *
     * @param path the path
     * @param body the body, or null
     * @return the answer
     */
    public Response put(String path, Object body) {
        return send("PUT", path, body);
    }

    /**
     * {@code DELETE path}.
     *
     * @param path the path
     * @return the answer
     */
    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    /**
     * Any request. {@code PATCH} bodies are sent as {@code application/merge-patch+json}, as the
     * servers require, others as {@code application/json}.
     *
     * @param method the HTTP method
     * @param path   the path
     * @param body   the body, or null
     * @return the answer
     */
    public Response send(String method, String path, Object body) {
        String relative = path.startsWith("/v1/") ? path.substring(4) : path.replaceFirst("^/+", "");
        HttpRequest.BodyPublisher publisher = switch (body) {
            case null -> HttpRequest.BodyPublishers.noBody();
            case byte[] bytes -> HttpRequest.BodyPublishers.ofByteArray(bytes);
            case String s -> HttpRequest.BodyPublishers.ofString(s);
            default -> HttpRequest.BodyPublishers.ofString(Json.write(body));
        };
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(address + "/v1/" + relative))
                .timeout(REQUEST_TIMEOUT)
                .method(method, publisher);
        if (token != null) {
            request.header("X-Vault-Token", token);
        }
        if (body != null) {
            request.header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json");
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(method, "/v1/" + relative, response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " /v1/" + relative + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " /v1/" + relative, e);
        }
    }

    @Override
    public String toString() {
        // never the token: toString ends up in test reports
        return "client of " + address + (token == null ? " without a token" : "");
    }
}
