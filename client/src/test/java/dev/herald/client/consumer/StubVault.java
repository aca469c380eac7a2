package dev.herald.client.consumer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.client.Retry;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultConfig;
import dev.herald.sdk.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** A Vault HTTP API double on loopback: routes by method and path, and remembers every request. */
final class StubVault implements AutoCloseable {
    /** One request as the stub saw it; header names lower-case. */
    record Exchange(String method, String path, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        Map<String, Object> json() {
            return Json.parseObject(body);
        }
    }

    /** An answer: status and a JSON body (null: none). */
    record Reply(int status, Object json) {
        static Reply ok(Object json) {
            return new Reply(200, json);
        }

        static Reply error(int status, String message) {
            return new Reply(status, Map.of("errors", List.of(message)));
        }
    }

    @FunctionalInterface
    interface Handler {
        Reply handle(Exchange exchange);
    }

    /** The error Vault gives for a wrapping token that was used, expired or never existed. */
    static final String INVALID_WRAPPING_TOKEN = "wrapping token is not valid or does not exist";

    /** A live wrapping token's creation path and the answer it wraps. */
    private record Wrapped(String creationPath, Map<String, Object> data) {
    }

    private final Map<String, Wrapped> wrapped = new ConcurrentHashMap<>();
    private final AtomicInteger wrappingTokens = new AtomicInteger();
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final HttpServer server;
    private final Map<String, Handler> routes = new ConcurrentHashMap<>();
    private final List<Exchange> requests = Collections.synchronizedList(new ArrayList<>());

    StubVault() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
        server.start();
        on("POST", "sys/wrapping/lookup", exchange -> {
            Wrapped entry = wrapped.get(String.valueOf(exchange.json().get("token")));
            return entry == null ? Reply.error(400, INVALID_WRAPPING_TOKEN) : Reply.ok(Map.of("data", Map.of(
                    "creation_path", entry.creationPath(), "creation_time", "2026-05-01T12:00:00Z", "creation_ttl", 60L)));
        });
        on("POST", "sys/wrapping/unwrap", exchange -> {
            Wrapped entry = wrapped.remove(String.valueOf(exchange.header("X-Vault-Token")));
            return entry == null ? Reply.error(400, INVALID_WRAPPING_TOKEN) : Reply.ok(Map.of("data", entry.data()));
        });
    }

    /**
     * Serves {@code GET path} as Vault does: wrapped in a single-use token when the request asks for it
     * with X-Vault-Wrap-TTL, plain otherwise.
     */
    StubVault wrapping(String path, Supplier<Map<String, Object>> data) {
        return on("GET", path, exchange -> exchange.header(WrappedDiscovery.WRAP_TTL_HEADER) == null
                ? Reply.ok(Map.of("data", data.get()))
                : Reply.ok(wrapInfo(wrap(path, data.get()), path)));
    }

    /** A new wrapping token for {@code data}, made (as Vault would record it) by a read of {@code creationPath}. */
    String wrap(String creationPath, Map<String, Object> data) {
        String token = "hvs.wrapping-" + wrappingTokens.incrementAndGet();
        wrapped.put(token, new Wrapped(creationPath, data));
        return token;
    }

    /** The body of a wrapped answer. */
    static Map<String, Object> wrapInfo(String token, String creationPath) {
        return Map.of("request_id", "r-1", "data", Map.of(), "wrap_info", Map.of("token", token, "accessor", "acc-1",
                "ttl", 60L, "creation_time", "2026-05-01T12:00:00Z", "creation_path", creationPath));
    }

    /** Answers {@code METHOD /v1/path} with {@code handler}. */
    StubVault on(String method, String path, Handler handler) {
        routes.put(method + " " + path, handler);
        return this;
    }

    private void serve(HttpExchange http) throws IOException {
        try (http) {
            Map<String, String> headers = new TreeMap<>();
            http.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
            String path = http.getRequestURI().getPath().replaceFirst("^/v1/", "");
            Exchange exchange = new Exchange(http.getRequestMethod(), path, headers,
                    new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(exchange);
            Handler handler = routes.get(exchange.method() + " " + path);
            Reply reply = handler == null ? Reply.error(404, "no route " + exchange.method() + " " + path) : handler.handle(exchange);
            byte[] body = reply.json() == null ? new byte[0] : Json.write(reply.json()).getBytes(StandardCharsets.UTF_8);
            http.getResponseHeaders().set("Content-Type", "application/json");
            http.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                http.getResponseBody().write(body);
            }
        }
    }

    /** A client of this stub that never retries (a retry would hide what the test looks at). */
    VaultClient client() {
        return VaultClient.builder(VaultConfig.builder().address("http://127.0.0.1:" + server.getAddress().getPort()).build())
                .retry(Retry.NONE).build();
    }

    /** The requests made so far to {@code path}. */
    List<Exchange> requests(String path) {
        synchronized (requests) {
            return requests.stream().filter(exchange -> exchange.path().equals(path)).toList();
        }
    }

    List<Exchange> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
