package dev.herald.it;

import dev.herald.client.VaultClient;
import dev.herald.client.VaultConfig;
import dev.herald.client.auth.JwtLogin;
import dev.herald.client.auth.Session;
import dev.herald.client.consumer.Consumer;
import dev.herald.client.consumer.DiscoveryRecord;
import dev.herald.client.consumer.StateDirectory;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A consumer process of the acknowledged-rotation tests, written with the client library only: logs
 * in with the jwt auth method (its own {@code sub}, so its own entity), keeps the service's record
 * with the library's defaults (it acknowledges what it installs, heartbeats, and leaves when it
 * stops), and, given an echo port, sends one request there every {@code interval} over mutual TLS
 * pinned to the record's keys, presenting its client certificate.
 *
 * <p>It prints {@code SESSION s} once it has a session, {@code ACKED seq at} whenever the engine's
 * stored acknowledgement rises, and per request {@code OK n fingerprint seq at}, {@code FAIL n reason},
 * or {@code STOPPED-DURING n reason} for a request that failed after the process was stopped in its
 * middle for more than a second. Before a request it asks the library for a record that lasts the handshake
 * ({@link Consumer#fresh}); a handshake that fails is not retried: the tests count failures.
 * It stops (and leaves) when its stdin closes.
 *
 * <p>Arguments: vault-address mount service jwt-mount jwt-role jwt-file state-dir echo-port (0: none)
 * interval-ms [client-cert client-key].
 */
public final class AckConsumer {
    /** A record must last this long when a handshake starts. */
    private static final Duration HANDSHAKE_MARGIN = Duration.ofMillis(500);
    /** A request that takes this long was stopped in the middle (a loopback handshake takes milliseconds). */
    private static final Duration STOPPED_DURING = Duration.ofSeconds(1);

    private AckConsumer() {
    }

    public static void main(String[] args) throws Exception {
        VaultClient vault = VaultClient.builder(VaultConfig.builder().address(args[0]).build()).build();
        String mount = args[1];
        String service = args[2];
        Session session = Session.builder(vault, JwtLogin.builder().mount(args[3]).role(args[4]).jwtFile(Path.of(args[5])).build())
                .build();
        Consumer consumer = Consumer.builder(vault, session, service).mount(mount)
                .state(StateDirectory.open(Path.of(args[6]))).build();
        int port = Integer.parseInt(args[7]);
        Duration interval = Duration.ofMillis(Long.parseLong(args[8]));
        KeyManager[] ownKey = args.length > 10 ? keyManagers(Path.of(args[9]), Path.of(args[10])) : null;
        DiscoveryRecord first = consumer.refresh();
        System.out.println("DISCOVERED seq " + first.seq() + " at " + Instant.now());
        SSLContext tls = consumer.sslContext(ownKey);
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        Consumer.Refreshing refreshing = consumer.startRefreshing(executor,
                failure -> System.out.println("REFRESH-FAILED " + failure.getMessage()));
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // until closed
                }
            } catch (Exception ignored) {
                // closed
            }
            refreshing.close();
            consumer.close(); // leaves
            System.out.println("LEFT");
            System.out.flush();
            System.exit(0);
        });
        stdin.setDaemon(true);
        stdin.start();
        long acked = 0;
        boolean sessionShown = false;
        for (long n = 1; ; n++) {
            if (!sessionShown && consumer.session().isPresent()) {
                System.out.println("SESSION " + consumer.session().get());
                sessionShown = true;
            }
            if (consumer.acknowledged() > acked) {
                acked = consumer.acknowledged();
                System.out.println("ACKED " + acked + " at " + Instant.now());
            }
            if (port > 0) {
                long started = System.nanoTime();
                try {
                    // a record that lasts the handshake (after a pause, or when a key is about to leave)
                    long seq = consumer.fresh(HANDSHAKE_MARGIN).seq();
                    started = System.nanoTime();
                    System.out.println("OK " + n + " " + ClientFlowConsumer.request(tls, port, "ping " + n) + " seq " + seq + " at " + Instant.now());
                } catch (Exception failed) {
                    // A request that took seconds was stopped (SIGSTOP) in the middle: the server chose its
                    // key before, and the key may have left the record by the time the client checks it.
                    // Refusing it then is the pin doing its job, not the rotation failing: told apart.
                    boolean stopped = System.nanoTime() - started > STOPPED_DURING.toNanos();
                    System.out.println((stopped ? "STOPPED-DURING " : "FAIL ") + n + " " + failed + " at " + Instant.now());
                }
            }
            System.out.flush();
            Thread.sleep(interval);
        }
    }

    static KeyManager[] keyManagers(Path certificateFile, Path keyFile) throws Exception {
        Certificate certificate = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificateFile)));
        String pem = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----|\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key, new char[0], new Certificate[] {certificate});
        KeyManagerFactory factory = KeyManagerFactory.getInstance("SunX509");
        factory.init(store, new char[0]);
        return factory.getKeyManagers();
    }
}
