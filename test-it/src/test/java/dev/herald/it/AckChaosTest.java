package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Acknowledged rotation under chaos (docs/design-ack.md §11.3), per server: a {@code herald publish
 * --follow} sidecar rotates as fast as the engine lets it, an echo service presents the key and
 * certificate it writes, and five consumer processes (three library {@link AckConsumer}s, two
 * {@code herald trust --follow}, each trust's bundle read before every request by a client in this
 * test) make a mutual-TLS request every 50 ms, while a chaos thread pauses (SIGSTOP) a random
 * consumer for 0.2 to 4 s, resumes it (SIGCONT), and goes on. A paused trust process leaves its
 * bundle's client on the old file: exactly the consumer a rotation must wait for. After
 * {@code herald.chaos.rotations} rotations (100 by default): not one failed handshake, and every
 * rotation ended acknowledged (the pauses stay well below max_overlap, so none may be forced).
 *
 * <p>Run by {@code scripts/test.sh} as its own step: {@code -Dherald.chaos=true}.
 */
@Timeout(value = 30, unit = java.util.concurrent.TimeUnit.MINUTES)
@EnabledIf("enabled")
class AckChaosTest {
    private static final int LIBRARY_CONSUMERS = 3;
    private static final int TRUST_CONSUMERS = 2;
    private static final Duration REQUEST_EVERY = Duration.ofMillis(50);
    private static final long MIN_PAUSE_MILLIS = 200;
    private static final long MAX_PAUSE_MILLIS = 4000;

    static boolean enabled() {
        return Boolean.getBoolean("herald.chaos") || System.getProperty("herald.chaos.rotations") != null;
    }

    private static int rotations() {
        return Integer.parseInt(System.getProperty("herald.chaos.rotations", "100"));
    }

    @OnEachServer
    void noHandshakeFailsWhileConsumersArePausedAtRandom(Herald herald) throws Exception {
        PublishingMount flow = new PublishingMount(herald, "chaos", "[\"create\",\"update\"]", "ttl=20s max_ttl=1h");
        DevServer server = flow.server;
        server.cli("write", flow.mount + "/config", "rotation_window=0.05", "min_overlap=4s", "record_ttl=2s",
                "max_overlap=15s", "consumer_ttl=10m").assertSuccess();
        flow.acknowledgingConsumers();
        Path dir = Project.outputDir().resolve("ack-chaos").resolve(server.kind().cli());
        DevServer.deleteTree(dir);
        Files.createDirectories(dir);
        TlsFiles tls = TlsFiles.create(dir.resolve("tls"));
        List<String> connection = List.of("--address", server.address(), "--mount", flow.mount);
        Path certificate = dir.resolve("pod-1.crt");
        Path key = dir.resolve("pod-1.key");
        int echoPort = freePort();
        Map<String, Object> report = new LinkedHashMap<>();
        try (ProcessGroup processes = new ProcessGroup(dir)) {
            processes.start("sidecar", ProcessGroup.herald(ProcessGroup.concat(List.of("publish", "web", "pod-1", "--role", "web",
                    "--endpoint", "pod-1.web.internal:8443", "--ip", "10.0.0.7", "--cert-out", certificate.toString(),
                    "--key-out", key.toString(), "--follow", "--rotate-every", "1s", "--auth", "jwt", "--auth-mount",
                    flow.issuer.path(), "--auth-role", "pods", "--jwt-file",
                    flow.jwtFile(dir, "system:serviceaccount:prod:pod-1", Map.of("pod_uid", "pod-1")).toString()), connection)));
            await("the sidecar's certificate", Duration.ofSeconds(60), () -> Files.exists(certificate) && Files.exists(key));
            try (EchoService echo = new EchoService(echoPort, certificate, key, tls.ca())) {
                List<String> consumers = new ArrayList<>();
                for (int i = 1; i <= LIBRARY_CONSUMERS; i++) {
                    String name = "library-" + i;
                    List<Path> client = tls.client(name);
                    processes.start(name, ProcessGroup.java(AckConsumer.class, List.of(server.address(), flow.mount, "web",
                            flow.issuer.path(), "consumers", flow.jwtFile(dir, name, Map.of()).toString(),
                            dir.resolve(name + "-state").toString(), Integer.toString(echoPort),
                            Long.toString(REQUEST_EVERY.toMillis()), client.get(0).toString(), client.get(1).toString())));
                    consumers.add(name);
                }
                List<BundleClient> bundleClients = new ArrayList<>();
                for (int i = 1; i <= TRUST_CONSUMERS; i++) {
                    String name = "trust-" + i;
                    Path bundle = dir.resolve(name + ".pem");
                    processes.start(name, ProcessGroup.herald(ProcessGroup.concat(List.of("trust", "web", "--out", bundle.toString(),
                            "--state", dir.resolve(name + "-state").toString(), "--follow", "--auth", "jwt", "--auth-mount",
                            flow.issuer.path(), "--auth-role", "consumers", "--jwt-file", flow.jwtFile(dir, name, Map.of()).toString()),
                            connection)));
                    consumers.add(name);
                    bundleClients.add(new BundleClient(name, bundle, echoPort, tls.client(name + "-client")));
                }
                await("five counted consumers", Duration.ofSeconds(120), () -> counted(flow) == consumers.size());
                bundleClients.forEach(BundleClient::start);
                long startGeneration = generation(processes);
                Chaos chaos = new Chaos(processes, consumers, new Random(Long.getLong("herald.chaos.seed", System.nanoTime())));
                chaos.start();
                long target = startGeneration + rotations();
                try {
                    await(rotations() + " rotations", Duration.ofMinutes(25), () -> generation(processes) >= target);
                } finally {
                    chaos.stop();
                    for (BundleClient client : bundleClients) {
                        client.stop();
                    }
                }
                report.put("rotations", generation(processes) - startGeneration);
                report.put("pauses", chaos.pauses.get());
                List<String> failed = new ArrayList<>();
                long requests = 0;
                long stoppedDuring = 0;
                for (String name : consumers.subList(0, LIBRARY_CONSUMERS)) {
                    List<String> lines = processes.out(name);
                    long ok = lines.stream().filter(l -> l.startsWith("OK ")).count();
                    report.put(name + " requests", ok);
                    requests += ok;
                    lines.stream().filter(l -> l.startsWith("FAIL ") || l.startsWith("RETRIED ")).map(l -> name + ": " + l)
                            .forEach(failed::add);
                    stoppedDuring += lines.stream().filter(l -> l.startsWith("STOPPED-DURING ")).count();
                    assertTrue(ok > 0, name + " made no request");
                }
                for (BundleClient client : bundleClients) {
                    report.put(client.name + " requests", client.ok.get());
                    requests += client.ok.get();
                    failed.addAll(client.failures);
                    assertTrue(client.ok.get() > 0, client.name + "'s bundle client made no request");
                }
                report.put("requests", requests);
                report.put("failed handshakes", failed.size());
                report.put("requests stopped in their middle (SIGSTOP), the server's key left meanwhile", stoppedDuring);
                report.put("echo requests served", echo.served());
                assertEquals(List.of(), failed.stream().limit(20).toList(), "no handshake fails (" + failed.size() + " did)");

                Map<String, Long> outcomes = new LinkedHashMap<>();
                for (Object event : history(flow)) {
                    Map<?, ?> e = (Map<?, ?>) event;
                    if ("rotation_end".equals(e.get("type"))) {
                        outcomes.merge(((String) e.get("detail")).split(":")[0], 1L, Long::sum);
                    }
                }
                report.put("rotation ends", outcomes);
                assertEquals(List.of("acknowledged"), List.copyOf(outcomes.keySet()), "every rotation ended acknowledged: " + outcomes);
            }
        } finally {
            System.out.println("AckChaos[" + server.kind().cli() + "]: " + report);
        }
    }

    /** The generation the sidecar last rotated to (from its stderr), 1 before any rotation. */
    private static long generation(ProcessGroup processes) {
        Matcher rotated = Pattern.compile("rotated web/pod-1 generation (\\d+)").matcher(processes.err("sidecar"));
        long last = 1;
        while (rotated.find()) {
            last = Long.parseLong(rotated.group(1));
        }
        return last;
    }

    private static long counted(PublishingMount flow) {
        Object summary = flow.server.http("GET", flow.mount + "/consumers/web", null).assertStatus(200).data().get("summary");
        return ((Number) ((Map<?, ?>) summary).get("counted")).longValue();
    }

    /** Every event of the service's history, page by page. */
    private static List<Object> history(PublishingMount flow) {
        List<Object> events = new ArrayList<>();
        long from = 0;
        while (from >= 0) {
            Map<String, Object> page = flow.server.http("GET", flow.mount + "/history/web?limit=10000&from=" + from, null)
                    .assertStatus(200).data();
            events.addAll((List<?>) page.get("events"));
            from = ((Number) page.get("next")).longValue();
        }
        return events;
    }

    /** Pauses a random consumer for a random while, resumes it, and again, until stopped. */
    private static final class Chaos {
        private final ProcessGroup processes;
        private final List<String> consumers;
        private final Random random;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final AtomicLong pauses = new AtomicLong();
        private final Thread thread;

        Chaos(ProcessGroup processes, List<String> consumers, Random random) {
            this.processes = processes;
            this.consumers = consumers;
            this.random = random;
            this.thread = new Thread(this::run, "chaos");
        }

        void start() {
            thread.start();
        }

        private void run() {
            while (!stopped.get()) {
                String victim = consumers.get(random.nextInt(consumers.size()));
                processes.signal(victim, "STOP");
                pauses.incrementAndGet();
                try {
                    Thread.sleep(MIN_PAUSE_MILLIS + random.nextLong(MAX_PAUSE_MILLIS - MIN_PAUSE_MILLIS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    processes.signal(victim, "CONT");
                }
                try {
                    Thread.sleep(random.nextLong(500));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            thread.interrupt();
            thread.join(30_000);
        }
    }

    /**
     * A client that trusts what a {@code herald trust} bundle lists: before each request it reads the
     * bundle and accepts the echo service's certificate only if its key is among the bundle's.
     */
    private static final class BundleClient {
        private static final Pattern BLOCK = Pattern.compile("-----BEGIN PUBLIC KEY-----([^-]+)-----END PUBLIC KEY-----");
        final String name;
        private final Path bundle;
        private final int port;
        private final KeyManager[] ownKey;
        final AtomicLong ok = new AtomicLong();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final Thread thread;

        BundleClient(String name, Path bundle, int port, List<Path> clientFiles) throws Exception {
            this.name = name;
            this.bundle = bundle;
            this.port = port;
            this.ownKey = AckConsumer.keyManagers(clientFiles.get(0), clientFiles.get(1));
            this.thread = new Thread(this::run, name + "-client");
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            thread.join(30_000);
        }

        private void run() {
            for (long n = 1; !stopped.get(); n++) {
                try {
                    List<byte[]> keys = keys(Files.readString(bundle));
                    SSLContext tls = SSLContext.getInstance("TLS");
                    tls.init(ownKey, new X509TrustManager[] {new BundleTrust(keys)}, null);
                    ClientFlowConsumer.request(tls, port, "ping " + n);
                    ok.incrementAndGet();
                } catch (Exception e) {
                    failures.add(name + " bundle client: FAIL " + n + " " + e + " at " + java.time.Instant.now());
                }
                try {
                    Thread.sleep(REQUEST_EVERY);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static List<byte[]> keys(String pem) {
            List<byte[]> keys = new ArrayList<>();
            Matcher block = BLOCK.matcher(pem);
            while (block.find()) {
                keys.add(Base64.getMimeDecoder().decode(block.group(1)));
            }
            return keys;
        }
    }

    /** Trusts a server whose certificate's key is one of the bundle's (the chain is not the point: the pin is). */
    private record BundleTrust(List<byte[]> keys) implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            byte[] presented = chain[0].getPublicKey().getEncoded();
            if (keys.stream().noneMatch(k -> Arrays.equals(k, presented))) {
                throw new java.security.cert.CertificateException("the service's key is not in the bundle");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("a client only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }



    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        assertTrue(DevServer.await(timeout, condition), () -> "no " + what + " within " + timeout.toSeconds() + " s");
    }
}
