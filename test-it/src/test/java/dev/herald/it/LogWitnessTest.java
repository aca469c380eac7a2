package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Witnesses of the mount's verifiable log on a real server (design-log §8, §10.2 item 7): two
 * {@code herald witness} processes, each with its own token allowed to update {@code log/cosign},
 * cosign the log's checkpoints; a client requiring both accepts a record; with one witness
 * stopped, a new publication cannot be witnessed by two, so that client fails (exit 3) after its
 * {@code --witness-wait}, while one requiring a single witness accepts it.
 */
@Timeout(300)
class LogWitnessTest {
    @OnEachServer
    void aClientRequiringTwoWitnessesAcceptsWhileBothCosignAndRefusesWhenOneStops(Herald herald, ServerKind kind) throws Exception {
        DevServer server = herald.server();
        String mount = herald.enable("witnessed-log");
        Path dir = Project.outputDir().resolve("log-witness").resolve(kind.cli());
        DevServer.deleteTree(dir);
        Files.createDirectories(dir);
        Clients clients = new Clients(server, mount, dir);
        try {
            String a = clients.keygen("witness-a"), b = clients.keygen("witness-b");
            server.http("POST", mount + "/config", Map.of("log_witnesses", List.of(a, b))).assertStatus(200);
            JwtIssuer.policy(server, "witness", "path \"" + mount + "/log/cosign\" { capabilities = [\"update\"] }\n");
            server.http("POST", mount + "/roles/any", Map.of("services", List.of("web"), "instance", "*",
                    "allow_unbound", true)).assertStatus(200);
            clients.publish("pod-1");

            Process witnessA = clients.witness("witness-a", clients.token("witness"));
            Process witnessB = clients.witness("witness-b", clients.token("witness"));
            CliResult both = clients.discover("discover-2-of-2", List.of("--witness", a, "--witness", b, "--witnesses-required", "2"));
            assertEquals(0, both.exitCode(), both::toString);
            String witnessed = server.httpWithoutToken("GET", mount + "/log/witnessed").assertStatus(200).body();
            assertTrue(witnessed.contains("\u2014 witness-a ") && witnessed.contains("\u2014 witness-b "), witnessed);

            witnessB.destroy(); // the witness is this test's process: stopped by its handle
            assertTrue(witnessB.waitFor(30, TimeUnit.SECONDS), "witness-b stops");
            clients.publish("pod-2");
            CliResult one = clients.discover("discover-2-of-2-one-stopped", List.of("--witness", a, "--witness", b,
                    "--witnesses-required", "2", "--witness-wait", "2s"));
            assertEquals(3, one.exitCode(), one::toString);
            assertTrue(one.stderr().contains("not witnessed"), one::toString);
            CliResult enough = clients.discover("discover-1-of-2", List.of("--witness", a, "--witness", b,
                    "--witnesses-required", "1"));
            assertEquals(0, enough.exitCode(), enough::toString);
            assertTrue(enough.stdout().contains("pod-2"), enough::toString);

            CliResult verified = clients.run("log-verify", List.of("log", "verify", "--witness", a, "--witnesses-required", "1"),
                    Map.of());
            assertEquals(0, verified.exitCode(), verified::toString);
            assertTrue(witnessA.isAlive(), "witness-a kept cosigning: " + Files.readString(dir.resolve("witness-a.err")));
        } finally {
            clients.close();
        }
    }

    /** The herald CLI against the server: one-shot commands, and the witnesses, which it stops at the end. */
    private static final class Clients implements AutoCloseable {
        private final DevServer server;
        private final String mount;
        private final Path dir;
        private final List<Process> processes = new ArrayList<>();

        Clients(DevServer server, String mount, Path dir) {
            this.server = server;
            this.mount = mount;
            this.dir = dir;
        }

        /** A witness key made with {@code herald witness keygen}: its vkey. */
        String keygen(String name) throws Exception {
            CliResult made = run("keygen-" + name, List.of("witness", "keygen", name, "--key", dir.resolve(name + ".key").toString()),
                    Map.of());
            assertEquals(0, made.exitCode(), made::toString);
            return made.stdout().strip();
        }

        /** A token with only {@code policy}. */
        String token(String policy) {
            return (String) Json.at(server.http("POST", "auth/token/create", Map.of("policies", List.of(policy)))
                    .assertStatus(200).json(), "auth", "client_token");
        }

        void publish(String instance) {
            server.http("POST", mount + "/publish/web/" + instance, Map.of("role", "any", "csr", Publisher.ed25519().csrPem()))
                    .assertStatus(200);
        }

        /** {@code herald witness} polling every 200 ms with its own token, in the background. */
        Process witness(String name, String token) throws Exception {
            ProcessBuilder builder = builder(List.of("witness", "--key", dir.resolve(name + ".key").toString(),
                    "--state", dir.resolve(name).toString(), "--interval", "200ms"), Map.of("VAULT_TOKEN", token, "BAO_TOKEN", token))
                    .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
            Process process = builder.start();
            process.getOutputStream().close();
            processes.add(process);
            return process;
        }

        CliResult discover(String name, List<String> witnessOptions) throws Exception {
            List<String> args = new ArrayList<>(List.of("discover", "web", "--state", dir.resolve("client").toString()));
            args.addAll(witnessOptions);
            return run(name, args, Map.of());
        }

        /** A one-shot command with the root token (the server's client environment), waited for. */
        CliResult run(String name, List<String> args, Map<String, String> environment) throws Exception {
            ProcessBuilder builder = builder(args, environment)
                    .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
            Process process = builder.start();
            processes.add(process);
            process.getOutputStream().close();
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), () -> name + " did not finish in 90 s");
            return new CliResult(builder.command(), process.exitValue(), Files.readString(dir.resolve(name + ".out")),
                    Files.readString(dir.resolve(name + ".err")));
        }

        private ProcessBuilder builder(List<String> args, Map<String, String> environment) {
            List<String> command = new ArrayList<>(List.of(Project.root().resolve("target/client/herald").toString()));
            command.addAll(args);
            if (!args.contains("keygen")) {
                command.addAll(List.of("--mount", mount, "--address", server.address()));
            }
            ProcessBuilder builder = server.clientProcess(command).directory(dir.toFile());
            builder.environment().put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
            builder.environment().putAll(environment);
            return builder;
        }

        @Override
        public void close() throws InterruptedException {
            for (Process process : processes) {
                if (process.isAlive()) {
                    process.destroy();
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                }
            }
        }
    }
}
