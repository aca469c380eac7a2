package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;

/**
 * {@code .well-known/jwks.json} on real servers: the bare JWK Set with no token, and a non-Java
 * JOSE library (PyJWT's PyJWKClient) that verifies a record given nothing but that URL.
 */
@Timeout(180)
class WellKnownJwksTest {
    private static final java.nio.file.Path SCRIPT = Project.root().resolve("test-it/src/test/python/pyjwt_verify_record.py");
    private static final Pattern MAX_AGE = Pattern.compile("^public, max-age=(\\d+)$");

    private record Fetched(int status, String contentType, String cacheControl, String body) {
    }

    private static Fetched fetchWithoutToken(String url) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
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
    void aJoseLibraryFetchesTheBareKeySetAndVerifiesARecordWithIt(Herald herald) throws Exception {
        DevServer server = herald.server();
        PublishingMount flow = new PublishingMount(herald, "well-known", "[\"create\", \"update\"]", "");
        herald.writeConfig(flow.mount, "record_ttl=10m");
        flow.publish(flow.pod("pod-1"), "pod-1", Publisher.ed25519(), Map.of()).assertStatus(200);
        String record = (String) flow.discover().get("record");
        String url = server.address() + "/v1/" + flow.mount + "/.well-known/jwks.json";

        Fetched set = fetchWithoutToken(url);
        assertEquals(200, set.status(), set::toString);
        assertEquals("application/jwk-set+json", set.contentType(), set::toString);
        Matcher maxAge = MAX_AGE.matcher(set.cacheControl());
        assertTrue(maxAge.matches(), set::toString);
        assertTrue(Long.parseLong(maxAge.group(1)) < Duration.ofMinutes(10).toSeconds() / 2,
                () -> "max-age well under record_ttl (10m): " + set);
        // Exactly a JWK Set: one member, keys, the set jwks shows inside the server's envelope.
        Map<String, Object> body = Json.parseObject(set.body());
        assertEquals(List.of("keys"), List.copyOf(body.keySet()), set::toString);
        assertEquals(flow.jwks().toJSONObject(), JWKSet.parse(set.body()).toJSONObject());

        // Only read: a write without a token is refused before its body is looked at.
        assertEquals(405, server.http("POST", flow.mount + "/.well-known/jwks.json", "{\"keys\": []}", null).status());

        Map<String, Object> verified = Json.parseObject(pyjwt(url, record, flow.mount + "/").assertExit(0).out());
        assertEquals("web", verified.get("sub"));
        assertEquals(JWKSet.parse(set.body()).getKeys().getFirst().getKeyID(), verified.get("kid"));

        Python tampered = pyjwt(url, record, flow.mount + "/", "--tamper").assertExit(1);
        assertTrue(tampered.out().startsWith("InvalidSignatureError"), tampered::toString);

        // The key set follows a rotation: a record signed by the new key verifies the same way.
        server.http("POST", flow.mount + "/signer/rotate", Map.of()).assertStatus(200);
        String rotated = (String) flow.discover().get("record");
        Map<String, Object> again = Json.parseObject(pyjwt(url, rotated, flow.mount + "/").assertExit(0).out());
        assertTrue(!again.get("kid").equals(verified.get("kid")), () -> "signed by the new key: " + again);
    }

    private record Python(int exit, String out, String err) {
        Python assertExit(int expected) {
            if (exit != expected) {
                throw new AssertionError("expected exit " + expected + ": " + this);
            }
            return this;
        }
    }

    private static Python pyjwt(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3", SCRIPT.toString()));
        command.addAll(List.of(args));
        java.nio.file.Path err = java.nio.file.Files.createTempFile("pyjwt", ".err");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("PyJWT did not finish within 60 s");
        }
        String stderr = java.nio.file.Files.readString(err);
        java.nio.file.Files.delete(err);
        return new Python(process.exitValue(), out, stderr);
    }
}
