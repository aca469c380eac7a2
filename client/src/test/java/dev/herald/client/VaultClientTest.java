package dev.herald.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.testing.StubVault;
import dev.herald.client.testing.StubVault.Answer;
import dev.herald.client.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VaultClientTest {
    /** Three attempts, a few milliseconds apart: retries without slowing the tests down. */
    static final Retry FAST = new Retry(3, Duration.ofMillis(1), Duration.ofMillis(5));

    @TempDir
    Path dir;

    private StubVault stub;

    @AfterEach
    void stop() {
        if (stub != null) {
            stub.close();
        }
    }

    private VaultClient client(Retry retry) {
        return VaultClient.builder(stub.config().build()).retry(retry).timeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void getSendsTheTokenAndNamespaceAndReadsTheJson() {
        stub = StubVault.http().answer("GET", "herald/signer", Answer.ok(Map.of("data", Map.of("kid", "k1", "n", 7))));
        VaultClient client = VaultClient.builder(stub.config().namespace("team-a").build()).build();

        VaultResponse response = client.get("herald/signer", "the-token");

        assertEquals(200, response.status());
        assertEquals(Map.of("kid", "k1", "n", 7L), response.data());
        StubVault.Request request = stub.requests().get(0);
        assertEquals("the-token", request.token());
        assertEquals("team-a", request.header("X-Vault-Namespace"));
    }

    @Test
    void postSendsAJsonBodyAndNoTokenWhenNoneIsGiven() {
        stub = StubVault.http().answer("POST", "auth/jwt/login", Answer.ok(Map.of()));

        client(FAST).post("/v1/auth/jwt/login", Map.of("role", "r", "n", 3), null);

        StubVault.Request request = stub.requests().get(0);
        assertEquals("POST", request.method());
        assertEquals(Map.of("role", "r", "n", 3L), request.body());
        assertEquals("application/json", request.header("Content-Type"));
        assertEquals(null, request.token());
    }

    @Test
    void noContentIsAnEmptyAnswer() {
        stub = StubVault.http().answer("POST", "auth/token/revoke-self", Answer.noContent());

        VaultResponse response = client(FAST).post("auth/token/revoke-self", Map.of(), "t");

        assertEquals(204, response.status());
        assertEquals(Map.of(), response.json());
    }

    @Test
    void serverErrorsAreRetriedUntilSuccess() {
        stub = StubVault.http().answer("GET", "sys/health",
                Answer.errors(500, "internal"), Answer.errors(502, "bad gateway"), Answer.ok(Map.of("ok", true)));

        VaultResponse response = client(FAST).get("sys/health", null);

        assertEquals(Map.of("ok", true), response.json());
        assertEquals(3, stub.requests().size());
    }

    @Test
    void tooManyRequestsIsRetried() {
        stub = StubVault.http().answer("GET", "sys/health", Answer.errors(429, "rate limited"), Answer.ok(Map.of()));

        client(FAST).get("sys/health", null);

        assertEquals(2, stub.requests().size());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 409})
    void otherClientErrorsAreNotRetriedAndCarryTheServersMessages(int status) {
        stub = StubVault.http().answer("POST", "herald/publish/payments/pod-1",
                Answer.errors(status, "role \"payments\" does not allow service \"billing\"", "second message"));

        VaultException e = assertThrows(VaultException.class,
                () -> client(FAST).post("herald/publish/payments/pod-1", Map.of("role", "payments"), "t"));

        assertEquals(status, e.status());
        assertEquals(List.of("role \"payments\" does not allow service \"billing\"", "second message"), e.errors());
        assertTrue(e.getMessage().contains("POST /v1/herald/publish/payments/pod-1"), e.getMessage());
        assertTrue(e.getMessage().contains("does not allow service \"billing\"; second message"), e.getMessage());
        assertEquals(1, stub.requests().size());
    }

    @Test
    void aPersistentServerErrorEndsWhenTheAttemptsRunOut() {
        stub = StubVault.http().answer("GET", "sys/health", Answer.errors(503, "sealed"));

        VaultException e = assertThrows(VaultException.class, () -> client(FAST).get("sys/health", null));

        assertEquals(503, e.status());
        assertEquals(List.of("sealed"), e.errors());
        assertEquals(FAST.attempts(), stub.requests().size());
    }

    @Test
    void retryNoneSendsOnce() {
        stub = StubVault.http().answer("GET", "sys/health", Answer.errors(500, "internal"), Answer.ok(Map.of()));

        VaultException e = assertThrows(VaultException.class, () -> client(Retry.NONE).get("sys/health", null));

        assertEquals(500, e.status());
        assertEquals(1, stub.requests().size());
    }

    @Test
    void anErrorBodyThatIsNotVaultsIsPassedThroughShortened() {
        String page = "<html><body>" + "bad gateway ".repeat(40) + "</body></html>";
        stub = StubVault.http().on("GET", "sys/health", request -> new Answer(502, page));

        VaultException e = assertThrows(VaultException.class, () -> client(Retry.NONE).get("sys/health", null));

        assertEquals(502, e.status());
        assertTrue(e.errors().get(0).startsWith("<html><body>bad gateway"), e.errors().get(0));
        assertTrue(e.errors().get(0).length() <= 203, "cut to 200 characters and an ellipsis");
    }

    @Test
    void aSuccessfulAnswerThatIsNotJsonIsRefused() {
        stub = StubVault.http().on("GET", "sys/health", request -> new Answer(200, "<html>proxy login</html>"));

        VaultException e = assertThrows(VaultException.class, () -> client(FAST).get("sys/health", null));

        assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
        assertEquals(1, stub.requests().size(), "a malformed answer is not a network failure");
    }

    @Test
    void connectionRefusedEndsWithStatusZero() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        VaultClient client = VaultClient.builder(VaultConfig.builder().address("http://127.0.0.1:" + port).build())
                .retry(FAST).build();

        VaultException e = assertThrows(VaultException.class, () -> client.get("sys/health", null));

        assertEquals(0, e.status());
        assertEquals(List.of(), e.errors());
        assertInstanceOf(ConnectException.class, e.getCause());
        assertTrue(e.getMessage().contains("GET /v1/sys/health: no answer"), e.getMessage());
    }

    @Test
    void aDroppedConnectionIsRetried() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket connection = socket.accept(); InputStream in = connection.getInputStream()) {
                        connections.incrementAndGet();
                        in.read(); // let the request start, then hang up without an answer
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            VaultClient client = VaultClient.builder(
                    VaultConfig.builder().address("http://127.0.0.1:" + socket.getLocalPort()).build()).retry(FAST).build();

            VaultException e = assertThrows(VaultException.class,
                    () -> client.post("auth/jwt/login", Map.of("role", "r"), null));

            assertEquals(0, e.status());
            assertEquals(FAST.attempts(), connections.get());
        }
    }

    @Test
    void httpsTrustsTheConfiguredCaFile() {
        TestPki ca = TestPki.create("test vault ca");
        stub = StubVault.https(TestPki.serverContext(ca.issueServer(), null), "none")
                .answer("GET", "sys/health", Answer.ok(Map.of("initialized", true)));
        Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));

        VaultClient client = VaultClient.builder(stub.config().caCert(caFile).build()).retry(FAST).build();

        assertEquals(Map.of("initialized", true), client.get("sys/health", null).json());
    }

    @Test
    void httpsRefusesAServerTheTrustStoreDoesNotKnow() {
        TestPki ca = TestPki.create("unknown ca");
        stub = StubVault.https(TestPki.serverContext(ca.issueServer(), null), "none")
                .answer("GET", "sys/health", Answer.ok(Map.of()));

        // no CA file: the JDK's trust store, which does not hold the test CA
        VaultException e = assertThrows(VaultException.class, () -> client(Retry.NONE).get("sys/health", null));

        assertEquals(0, e.status());
        assertInstanceOf(SSLException.class, e.getCause());
        assertEquals(0, stub.requests().size());
    }

    @Test
    void httpsRefusesAServerSignedByAnotherCa() {
        TestPki serverCa = TestPki.create("server ca");
        TestPki otherCa = TestPki.create("other ca");
        stub = StubVault.https(TestPki.serverContext(serverCa.issueServer(), null), "none");
        Path caFile = otherCa.writeCertificate(dir.resolve("other.pem"));

        VaultClient client = VaultClient.builder(stub.config().caCert(caFile).build()).retry(Retry.NONE).build();

        assertEquals(0, assertThrows(VaultException.class, () -> client.get("sys/health", null)).status());
    }

    @Test
    void aClientCertificateIsPresentedWhenTheServerRequiresOne() {
        TestPki ca = TestPki.create("vault ca");
        TestPki clients = TestPki.create("client ca");
        TestPki.Issued client = clients.issueClient("consumer-1", "EC");
        stub = StubVault.https(TestPki.serverContext(ca.issueServer(), clients), "need")
                .answer("POST", "auth/cert/login", Answer.auth("cert-token", 60, true));
        VaultConfig config = stub.config().caCert(ca.writeCertificate(dir.resolve("ca.pem"))).build();

        VaultClient withCertificate = VaultClient.builder(config).keyManagers(client.keyManagers()).retry(FAST).build();
        VaultResponse response = withCertificate.post("auth/cert/login", Map.of(), null);

        assertEquals("cert-token", response.auth().get("client_token"));
        List<java.security.cert.X509Certificate> presented = stub.requests().get(0).clientCertificates();
        assertEquals(client.certificate(), presented.get(0));

        VaultClient withoutCertificate = VaultClient.builder(config).retry(Retry.NONE).build();
        VaultException e = assertThrows(VaultException.class, () -> withoutCertificate.post("auth/cert/login", Map.of(), null));
        assertEquals(0, e.status(), "the handshake fails: " + e.getMessage());
        assertEquals(1, stub.requests().size());
    }

    @Test
    void aMissingCaFileIsAClearError() {
        VaultConfig config = VaultConfig.builder().address("https://127.0.0.1:8200").caCert(dir.resolve("nope.pem")).build();

        HeraldException e = assertThrows(HeraldException.class, () -> VaultClient.builder(config).build());

        assertTrue(e.getMessage().contains("nope.pem"), e.getMessage());
    }

    @Test
    void backoffGrowsFromBaseToMaxWithFullJitter() {
        Retry retry = new Retry(10, Duration.ofMillis(100), Duration.ofMillis(1000));
        SplittableRandom random = new SplittableRandom(7);
        long[] bounds = {100, 200, 400, 800, 1000, 1000};
        for (int attempt = 1; attempt <= bounds.length; attempt++) {
            long longest = 0;
            for (int i = 0; i < 200; i++) {
                long delay = retry.delayAfter(attempt, random).toMillis();
                assertTrue(delay >= 0 && delay <= bounds[attempt - 1], "attempt " + attempt + ": " + delay);
                longest = Math.max(longest, delay);
            }
            assertTrue(longest > bounds[attempt - 1] / 2, "jitter spreads over the whole range");
        }
        assertEquals(Duration.ZERO, Retry.NONE.delayAfter(1, random));
    }

    @Test
    void onlyServerErrorsAndTooManyRequestsAreRetryable() {
        assertTrue(Retry.retryable(500));
        assertTrue(Retry.retryable(503));
        assertTrue(Retry.retryable(429));
        assertFalse(Retry.retryable(400));
        assertFalse(Retry.retryable(403));
        assertFalse(Retry.retryable(404));
        assertFalse(Retry.retryable(412));
    }

    @Test
    void retryRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Retry(0, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Retry(3, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Retry(3, Duration.ofSeconds(-1), Duration.ofSeconds(1)));
    }

    @Test
    void requestsNeverShowTheirTokenOrBody() {
        VaultRequest request = VaultRequest.post("/v1/auth/approle/login", Map.of("secret_id", "s3cr3t-id"), "tok3n")
                .withHeader("X-Vault-Wrap-TTL", "60s");

        assertEquals("auth/approle/login", request.path());
        assertEquals("POST /v1/auth/approle/login", request.toString());
        assertEquals(Map.of("X-Vault-Wrap-TTL", "60s"), request.headers());
    }

    @Test
    void responsesReadTheirPartsByName() {
        VaultResponse response = new VaultResponse(200, Map.of("lease_id", "herald/publish/x/y/abc", "lease_duration", 3600L,
                "renewable", true, "wrap_info", Map.of("token", "w"), "auth", Map.of("client_token", "t")));

        assertEquals("herald/publish/x/y/abc", response.leaseId());
        assertEquals(3600, response.leaseDuration());
        assertTrue(response.renewable());
        assertEquals(Map.of("token", "w"), response.wrapInfo().orElseThrow());
        assertEquals(Map.of(), response.data());
        assertFalse(response.toString().contains("\"t\""));
        assertNotNull(response.auth().get("client_token"));
    }
}
