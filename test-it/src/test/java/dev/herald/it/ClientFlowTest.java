package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10's end-to-end flow, with the {@code herald} CLI and a consumer written with the client
 * library, each a process of its own, against a server listening on TLS with the cert auth method:
 *
 * <ol>
 *   <li>{@code herald publish --follow} logs in with JWT auth, publishes, and writes the key and
 *       certificate that the workload's TLS echo service presents;</li>
 *   <li>the consumer logs in with cert auth using its key in a SoftHSM2 token, discovers through a
 *       wrapped answer, and sends requests to the service over mutual TLS, pinned to the published key;</li>
 *   <li>the publisher rotates while the consumer keeps sending: no request fails, and the consumer's
 *       pin moves to the new key;</li>
 *   <li>SIGTERM to the publisher: its instance leaves the record at once (seq rises).</li>
 * </ol>
 * Then the refusals, each with its exit code: a wrapping token unwrapped first by someone else, a
 * wrapping token made for another path, a record older than one seen, an expired record, a record
 * signed outside the pinned chain, a service presenting an unpublished key, a wrong PIN, a bad key file.
 * Last, a service larger than its mount's max_record_instances, which {@code herald discover} reads in
 * signed pages.
 */
@Timeout(300)
class ClientFlowTest {
    private static final String SERVICE = "web";

    @OnEachServer
    void publishDiscoverPinRotateAndLeave(ServerKind kind) throws Exception {
        assumeTrue(SoftHsm.available() || kind.required(), "SoftHSM2 and OpenSC are not installed");
        // Not under work/: the harness empties that once per run, when it starts its first server.
        Path dir = Project.outputDir().resolve("client-flow").resolve(kind.cli());
        DevServer.deleteTree(dir);
        Files.createDirectories(dir);
        TlsFiles tls = TlsFiles.create(dir.resolve("tls"));
        try (DevServer server = DevServer.start(kind, "ClientFlowTest", tls)) {
            new Flow(server, tls, dir).run();
        }
    }

    /** One run: the set-up, the four steps, the refusals. */
    private static final class Flow {
        final DevServer server;
        final TlsFiles tls;
        final Path dir;
        final Herald herald;
        final String mount;
        final JwtIssuer issuer;
        final SoftHsm hsm;
        final List<Process> processes = new ArrayList<>();
        final Map<String, Object> report = new LinkedHashMap<>();

        Flow(DevServer server, TlsFiles tls, Path dir) {
            this.server = server;
            this.tls = tls;
            this.dir = dir;
            this.herald = new Herald(server);
            this.mount = herald.enable("herald");
            // Short lifetimes, so that a rotation comes within seconds: rotation after 20% of 24 s.
            herald.writeConfig(mount, "rotation_window=0.2", "min_overlap=10s", "record_ttl=6s");
            this.issuer = JwtIssuer.enable(server, "jwt");
            JwtIssuer.policy(server, "publisher", "path \"" + mount + "/publish/*\" { capabilities = [\"create\", \"update\"] }\n"
                    + "path \"neg/publish/*\" { capabilities = [\"create\", \"update\"] }\n");
            issuer.role("pods", List.of("publisher"), Map.of("pod_uid", "pod_uid"));
            role(mount, "web", "24s");
            role(mount, "web-static", "1h");
            // The consumer: cert auth with a key in its own SoftHSM2 token, certified by the test CA.
            this.hsm = SoftHsm.create(dir.resolve("hsm"), "herald-consumer");
            hsm.storeCertificate(tls.clientCertificate("consumer", hsm.generateP256("consumer", "01")), "consumer", "01");
            JwtIssuer.policy(server, "consumer", "path \"" + mount + "/discover/*\" { capabilities = [\"read\"] }\n"
                    + "path \"" + mount + "/signer\" { capabilities = [\"read\"] }\n"
                    + "path \"neg/discover/*\" { capabilities = [\"read\"] }\npath \"neg/signer\" { capabilities = [\"read\"] }\n");
            succeeded(server.http("POST", "sys/auth/cert", Map.of("type", "cert")));
            succeeded(server.http("POST", "auth/cert/certs/consumer", Map.of("certificate", read(tls.caCert()),
                    "token_policies", "consumer")));
        }

        void role(String mount, String name, String ttl) {
            succeeded(server.http("POST", mount + "/roles/" + name, Map.of("services", SERVICE,
                    "instance", "{{alias.metadata.pod_uid}}", "bound_mount_accessor", issuer.mountAccessor(),
                    "allowed_cidrs", "127.0.0.0/8", "ttl", ttl, "max_ttl", "2h")));
        }

        static void succeeded(HttpResult result) {
            assertTrue(result.status() / 100 == 2, result::toString);
        }

        void run() throws Exception {
            try {
                steps();
                refusals();
                largeService();
            } finally {
                for (Process process : processes) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                System.out.println("ClientFlow[" + server.kind().cli() + "]: " + report);
            }
        }

        private void steps() throws Exception {
            int echoPort = freePort();
            Path certificate = dir.resolve("service.pem");
            Path key = dir.resolve("service-key.pem");
            Path jwt = jwtFile("pod-1");

            // 1. The publisher sidecar, and the workload serving with what it writes.
            long start = System.nanoTime();
            Process publisher = start("publisher", cli(List.of("publish", SERVICE, "pod-1", "--role", "web",
                    "--endpoint", "127.0.0.1:" + echoPort, "--ip", "127.0.0.1", "--key-file", dir.resolve("pod-1.key").toString(),
                    "--cert-out", certificate.toString(), "--key-out", key.toString(), "--follow", "--rotate-every", "8s",
                    "--auth", "jwt", "--auth-role", "pods", "--jwt-file", jwt.toString())));
            await("the publisher's certificate and key", Duration.ofSeconds(60),
                    () -> Files.exists(certificate) && Files.exists(key));
            List<Path> rogue = tls.selfSigned("rogue");
            int roguePort = freePort();
            try (EchoService echo = new EchoService(echoPort, certificate, key, tls.ca());
                 EchoService impostor = new EchoService(roguePort, rogue.get(0), rogue.get(1), tls.ca())) {

                // 2. The consumer: cert auth with its PKCS#11 key, a wrapped discover, mutual TLS.
                Process consumer = start("consumer", List.of(javaBinary(), "-cp", consumerClasspath(),
                        ClientFlowConsumer.class.getName(), server.tlsAddress(), tls.caCert().toString(), mount, SERVICE,
                        SoftHsm.MODULE.toString(), hsm.label(), "consumer", hsm.pinFile().toString(),
                        dir.resolve("consumer-state").toString(), Integer.toString(echoPort), "250",
                        Integer.toString(roguePort)));
                await("the consumer's first verified request", Duration.ofSeconds(60), () -> lines("consumer").stream()
                        .anyMatch(l -> l.startsWith("OK ")));
                report.put("publish start to first verified mTLS request (ms)", (System.nanoTime() - start) / 1_000_000);
                // Beside it, a trust bundle kept current for a proxy that does not speak Java.
                Path bundle = dir.resolve("web-peers.pem");
                Process trust = start("trust", cli(List.of("trust", SERVICE, "--out", bundle.toString(), "--state",
                        dir.resolve("trust-state").toString(), "--follow", "--auth", "cert", "--pkcs11-module",
                        SoftHsm.MODULE.toString(), "--pkcs11-token", hsm.label(), "--pkcs11-key-label", "consumer",
                        "--pkcs11-pin-file", hsm.pinFile().toString())));
                assertTrue(lines("consumer").stream().anyMatch(l -> l.startsWith("ROGUE refused")),
                        () -> "a service presenting an unpublished key is refused: " + lines("consumer"));

                // 3. A rotation while the consumer keeps sending.
                await("a rotation (generation 2)", Duration.ofSeconds(60), () -> publications().size() >= 2);
                String second = (String) Json.at(publications().get(1), "fingerprint");
                await("the consumer pinned to the new key", Duration.ofSeconds(60), () -> lines("consumer").stream()
                        .anyMatch(l -> l.startsWith("OK ") && l.contains(second)));
                await("the trust bundle rewritten with the new key", Duration.ofSeconds(60),
                        () -> fingerprints(read(bundle)).contains(second));
                assertTrue(read(dir.resolve("web-peers.pem.json")).contains(second), "the JSON copy of the record too");
                trust.destroy();
                assertTrue(trust.waitFor(20, TimeUnit.SECONDS), "trust --follow stops on SIGTERM");
                int sent = okCount();
                await("more requests after the move", Duration.ofSeconds(30), () -> okCount() >= sent + 8);
                Set<String> fingerprints = new LinkedHashSet<>();
                for (String line : lines("consumer")) {
                    if (line.startsWith("OK ")) {
                        fingerprints.add(line.split(" ")[2]);
                    }
                }
                String first = (String) Json.at(publications().getFirst(), "fingerprint");
                report.put("requests", okCount());
                report.put("retried after a refresh", lines("consumer").stream().filter(l -> l.startsWith("RETRIED")).count());
                report.put("failed", lines("consumer").stream().filter(l -> l.startsWith("FAIL")).toList());
                assertEquals(List.of(), lines("consumer").stream().filter(l -> l.startsWith("FAIL") || l.startsWith("TAMPER"))
                        .toList(), "no request fails across the rotation");
                assertTrue(fingerprints.contains(first) && fingerprints.contains(second),
                        () -> "the pin moved from " + first + " to " + second + ": " + fingerprints);
                consumer.getOutputStream().close();
                consumer.waitFor(20, TimeUnit.SECONDS);
                report.put("echo requests served", echo.served());
            }

            // 4. A second instance stays; SIGTERM to the first: it leaves the record long before its
            // lease would have run out. With the default policy the publisher falls back to revoking
            // its own token, and the server revokes that token's leases lazily (it marks them expired
            // and its expiration manager revokes them moments later), so "gone" is awaited, but only
            // until a second before pod-1's not_after: past that, expiry alone would explain it.
            CliResult staying = run("publish-pod-2", cli(List.of("publish", SERVICE, "pod-2", "--role", "web-static",
                    "--endpoint", "127.0.0.1:9", "--auth", "jwt", "--auth-role", "pods", "--jwt-file", jwtFile("pod-2").toString())));
            assertEquals(0, staying.exitCode(), staying::toString);
            long before = seq(mount);
            publisher.destroy();
            assertTrue(publisher.waitFor(30, TimeUnit.SECONDS), "the publisher stops on SIGTERM");
            Map<String, Object> stopped = server.http("GET", mount + "/discover/" + SERVICE, null).assertStatus(200).data();
            long leaseEnd = instances(stopped).stream().filter(i -> "pod-1".equals(Json.at(i, "instance")))
                    .mapToLong(i -> ((Number) Json.at(i, "not_after")).longValue()).findFirst().orElse(Long.MAX_VALUE);
            long stoppedAt = System.currentTimeMillis();
            DevServer.await(Duration.ofSeconds(30), () -> System.currentTimeMillis() / 1000 >= leaseEnd - 1
                    || !instanceNames(server.http("GET", mount + "/discover/" + SERVICE, null).assertStatus(200).data()).contains("pod-1"));
            Map<String, Object> after = server.http("GET", mount + "/discover/" + SERVICE, null).assertStatus(200).data();
            assertTrue(System.currentTimeMillis() / 1000 < leaseEnd, () -> "pod-1 left before its lease ended at " + leaseEnd
                    + ": " + instanceNames(after));
            report.put("record without pod-1 after SIGTERM (ms)", System.currentTimeMillis() - stoppedAt);
            assertTrue(((Number) after.get("seq")).longValue() > before, () -> "seq rises: " + before + " -> " + after.get("seq"));
            assertEquals(List.of("pod-2"), instanceNames(after), "pod-1 left the record when its publisher stopped");
            assertTrue(read(dir.resolve("publisher.err")).contains("revoked"), () -> read(dir.resolve("publisher.err")));
        }

        /** The refusals, each with its exit code and message; none writes anything. */
        private void refusals() throws Exception {
            List<String> certAuth = certAuth();
            Path state = dir.resolve("cli-state");

            // A verified record through the CLI, and the JWK Set, saved for the offline checks.
            CliResult discovered = run("discover", cli(concat(List.of("discover", SERVICE, "--state", state.toString(),
                    "--pkcs11-pin-file", hsm.pinFile().toString()), certAuth)));
            assertEquals(0, discovered.exitCode(), discovered::toString);
            Path saved = dir.resolve("record.json");
            Files.writeString(saved, discovered.stdout());
            Path jwks = dir.resolve("jwks.json");
            assertEquals(0, run("jwks", cli(List.of("jwks", "--out", jwks.toString()))).exitCode());

            // A wrong PIN: a clear error, and no state directory made.
            Path wrongPin = dir.resolve("wrong-pin");
            Files.writeString(wrongPin, "00000000\n");
            Path untouched = dir.resolve("untouched-state");
            CliResult badPin = run("bad-pin", cli(concat(List.of("discover", SERVICE, "--state", untouched.toString(),
                    "--pkcs11-pin-file", wrongPin.toString()), certAuth)));
            expect(badPin, 1, "PIN");
            assertFalse(Files.exists(untouched), "nothing written after a wrong PIN");

            // A key file that is not a key: a clear error, nothing published.
            Path garbage = dir.resolve("garbage.key");
            Files.writeString(garbage, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
            CliResult badKey = run("bad-key", cli(List.of("publish", SERVICE, "pod-3", "--role", "web-static",
                    "--key-file", garbage.toString(), "--auth", "jwt", "--auth-role", "pods", "--jwt-file",
                    jwtFile("pod-3").toString())));
            expect(badKey, 1, garbage.getFileName().toString());
            assertFalse(server.http("GET", mount + "/discover/" + SERVICE, null).body().contains("pod-3"), "nothing published");

            // An expired record (record_ttl is 6 s on this mount).
            long exp = ((Number) Json.at(Json.parse(discovered.stdout()), "exp")).longValue();
            await("the saved record's exp", Duration.ofSeconds(30), () -> System.currentTimeMillis() / 1000 > exp + 1);
            expect(run("verify-expired", cli(List.of("verify", saved.toString(), "--jwks", jwks.toString()))), 3, "expired");

            // Another mount, with the default record_ttl: its own signer, its own state.
            String other = herald.enable("neg");
            role(other, "web", "1h");
            assertEquals(0, run("publish-neg", cli(List.of("publish", SERVICE, "pod-1", "--role", "web", "--mount", other,
                    "--auth", "jwt", "--auth-role", "pods", "--jwt-file", jwtFile("pod-1").toString()))).exitCode());
            Path negState = dir.resolve("neg-state");
            List<String> discoverNeg = concat(List.of("discover", SERVICE, "--mount", other, "--state", negState.toString(),
                    "--pkcs11-pin-file", hsm.pinFile().toString()), certAuth);
            CliResult negRecord = run("discover-neg", cli(discoverNeg));
            assertEquals(0, negRecord.exitCode(), negRecord::toString);
            Path negSaved = dir.resolve("neg-record.json");
            Files.writeString(negSaved, negRecord.stdout());
            Path negJwks = dir.resolve("neg-jwks.json");
            assertEquals(0, run("jwks-neg", cli(List.of("jwks", "--mount", other, "--out", negJwks.toString()))).exitCode());

            // A record older than one seen (after a change, the state holds a higher seq): rollback.
            assertEquals(0, run("publish-neg-2", cli(List.of("publish", SERVICE, "pod-2", "--role", "web", "--mount", other,
                    "--auth", "jwt", "--auth-role", "pods", "--jwt-file", jwtFile("pod-2").toString()))).exitCode());
            assertEquals(0, run("discover-neg-again", cli(discoverNeg)).exitCode());
            expect(run("verify-rollback", cli(List.of("verify", negSaved.toString(), "--jwks", negJwks.toString(),
                    "--mount", other, "--state", negState.toString()))), 3, "rollback");

            // A record signed by a key outside the pinned chain: the other mount's record, checked
            // against this mount's keys (offline, and by a consumer whose state pinned this mount's signer).
            expect(run("verify-foreign", cli(List.of("verify", negSaved.toString(), "--jwks", jwks.toString(),
                    "--mount", other))), 3, "");
            expect(run("discover-foreign", cli(concat(List.of("discover", SERVICE, "--mount", other,
                    "--state", state.toString(), "--issuer", other + "/", "--pkcs11-pin-file", hsm.pinFile().toString()),
                    certAuth))), 3, "");

            // Interception: a man in the middle who unwraps first, or swaps in a token made for another path.
            String consumerToken = (String) Json.at(server.http("POST", "auth/token/create", Map.of("policies",
                    List.of("consumer"))).assertStatus(200).json(), "auth", "client_token");
            try (InterceptingProxy proxy = new InterceptingProxy(server.address())) {
                Map<String, String> viaProxy = Map.of("VAULT_TOKEN", consumerToken, "VAULT_ADDR", proxy.address());
                proxy.onDiscover(answer -> {
                    server.http("POST", "sys/wrapping/unwrap", null, (String) Json.at(answer, "wrap_info", "token"))
                            .assertStatus(200);
                    return answer;
                });
                expect(run("tamper-unwrapped", cliWith(List.of("discover", SERVICE), viaProxy)), 4, "");
                String forged = (String) Json.at(Json.parse(server.cli("write", "-format=json", "-wrap-ttl=60s",
                        "sys/wrapping/wrap", "record=forged").assertSuccess().stdout()), "wrap_info", "token");
                proxy.onDiscover(answer -> {
                    Map<String, Object> swapped = new HashMap<>(answer);
                    Map<String, Object> wrapInfo = new HashMap<>((Map<String, Object>) answer.get("wrap_info"));
                    wrapInfo.put("token", forged);
                    swapped.put("wrap_info", wrapInfo);
                    return swapped;
                });
                expect(run("tamper-other-path", cliWith(List.of("discover", SERVICE), viaProxy)), 4, "sys/wrapping/wrap");
            }
        }

        /**
         * A service with more live instances than its mount's max_record_instances: {@code herald
         * discover} reads it in signed pages, prints them combined, and {@code herald verify} checks that.
         */
        private void largeService() throws Exception {
            herald.writeConfig("neg", "max_record_instances=2");
            for (String pod : List.of("pod-3", "pod-4", "pod-5")) {
                assertEquals(0, run("publish-neg-" + pod, cli(List.of("publish", SERVICE, pod, "--role", "web", "--mount", "neg",
                        "--auth", "jwt", "--auth-role", "pods", "--jwt-file", jwtFile(pod).toString()))).exitCode());
            }
            assertEquals(400, server.http("GET", "neg/discover/" + SERVICE, null).status(), "too large for one record");
            List<String> discover = concat(List.of("discover", SERVICE, "--mount", "neg", "--state",
                    dir.resolve("neg-state").toString(), "--pkcs11-pin-file", hsm.pinFile().toString()), certAuth());
            CliResult paged = run("discover-pages", cli(discover));
            assertEquals(0, paged.exitCode(), paged::toString);
            @SuppressWarnings("unchecked")
            Map<String, Object> combined = (Map<String, Object>) Json.parse(paged.stdout());
            assertEquals("page", combined.get("scope"));
            assertEquals(3, ((List<?>) combined.get("records")).size(), "pages of max_record_instances");
            assertEquals(List.of("pod-1", "pod-2", "pod-3", "pod-4", "pod-5"), instanceNames(combined));
            CliResult ones = run("discover-pages-of-one", cli(concat(discover, List.of("--page-size", "1"))));
            assertEquals(0, ones.exitCode(), ones::toString);
            assertEquals(5, ((List<?>) Json.at(Json.parse(ones.stdout()), "records")).size());
            Path saved = dir.resolve("neg-pages.json");
            Files.writeString(saved, paged.stdout());
            CliResult verified = run("verify-pages", cli(List.of("verify", saved.toString(), "--jwks",
                    dir.resolve("neg-jwks.json").toString(), "--mount", "neg")));
            assertEquals(0, verified.exitCode(), verified::toString);
            report.put("pages of a 5-instance service (max_record_instances=2)", ((List<?>) combined.get("records")).size());
        }

        private List<String> certAuth() {
            return List.of("--auth", "cert", "--pkcs11-module", SoftHsm.MODULE.toString(), "--pkcs11-token", hsm.label(),
                    "--pkcs11-key-label", "consumer");
        }

        private void expect(CliResult result, int exitCode, String inMessage) {
            assertEquals(exitCode, result.exitCode(), result::toString);
            assertTrue(result.stderr().contains(inMessage), () -> "the message names the problem (" + inMessage + "): "
                    + result);
            assertEquals("", result.stdout(), "nothing on stdout: " + result);
            report.put("exit " + exitCode + " for", String.valueOf(report.getOrDefault("exit " + exitCode + " for", ""))
                    + " [" + result.stderr().strip().lines().findFirst().orElse("") + "]");
        }

        private long seq(String mount) {
            return ((Number) server.http("GET", mount + "/discover/" + SERVICE, null).assertStatus(200).data().get("seq"))
                    .longValue();
        }

        /** The publications the publisher printed (one JSON line each). */
        private List<Object> publications() {
            List<Object> printed = new ArrayList<>();
            for (String line : lines("publisher")) {
                if (line.startsWith("{")) {
                    printed.add(Json.parse(line));
                }
            }
            return printed;
        }

        private int okCount() {
            return (int) lines("consumer").stream().filter(l -> l.startsWith("OK ")).count();
        }

        private List<String> lines(String name) {
            return read(dir.resolve(name + ".out")).lines().toList();
        }

        private Path jwtFile(String pod) throws IOException {
            Path file = dir.resolve(pod + ".jwt");
            Files.writeString(file, issuer.mint("system:serviceaccount:prod:" + pod, Map.of("pod_uid", pod)));
            return file;
        }

        /** The herald launcher with the connection to the TLS listener, the mount and {@code args}. */
        private List<String> cli(List<String> args) {
            List<String> command = new ArrayList<>(List.of(Project.root().resolve("target/client/herald").toString()));
            command.addAll(args);
            if (!args.contains("--mount") && !args.getFirst().equals("verify")) {
                command.addAll(List.of("--mount", mount));
            }
            if (!args.getFirst().equals("verify")) {
                command.addAll(List.of("--address", server.tlsAddress(), "--ca-cert", tls.caCert().toString()));
            }
            return command;
        }

        /** The herald launcher with {@code args} and the connection given by the environment only. */
        private List<String> cliWith(List<String> args, Map<String, String> environment) {
            List<String> command = new ArrayList<>(List.of("env"));
            environment.forEach((name, value) -> command.add(name + "=" + value));
            command.add(Project.root().resolve("target/client/herald").toString());
            command.addAll(args);
            command.addAll(List.of("--mount", "neg"));
            return command;
        }

        private Process start(String name, List<String> command) throws IOException {
            ProcessBuilder builder = processBuilder(command);
            builder.redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
            Process process = builder.start();
            processes.add(process);
            return process;
        }

        private CliResult run(String name, List<String> command) throws Exception {
            Process process = start(name, command);
            process.getOutputStream().close();
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), () -> name + " did not finish in 90 s");
            return new CliResult(command, process.exitValue(), read(dir.resolve(name + ".out")), read(dir.resolve(name + ".err")));
        }

        private ProcessBuilder processBuilder(List<String> command) {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(ServerKind::isServerVariable);
            env.putAll(hsm.environment());
            env.put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
            return builder;
        }
    }

    /** The {@code sha256:<hex of SPKI>} fingerprints of the PEM public keys in {@code pem}. */
    private static Set<String> fingerprints(String pem) {
        Set<String> found = new LinkedHashSet<>();
        java.util.regex.Matcher block = java.util.regex.Pattern
                .compile("-----BEGIN PUBLIC KEY-----([^-]+)-----END PUBLIC KEY-----").matcher(pem);
        while (block.find()) {
            try {
                byte[] spki = java.util.Base64.getMimeDecoder().decode(block.group(1));
                found.add("sha256:" + java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(spki)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return found;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The client jar the launcher runs, and this module's test classes (the consumer program). */
    private static String consumerClasspath() {
        return Project.root().resolve("target/client/herald-client.jar") + java.io.File.pathSeparator
                + Project.root().resolve("test-it/target/test-classes");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<?> instances(Map<String, Object> record) {
        return (List<?>) record.get("instances");
    }

    private static List<Object> instanceNames(Map<String, Object> record) {
        return instances(record).stream().map(i -> Json.at(i, "instance")).toList();
    }

    private static void await(String what, Duration timeout, Supplier<Boolean> condition) {
        assertTrue(DevServer.await(timeout, condition::get), () -> "no " + what + " within " + timeout.toSeconds() + " s");
    }
}
