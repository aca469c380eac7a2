package dev.herald.it;

import dev.herald.client.VaultClient;
import dev.herald.client.VaultConfig;
import dev.herald.client.auth.CertLogin;
import dev.herald.client.auth.Session;
import dev.herald.client.consumer.Consumer;
import dev.herald.client.consumer.DiscoveryRecord;
import dev.herald.client.consumer.Jwk;
import dev.herald.client.consumer.StateDirectory;
import dev.herald.client.pkcs11.Pkcs11Token;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The consumer process of {@link ClientFlowTest}, written with the client library only: logs in to
 * the server with cert auth using its key in a PKCS#11 token, discovers the service through a
 * wrapped answer, and sends one request every {@code interval} to the service's echo endpoint over
 * mutual TLS, pinned to the published keys, until its stdin closes. Each request prints one line:
 * {@code OK n fingerprint seq} or {@code FAIL n reason}; a request whose handshake meets a key the
 * current record does not list refreshes the record once and tries again ({@code RETRIED n}).
 *
 * <p>Arguments: vault-address ca-file mount service pkcs11-module token-label key-label pin-file
 * state-dir echo-port interval-ms [rogue-port].
 */
public final class ClientFlowConsumer {
    private ClientFlowConsumer() {
    }

    public static void main(String[] args) throws Exception {
        VaultConfig config = VaultConfig.builder().address(args[0]).caCert(Path.of(args[1])).build();
        String mount = args[2];
        String service = args[3];
        Pkcs11Token token = Pkcs11Token.builder(Path.of(args[4])).tokenLabel(args[5]).open(Pkcs11Token.readPin(Path.of(args[7])));
        KeyManager[] ownKey = token.keyManagers(args[6]);
        VaultClient vault = VaultClient.builder(config).keyManagers(ownKey).build();
        Session session = Session.builder(vault, CertLogin.builder().build()).build();
        Consumer consumer = Consumer.builder(vault, session, service).mount(mount)
                .state(StateDirectory.open(Path.of(args[8])))
                .tamperHook(event -> System.out.println("TAMPER " + event.getMessage()))
                .build();
        int port = Integer.parseInt(args[9]);
        Duration interval = Duration.ofMillis(Long.parseLong(args[10]));
        DiscoveryRecord first = consumer.refresh();
        System.out.println("DISCOVERED seq " + first.seq() + " at " + Instant.now());
        SSLContext tls = consumer.sslContext(ownKey);
        if (args.length > 11) {
            try {
                request(tls, Integer.parseInt(args[11]), "rogue");
                System.out.println("ROGUE accepted");
            } catch (Exception refused) {
                System.out.println("ROGUE refused " + refused);
            }
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        consumer.startRefreshing(executor, failure -> System.out.println("REFRESH-FAILED " + failure.getMessage()));
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // until closed
                }
            } catch (Exception ignored) {
                // closed
            }
            System.exit(0);
        });
        stdin.setDaemon(true);
        stdin.start();
        for (long n = 1; ; n++) {
            long seq = consumer.current().map(DiscoveryRecord::seq).orElse(-1L);
            try {
                System.out.println("OK " + n + " " + request(tls, port, "ping " + n) + " seq " + seq + " at " + Instant.now());
            } catch (Exception failed) {
                try {
                    consumer.refresh();
                    System.out.println("RETRIED " + n + " after " + failed);
                    System.out.println("OK " + n + " " + request(tls, port, "ping " + n) + " seq "
                            + consumer.current().map(DiscoveryRecord::seq).orElse(-1L) + " at " + Instant.now());
                } catch (Exception again) {
                    System.out.println("FAIL " + n + " " + again);
                }
            }
            System.out.flush();
            Thread.sleep(interval);
        }
    }

    /** One request over mutual TLS; returns the fingerprint of the key the server presented. */
    static String request(SSLContext tls, int port, String line) throws Exception {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (!("echo " + line).equals(answer)) {
                throw new IllegalStateException("unexpected answer " + answer);
            }
            return Jwk.fingerprint(socket.getSession().getPeerCertificates()[0].getPublicKey());
        }
    }
}
