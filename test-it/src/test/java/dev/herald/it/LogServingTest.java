package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * The mount's verifiable log served by a real server (design-log §5, plan step 8): after enough
 * publications to fill an entry bundle, its checkpoint and tiles are read without a token with
 * their raw content types and Cache-Control, {@code herald log verify} replays the whole log, and
 * an independent implementation (golang.org/x/mod's sumdb/tlog and sumdb/note, in
 * {@code test-it/go/tlogcheck}) verifies the checkpoint, every tile and bundle, and a sample of
 * inclusion and consistency proofs over HTTP.
 */
@Timeout(300)
class LogServingTest {
    private static final int PUBLICATIONS = 300;

    private record Fetched(int status, String contentType, String cacheControl, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status + " " + contentType + " [" + cacheControl + "] " + (contentType.startsWith("text/") ? text() : body.length + " bytes");
        }
    }

    /** A GET as any HTTP client sends it: no token. */
    private static Fetched fetchWithoutToken(String url) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Fetched(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("Cache-Control").orElse(""), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @OnEachServer
    void theServedLogVerifiesWithHeraldAndWithAnIndependentTlogClient(Herald herald, ServerKind kind) throws Exception {
        DevServer server = herald.server();
        String mount = herald.enable("served-log");
        String prefix = server.address() + "/v1/" + mount + "/log/";
        assertEquals(404, fetchWithoutToken(prefix + "checkpoint").status(), "no log before the first publication");

        server.http("POST", mount + "/roles/any", Map.of("services", List.of("web-*"), "instance", "*",
                "allow_unbound", true)).assertStatus(200);
        long lastIndex = -1;
        for (int i = 0; i < PUBLICATIONS; i++) {
            HttpResult published = server.http("POST", mount + "/publish/web-" + (i % 7) + "/i-" + i,
                    Map.of("role", "any", "csr", Publisher.ed25519().csrPem())).assertStatus(200);
            long index = ((Number) Json.at(published.data(), "log", "index")).longValue();
            assertTrue(index > lastIndex, "the publish answer names its leaf: " + published);
            lastIndex = index;
        }

        Fetched checkpoint = fetchWithoutToken(prefix + "checkpoint");
        assertEquals(200, checkpoint.status(), checkpoint::toString);
        assertEquals("text/plain; charset=utf-8", checkpoint.contentType(), checkpoint::toString);
        assertEquals("no-cache, max-age=0", checkpoint.cacheControl(), checkpoint::toString);
        String[] lines = checkpoint.text().split("\n");
        long size = Long.parseLong(lines[1]);
        assertEquals(lastIndex + 1, size, checkpoint::toString);
        assertTrue(size > 256, "a full bundle and the partial one after it: " + size);

        Fetched key = fetchWithoutToken(prefix + "key");
        assertEquals(200, key.status(), key::toString);
        assertTrue(key.text().startsWith(lines[0] + "+"), "the vkey is named by the origin: " + key);

        Fetched tile = fetchWithoutToken(prefix + "tile/0/000");
        assertEquals(200, tile.status(), tile::toString);
        assertEquals("application/octet-stream", tile.contentType(), tile::toString);
        assertEquals("public, max-age=31536000, immutable", tile.cacheControl(), tile::toString);
        assertEquals(8192, tile.body().length);
        Fetched partial = fetchWithoutToken(prefix + "tile/entries/001.p/" + (size - 256));
        assertEquals(200, partial.status(), partial::toString);
        for (String malformed : List.of("tile/0/1", "tile/0/x000/000", "tile/64/000", "tile/0/000.p/0", "tile/entries/002")) {
            Fetched refused = fetchWithoutToken(prefix + malformed);
            assertEquals(404, refused.status(), () -> malformed + ": " + refused);
        }
        int write = server.http("POST", mount + "/log/checkpoint", Map.of(), null).status();
        assertTrue(write == 405 || write == 403, "the log is read only: " + write);

        LogCommands cli = new LogCommands(server, mount, Project.outputDir().resolve("log-serving").resolve(kind.cli()));
        CliResult verified = cli.herald("log-verify", "log", "verify", "--state", cli.dir().resolve("state").toString());
        assertEquals(0, verified.exitCode(), verified::toString);
        assertTrue(verified.stderr().contains(size + " entries verified"), verified::toString);

        CliResult go = cli.tlogcheck(20, 5);
        assertEquals(0, go.exitCode(), go::toString);
        assertTrue(go.stdout().contains("checkpoint: " + lines[0] + ", size " + size), go::toString);
        assertTrue(go.stdout().contains("inclusion (tlog-proof)"), go::toString);
    }
}
