package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9's boundaries: what reaches the plugin other than through the server, and what a caller
 * with little or no authority can do through it.
 */
@Timeout(180)
class BoundaryTest {

    /** The methods a client can send a path (LIST as {@code GET ?list=true}). */
    private static final List<String> METHODS = List.of("GET", "LIST", "POST", "PUT", "PATCH", "DELETE");

    /**
     * The plugin's gRPC socket is reachable by any local process that can open it; the plugin
     * requires the client certificate the server handed it at start (go-plugin's AutoMTLS). A TLS
     * client with no certificate, or with a certificate of its own, gets the TLS alert and no further:
     * {@code openssl s_client} reaches the plugin's TLS (it is shown the plugin's certificate and h2)
     * and is refused; the plugin serves the server as before, in the same process.
     */
    @OnEachServer
    void thePluginSocketRefusesAClientWithoutTheServersCertificate(Herald herald) throws IOException {
        DevServer server = herald.server();
        String mount = herald.enable("socket");
        server.http("GET", mount + "/signer", null).assertStatus(200);
        ProcessHandle plugin = herald.pluginProcess();
        List<Path> sockets = listeningSockets(plugin.pid());
        assertEquals(1, sockets.size(), () -> "the plugin listens on one unix socket: " + sockets);
        Path socket = sockets.getFirst();

        CliResult withoutCertificate = server.run(List.of("openssl", "s_client", "-unix", socket.toString(),
                "-alpn", "h2", "-ign_eof"));
        assertNotEquals(0, withoutCertificate.exitCode(), withoutCertificate::toString);
        assertTrue(withoutCertificate.stdout().contains("ALPN protocol: h2"),
                () -> "the handshake reached the plugin's TLS: " + withoutCertificate);
        assertTrue(withoutCertificate.stderr().contains("alert certificate required"), withoutCertificate::toString);

        Path dir = Files.createTempDirectory(Project.outputDir(), "stranger");
        Path key = dir.resolve("key.pem");
        Path certificate = dir.resolve("cert.pem");
        server.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", certificate.toString(), "-subj", "/CN=localhost", "-days", "1"))
                .assertSuccess();
        CliResult withOwnCertificate = server.run(List.of("openssl", "s_client", "-unix", socket.toString(),
                "-alpn", "h2", "-cert", certificate.toString(), "-key", key.toString(), "-ign_eof"));
        assertNotEquals(0, withOwnCertificate.exitCode(), withOwnCertificate::toString);
        assertTrue(withOwnCertificate.stdout().contains("ALPN protocol: h2"), withOwnCertificate::toString);
        assertTrue(withOwnCertificate.stderr().contains("alert certificate unknown")
                || withOwnCertificate.stderr().contains("alert bad certificate"), withOwnCertificate::toString);
        DevServer.deleteTree(dir);

        server.http("GET", mount + "/signer", null).assertStatus(200);
        assertEquals(plugin.pid(), herald.pluginProcess().pid(), "the same plugin process serves on");
    }

    /**
     * A token whose policy allows only {@code read} on {@code discover/*} (and the default policy)
     * reads records and nothing else: every other operation on every path the mount declares (taken
     * from the server's OpenAPI document, so a new path is covered when it is added) is refused with
     * 403, publishing, rotating with continuity, revoking and rotating the signer among them; the
     * mount is unchanged afterwards.
     */
    @OnEachServer
    void aTokenThatMayOnlyReadDiscoverChangesNothing(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "reader", "[\"create\", \"update\"]", "");
        DevServer server = flow.server;
        String mount = flow.mount;
        Publisher key = Publisher.ed25519();
        JwtIssuer.Login pod = flow.pod("pod-1");
        long generation = ((Number) flow.publish(pod, "pod-1", key, Map.of()).assertStatus(200).data()
                .get("generation")).longValue();
        JwtIssuer.policy(server, "discover-reader", "path \"" + mount + "/discover/*\" { capabilities = [\"read\"] }\n");
        String reader = (String) Json.at(server.http("POST", "auth/token/create", Map.of("policies", List.of(
                "discover-reader"))).assertStatus(200).json(), "auth", "client_token");
        Map<String, Object> before = MountSnapshot.of(server, mount, List.of("discover/web"), List.of("web"));

        server.http("GET", mount + "/discover/web", null, reader).assertStatus(200);
        server.http("GET", mount + "/discover/web/pod-1", null, reader).assertStatus(200);
        Publisher next = Publisher.ed25519();
        List<String> allowed = new ArrayList<>();
        List<Attempt> attempts = new ArrayList<>(List.of(
                new Attempt("POST", mount + "/publish/web/pod-2", Map.of("role", "web", "csr", next.csrPem(),
                        "endpoints", List.of("pod-2.web.internal:8443"))),
                new Attempt("POST", mount + "/publish/web/pod-1", Map.of("role", "web", "csr", next.csrPem(),
                        "endpoints", List.of("pod-1.web.internal:8443"),
                        "continuity", key.continuityFor(next, mount + "/", "web", "pod-1", generation))),
                new Attempt("POST", mount + "/revoke/web/pod-1", Map.of("reason", "reader", "reset", true)),
                new Attempt("POST", mount + "/signer/rotate", Map.of()),
                new Attempt("POST", mount + "/config", Map.of("default_ttl", "1s")),
                new Attempt("POST", mount + "/roles/web", Map.of("instance", "*")),
                new Attempt("DELETE", mount + "/roles/web", null),
                new Attempt("POST", mount + "/tidy", Map.of())));
        attempts.addAll(everyOperation(server, mount));
        for (Attempt attempt : attempts) {
            boolean readsARecord = attempt.method().equals("GET") && attempt.path().startsWith(mount + "/discover/");
            boolean unauthenticated = isPublic(attempt.path(), mount); // the test below
            if (readsARecord || unauthenticated) {
                continue;
            }
            HttpResult answer = attempt.send(server, reader);
            if (answer.status() != 403) {
                allowed.add(answer.toString());
            }
        }
        assertEquals(List.of(), allowed, "every operation but reading discover is refused (403)");
        assertEquals(before, MountSnapshot.of(server, mount, List.of("discover/web"), List.of("web")));
    }

    /** The two paths that answer without a token: {@code jwks} and its bare twin for JOSE libraries. */
    private static boolean isKeySet(String path, String mount) {
        return path.equals(mount + "/jwks") || path.equals(mount + "/.well-known/jwks.json");
    }

    /**
     * The key sets and the log's read paths ({@code log/...}: checkpoint, key, tiles, proofs,
     * witnessed) need no token; {@code log/cosign} does (witnesses post with their own).
     */
    private static boolean isPublic(String path, String mount) {
        return isKeySet(path, mount) || path.startsWith(mount + "/log/") && !path.equals(mount + "/log/cosign");
    }

    /**
     * Without a token, {@code jwks} and {@code .well-known/jwks.json} answer (GET, with the keys;
     * other methods are refused with 403 or 405), so do the log's read paths (GET, never with a
     * server error), and every other operation on every path the mount declares is refused (403).
     */
    @OnEachServer
    void withoutATokenOnlyTheKeySetsAnswer(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "anonymous", "[\"create\", \"update\"]", "");
        DevServer server = flow.server;
        String mount = flow.mount;
        flow.publish(flow.pod("pod-1"), "pod-1", Publisher.ed25519(), Map.of()).assertStatus(200);
        Map<String, Object> before = MountSnapshot.of(server, mount, List.of("discover/web"), List.of("web"));

        List<String> answered = new ArrayList<>();
        List<Attempt> attempts = everyOperation(server, mount);
        assertTrue(attempts.size() >= 11 * METHODS.size(), () -> "every declared path: " + attempts);
        for (Attempt attempt : attempts) {
            HttpResult answer = attempt.send(server, null);
            if (isKeySet(attempt.path(), mount)) {
                // GET answers; the other methods are refused, by the server (403) or the plugin (405)
                boolean expected = attempt.method().equals("GET") ? answer.status() == 200
                        : answer.status() == 403 || answer.status() == 405;
                assertTrue(expected, answer::toString);
            } else if (isPublic(attempt.path(), mount)) {
                // The log's reads answer (200, or 400/404 for the placeholder tile and the missing proof
                // parameters), never with a server error; anything else is refused (a LIST of a path that
                // lists nothing is an unsupported path there, 404)
                boolean expected = attempt.method().equals("GET") ? answer.status() < 500 && answer.status() != 403
                        : answer.status() == 403 || answer.status() == 404 || answer.status() == 405;
                assertTrue(expected, answer::toString);
            } else if (answer.status() != 403) {
                answered.add(answer.toString());
            }
        }
        assertEquals(List.of(), answered, "only the key sets and the log answer a request without a token");
        assertEquals(before, MountSnapshot.of(server, mount, List.of("discover/web"), List.of("web")));
    }

    /** One request a test sends: {@code LIST} is sent as {@code GET ?list=true}. */
    private record Attempt(String method, String path, Object body) {
        HttpResult send(DevServer server, String token) {
            return method.equals("LIST") ? server.http("GET", path + "?list=true", null, token)
                    : server.http(method, path, body, token);
        }
    }

    /**
     * Every method on every path of {@code mount} in the server's OpenAPI document, each path
     * parameter given a value that exists ({@code web}, {@code pod-1}), with an empty JSON body.
     */
    private static List<Attempt> everyOperation(DevServer server, String mount) {
        Map<?, ?> paths = (Map<?, ?>) Json.at(server.http("GET", "sys/internal/specs/openapi", null).assertStatus(200)
                .json(), "paths");
        TreeSet<String> ours = new TreeSet<>();
        for (Object key : paths.keySet()) {
            String path = (String) key;
            if (path.startsWith("/" + mount + "/")) {
                ours.add(path.substring(1).replaceAll("\\{service}|\\{name}", "web")
                        .replaceAll("\\{instance}", "pod-1").replaceAll("\\{[a-z_]+}", "x"));
            }
        }
        List<Attempt> attempts = new ArrayList<>();
        for (String path : ours) {
            // The servers refuse to write to a path ending in '/' whoever asks: only reads are sent.
            for (String method : path.endsWith("/") ? List.of("GET", "LIST") : METHODS) {
                attempts.add(new Attempt(method, path, method.equals("GET") || method.equals("DELETE") ? null : Map.of()));
            }
        }
        return attempts;
    }

    /**
     * The unix sockets process {@code pid} listens on, from {@code /proc/net/unix} (the bridge names
     * its socket {@code herald-PID-RANDOM.sock}): no tool needed beyond the kernel's table.
     */
    static List<Path> listeningSockets(long pid) {
        try {
            List<Path> sockets = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
                // Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 is a listening socket
                String[] fields = line.trim().split("\\s+");
                if (fields.length == 8 && fields[3].equals("00010000")
                        && Path.of(fields[7]).getFileName().toString().startsWith("herald-" + pid + "-")) {
                    sockets.add(Path.of(fields[7]));
                }
            }
            return sockets;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
