package dev.herald.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A man in the middle between a client and a server's HTTP listener, for the tamper tests: it passes
 * every request on, and lets the test rewrite the answers of {@code discover} (an attacker who sees
 * the wrapped answer and unwraps it first, or swaps in a wrapping token made for another path).
 */
final class InterceptingProxy implements AutoCloseable {
    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "host", "transfer-encoding",
            "upgrade", "expect");

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private volatile UnaryOperator<Map<String, Object>> discoverAnswer = UnaryOperator.identity();

    InterceptingProxy(String target) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> forward(exchange, target));
        server.start();
    }

    String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** What the attacker does to each answer of a {@code discover} path. */
    void onDiscover(UnaryOperator<Map<String, Object>> rewrite) {
        this.discoverAnswer = rewrite;
    }

    private void forward(HttpExchange exchange, String target) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            HttpResponse<String> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String text = answer.body();
            if (exchange.getRequestURI().getPath().contains("/discover/") && answer.statusCode() == 200) {
                text = Json.write(discoverAnswer.apply(Json.parse(text) instanceof Map<?, ?> m ? cast(m) : Map.of()));
            }
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.statusCode(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    @Override
    public void close() {
        server.stop(0);
        client.close();
    }
}
