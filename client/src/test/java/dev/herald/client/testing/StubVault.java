package dev.herald.client.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.herald.client.Retry;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultConfig;
import dev.herald.client.consumer.WrappedDiscovery;
import dev.herald.sdk.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A stand-in for the Vault HTTP API on a loopback port (HTTP, or HTTPS with an optional client
 * certificate): routes {@code METHOD path} (relative to {@code /v1/}) to handlers, records every
 * request, and answers 404 with Vault's error shape where no handler is set. It also plays Vault's
 * response wrapping ({@link #wrapping}, {@link #wrap}): {@code sys/wrapping/lookup} and
 * {@code sys/wrapping/unwrap} answer for the tokens it made, once each.
 */
public final class StubVault implements AutoCloseable {
    /** The error Vault gives for a wrapping token that was used, expired or never existed. */
    public static final String INVALID_WRAPPING_TOKEN = "wrapping token is not valid or does not exist";

    /** A live wrapping token's creation path and the answer it wraps. */
    private record Wrapped(String creationPath, Map<String, Object> data) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "stub-vault");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Function<Request, Answer>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Wrapped> wrapped = new ConcurrentHashMap<>();
    private final AtomicInteger wrappingTokens = new AtomicInteger();
    private volatile Function<Request, Answer> otherwise;

    private StubVault(HttpServer server) {
        this.server = server;
        on("POST", "sys/wrapping/lookup", request -> {
            Wrapped entry = wrapped.get(String.valueOf(request.body().get("token")));
            return entry == null ? Answer.errors(400, INVALID_WRAPPING_TOKEN) : Answer.ok(Map.of("data", Map.of(
                    "creation_path", entry.creationPath(), "creation_time", "2026-05-01T12:00:00Z", "creation_ttl", 60L)));
        });
        on("POST", "sys/wrapping/unwrap", request -> {
            Wrapped entry = wrapped.remove(String.valueOf(request.token()));
            return entry == null ? Answer.errors(400, INVALID_WRAPPING_TOKEN) : Answer.ok(Map.of("data", entry.data()));
        });
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static StubVault http() {
        try {
            return new StubVault(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HTTPS with {@code context}; {@code clientAuth}: "none", "want" or "need" a client certificate. */
    public static StubVault https(SSLContext context, String clientAuth) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(context) {
                @Override
                public void configure(HttpsParameters parameters) {
                    SSLParameters ssl = context.getDefaultSSLParameters();
                    ssl.setWantClientAuth(clientAuth.equals("want"));
                    if (clientAuth.equals("need")) {
                        ssl.setNeedClientAuth(true);
                    }
                    parameters.setSSLParameters(ssl);
                }
            });
            return new StubVault(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers {@code method path} with {@code handler}. */
    public StubVault on(String method, String path, Function<Request, Answer> handler) {
        routes.put(method + " " + path, handler);
        return this;
    }

    /** Answers {@code method path} with {@code answers} in turn; the last one again after that. */
    public StubVault answer(String method, String path, Answer... answers) {
        AtomicInteger next = new AtomicInteger();
        return on(method, path, request -> answers[Math.min(next.getAndIncrement(), answers.length - 1)]);
    }

    /** Answers every request that no route takes with {@code handler} (instead of a 404). */
    public StubVault otherwise(Function<Request, Answer> handler) {
        this.otherwise = handler;
        return this;
    }

    /**
     * Serves {@code GET path} as Vault does: wrapped in a single-use token when the request asks for
     * it with X-Vault-Wrap-TTL, plain otherwise.
     */
    public StubVault wrapping(String path, Supplier<Map<String, Object>> data) {
        return on("GET", path, request -> read(request, data.get()));
    }

    /**
     * Vault's answer to {@code request} (a read) with {@code data}: wrapped in a single-use token
     * made for the request's path (as Vault's creation_path, without the query) when it asks for it
     * with X-Vault-Wrap-TTL, plain otherwise.
     */
    public Answer read(Request request, Map<String, Object> data) {
        return request.header(WrappedDiscovery.WRAP_TTL_HEADER) == null ? Answer.ok(Map.of("data", data))
                : Answer.ok(wrapInfo(wrap(request.path(), data), request.path()));
    }

    /** A new wrapping token for {@code data}, made (as Vault would record it) by a read of {@code creationPath}. */
    public String wrap(String creationPath, Map<String, Object> data) {
        String token = "hvs.wrapping-" + wrappingTokens.incrementAndGet();
        wrapped.put(token, new Wrapped(creationPath, data));
        return token;
    }

    /** The body of a wrapped answer. */
    public static Map<String, Object> wrapInfo(String token, String creationPath) {
        return Map.of("request_id", "r-1", "data", Map.of(), "wrap_info", Map.of("token", token, "accessor", "acc-1",
                "ttl", 60L, "creation_time", "2026-05-01T12:00:00Z", "creation_path", creationPath));
    }

    public URI address() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A configuration pointing at this stub. */
    public VaultConfig.Builder config() {
        return VaultConfig.builder().address(address());
    }

    /** A client of this (HTTP) stub that never retries (a retry would hide what the test looks at). */
    public VaultClient client() {
        return VaultClient.builder(config().build()).retry(Retry.NONE).build();
    }

    /** Every request so far, in the order they came. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests to {@code path}. */
    public List<Request> requests(String path) {
        return requests.stream().filter(request -> request.path.equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().replaceFirst("^/v1/", "");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
            List<X509Certificate> peer = new ArrayList<>();
            if (exchange instanceof HttpsExchange https) {
                try {
                    for (Certificate certificate : https.getSSLSession().getPeerCertificates()) {
                        peer.add((X509Certificate) certificate);
                    }
                } catch (SSLPeerUnverifiedException none) {
                    // no client certificate
                }
            }
            Map<String, String> query = new LinkedHashMap<>();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            if (rawQuery != null) {
                for (String parameter : rawQuery.split("&")) {
                    int equals = parameter.indexOf('=');
                    query.put(decode(equals < 0 ? parameter : parameter.substring(0, equals)),
                            equals < 0 ? "" : decode(parameter.substring(equals + 1)));
                }
            }
            Request request = new Request(exchange.getRequestMethod(), path, query, headers, body, peer);
            requests.add(request);
            Function<Request, Answer> handler = routes.getOrDefault(request.method + " " + path, otherwise);
            Answer answer = handler == null ? Answer.errors(404, "no handler for " + request.method + " " + path)
                    : handler.apply(request);
            byte[] bytes = answer.body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        } catch (RuntimeException e) {
            e.printStackTrace(); // a broken handler shows in the test output rather than as a hang
            throw e;
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * A request as the stub received it: header names lower-case, the body as sent.
     *
     * @param path               relative to {@code /v1/}, without the query
     * @param query              the query's parameters, decoded
     * @param clientCertificates the TLS client's certificate chain (HTTPS), or empty
     */
    public record Request(String method, String path, Map<String, String> query, Map<String, String> headers, String text,
            List<X509Certificate> clientCertificates) {
        /** The JSON body (an empty map for none). */
        public Map<String, Object> body() {
            return Json.parseObject(text);
        }

        /** The {@code X-Vault-Token} header, or null. */
        public String token() {
            return headers.get("x-vault-token");
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** An answer: a status and a body (none if empty). */
    public record Answer(int status, String body) {
        public static Answer json(int status, Map<String, ?> json) {
            return new Answer(status, Json.write(json));
        }

        public static Answer ok(Map<String, ?> json) {
            return json(200, json);
        }

        public static Answer noContent() {
            return new Answer(204, "");
        }

        /** Vault's error shape. */
        public static Answer errors(int status, String... messages) {
            return json(status, Map.of("errors", List.of(messages)));
        }

        /** A login's (or a renewal's) answer. */
        public static Answer auth(String token, long ttlSeconds, boolean renewable) {
            return ok(Map.of("auth", Map.of("client_token", token, "accessor", "accessor-of-" + token,
                    "lease_duration", ttlSeconds, "renewable", renewable, "policies", List.of("default", "herald"))));
        }
    }
}
