package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.herald.client.testing.ManualClock;
import dev.herald.client.testing.TestKeys;
import dev.herald.client.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real TLS handshakes over loopback, with self-signed certificates whose keys a record lists (or not). */
class PinnedTrustTest {
    private static final TestSigner SIGNER = TestSigner.ed25519();
    private static final SignerKeys KEYS = SignerKeys.fromJwks(TestSigner.jwks(SIGNER));
    private final ManualClock clock = new ManualClock(Records.NOW.plusSeconds(1));
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    /** A verified record listing {@code keys} as instances web-0, web-1, ... */
    private DiscoveryRecord recordOf(long seq, PublicKey... keys) {
        List<Map<String, Object>> instances = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            instances.add(Records.instance("web-" + i, 1, keys[i]));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> claims = Records.claims("payments", "service", seq, instances.toArray(new Map[0]));
        return RecordVerifier.builder().issuer("herald/").service("payments").clock(clock).build()
                .verify(SIGNER.sign(DiscoveryRecord.TYPE, claims), KEYS);
    }

    /** A self-signed certificate for {@code keys}, named for no host in particular. */
    private static X509Certificate selfSigned(KeyPair keys) {
        return TestPki.selfSigned(keys, "not-the-host-we-dial");
    }

    private static KeyManager[] keyManagers(KeyPair keys) {
        return TestPki.jdkKeyManagers(keys, selfSigned(keys));
    }

    /** A TLS echo server: one byte in, the same byte out, until the peer closes. */
    private int echoServer(KeyPair keys, PinnedTrust clientTrust) throws Exception {
        SSLContext context;
        if (clientTrust == null) {
            context = SSLContext.getInstance("TLS");
            TrustManagerFactory none = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            none.init((KeyStore) null);
            context.init(keyManagers(keys), none.getTrustManagers(), null);
        } else {
            context = clientTrust.sslContext(keyManagers(keys));
        }
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 10,
                InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(clientTrust != null);
        ExecutorService threads = Executors.newCachedThreadPool();
        closing.add(threads::shutdownNow);
        closing.add(server);
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    threads.execute(() -> echo(socket));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return server.getLocalPort();
    }

    private static void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            for (int b; (b = in.read()) >= 0; ) {
                out.write(b);
                out.flush();
            }
        } catch (IOException handshakeRefusedOrClosed) {
            // the test looks at the client's side
        }
    }

    /** Connects with {@code context} (asking for host name checks, which pinning makes moot) and sends one byte. */
    private SSLSocket connect(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        closing.add(socket);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        roundTrip(socket, 42);
        return socket;
    }

    private static void roundTrip(Socket socket, int b) throws IOException {
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
        assertEquals(b, socket.getInputStream().read());
    }

    @Test
    void trustsAServerWhoseKeyTheRecordListsWhateverItsName() throws Exception {
        for (KeyPair server : List.of(TestKeys.p256(), TestKeys.ed25519())) {
            PinnedTrust trust = new PinnedTrust(clock);
            trust.install(recordOf(1, TestKeys.p384().getPublic(), server.getPublic()));
            SSLSocket socket = connect(trust.sslContext(null), echoServer(server, null));
            assertEquals(server.getPublic(), socket.getSession().getPeerCertificates()[0].getPublicKey());
        }
    }

    @Test
    void refusesAServerWhoseKeyTheRecordDoesNotList() throws Exception {
        KeyPair server = TestKeys.p256();
        PinnedTrust trust = new PinnedTrust(clock);
        trust.install(recordOf(1, TestKeys.p256().getPublic()));
        SSLException e = assertThrows(SSLException.class, () -> connect(trust.sslContext(null), echoServer(server, null)));
        assertTrue(causes(e).contains("the server's key " + Records.fingerprint(server.getPublic())
                + " is not one of the 1 live instance keys of service payments (record seq 1)"), causes(e));
    }

    @Test
    void aNewRecordTakesEffectForNewHandshakesOnly() throws Exception {
        KeyPair a = TestKeys.p256();
        KeyPair b = TestKeys.p256();
        int portA = echoServer(a, null);
        int portB = echoServer(b, null);
        PinnedTrust trust = new PinnedTrust(clock);
        SSLContext context = trust.sslContext(null);
        trust.install(recordOf(1, a.getPublic()));
        SSLSocket open = connect(context, portA);
        assertThrows(SSLException.class, () -> connect(context, portB));

        trust.install(recordOf(2, b.getPublic()));
        connect(context, portB);
        assertThrows(SSLException.class, () -> connect(context, portA));
        roundTrip(open, 7); // the connection made before the swap is not touched
        assertEquals(2, trust.installed().orElseThrow().seq());
    }

    @Test
    void anExpiredRecordEndsResumedSessionsToo() throws Exception {
        KeyPair server = TestKeys.p256();
        int port = echoServer(server, null);
        PinnedTrust trust = new PinnedTrust(clock);
        SSLContext context = trust.sslContext(null);
        trust.install(recordOf(1, server.getPublic()));
        connect(context, port);
        connect(context, port); // resumable
        clock.set(Records.NOW.plusSeconds(300));
        SSLException e = assertThrows(SSLException.class, () -> connect(context, port));
        assertTrue(causes(e).contains("expired at 2026-05-01T12:05:00Z"), causes(e));
        // a fresh record of the same keys: trusted again
        clock.set(Records.NOW.plusSeconds(290));
        trust.install(recordOf(2, server.getPublic()));
        connect(context, port);
    }

    @Test
    void theJdkHttpClientTrustsThePinnedServerAndNoOther() throws Exception {
        KeyPair serverKey = TestKeys.p256();
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers(serverKey), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        closing.add(() -> server.stop(0));
        PinnedTrust trust = new PinnedTrust(clock);
        trust.install(recordOf(1, serverKey.getPublic()));
        HttpClient client = HttpClient.newBuilder().sslContext(trust.sslContext(null)).build();
        closing.add(client::close);
        // by address, with a certificate named for some other host: the key is what counts
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/")).build();
        assertEquals(204, client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());

        trust.install(recordOf(2, TestKeys.p256().getPublic()));
        // a new client, since the first keeps its open connection (open connections are not touched)
        HttpClient fresh = HttpClient.newBuilder().sslContext(trust.sslContext(null)).build();
        closing.add(fresh::close);
        assertThrows(SSLException.class, () -> fresh.send(request, HttpResponse.BodyHandlers.discarding()));
    }

    @Test
    void theContextCannotBeInitialisedAgain() {
        PinnedTrust trust = new PinnedTrust(clock);
        assertThrows(java.security.KeyManagementException.class, () -> trust.sslContext(null).init(null, null, null));
    }

    @Test
    void mutualTlsTrustsExactlyTheListedKeysBothWays() throws Exception {
        KeyPair server = TestKeys.p256();
        KeyPair client = TestKeys.ed25519();
        PinnedTrust serverSide = new PinnedTrust(clock);
        serverSide.install(recordOf(1, client.getPublic()));
        int port = echoServer(server, serverSide);
        PinnedTrust clientSide = new PinnedTrust(clock);
        clientSide.install(recordOf(1, server.getPublic()));
        connect(clientSide.sslContext(keyManagers(client)), port);

        // a client whose key the server's record does not list is refused
        SSLContext stranger = clientSide.sslContext(keyManagers(TestKeys.ed25519()));
        assertThrows(IOException.class, () -> connect(stranger, port));
        // and without a key of its own at all
        assertThrows(IOException.class, () -> connect(clientSide.sslContext(null), port));
    }

    @Test
    void trustsNobodyBeforeTheFirstRecordOrAfterItsExpiry() throws Exception {
        KeyPair server = TestKeys.p256();
        X509Certificate[] chain = {selfSigned(server)};
        PinnedTrust trust = new PinnedTrust(clock);
        CertificateException none = assertThrows(CertificateException.class, () -> trust.checkServerTrusted(chain, "EC"));
        assertEquals("no discovery record has been accepted yet: no server is trusted", none.getMessage());

        trust.install(recordOf(1, server.getPublic()));
        trust.checkServerTrusted(chain, "EC");
        trust.checkClientTrusted(chain, "EC");
        clock.set(Records.NOW.plusSeconds(300));
        CertificateException expired = assertThrows(CertificateException.class, () -> trust.checkClientTrusted(chain, "EC"));
        assertEquals("the record of service payments expired at 2026-05-01T12:05:00Z and no fresher one was accepted:"
                + " no client is trusted", expired.getMessage());
        assertEquals(0, trust.getAcceptedIssuers().length);
        assertThrows(CertificateException.class, () -> trust.checkServerTrusted(new X509Certificate[0], "EC"));
    }

    private static String causes(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
