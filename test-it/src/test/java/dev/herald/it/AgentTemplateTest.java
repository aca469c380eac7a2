package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The documented agent template (examples/agent/trust-bundle.pem.ctmpl) run by the real
 * {@code bao agent} / {@code vault agent}: the rendered PEM bundle follows the service's live set.
 *
 * <p>Bounds: with record_ttl {@value #RECORD_TTL_SECONDS} s, discover's {@code ttl} is at most half
 * of that, and the agent reads again after exactly ttl + 1 s, so a change is read within
 * {@value #RECORD_TTL_SECONDS}/2 + 1 = 6 s; {@link #SLACK} more covers the read, the render and a
 * busy machine. The first render also includes the agent's start and login ({@link #START}).
 */
@Timeout(240)
class AgentTemplateTest {
    private static final long RECORD_TTL_SECONDS = 10;
    private static final Duration SLACK = Duration.ofSeconds(9);
    private static final Duration CHANGE_BOUND = Duration.ofSeconds(RECORD_TTL_SECONDS / 2 + 1).plus(SLACK);
    private static final Duration START = Duration.ofSeconds(30);

    @OnEachServer
    void theRenderedBundleFollowsTheLiveSet(Herald herald) throws Exception {
        PublishingMount flow = new PublishingMount(herald, "agent", "[\"create\", \"update\"]", "");
        DevServer server = flow.server;
        herald.writeConfig(flow.mount, "record_ttl=" + RECORD_TTL_SECONDS + "s").assertSuccess();
        Publisher one = Publisher.ed25519();
        Publisher two = Publisher.ecP256();
        flow.publish(flow.pod("pod-1"), "pod-1", one, Map.of()).assertStatus(200);
        Map<String, Object> discovered = flow.discover();
        assertTrue(((Number) discovered.get("ttl")).longValue() <= RECORD_TTL_SECONDS / 2, "ttl: " + discovered);

        Path dir = Files.createTempDirectory(Files.createDirectories(Project.outputDir()), "agent-");
        Path bundle = dir.resolve("bundle.pem");
        Path config = writeAgentConfig(server, flow.mount, dir, bundle);
        ProcessBuilder builder = server.clientProcess(List.of(server.binary().toString(), "agent", "-config=" + config));
        // The agent must log in through auto_auth, not pick up the harness's root token.
        builder.environment().keySet().removeIf(name -> name.endsWith("_TOKEN"));
        Path log = dir.resolve("agent.log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process agent = builder.start();
        try {
            awaitBundle(agent, bundle, log, START, List.of(one), List.of(two), "the first publication");

            flow.publish(flow.pod("pod-2"), "pod-2", two, Map.of()).assertStatus(200);
            awaitBundle(agent, bundle, log, CHANGE_BOUND, List.of(one, two), List.of(), "a second instance");

            server.http("POST", flow.mount + "/revoke/web/pod-1", Map.of("reason", "agent test")).assertStatus(200);
            awaitBundle(agent, bundle, log, CHANGE_BOUND, List.of(two), List.of(one), "the revocation of pod-1");
            assertTrue(agent.isAlive(), "the agent keeps running: " + Files.readString(log));
        } finally {
            agent.destroy();
            if (!agent.waitFor(10, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The example's template, pointed at this mount's service web, read with a token that may only read it. */
    private static Path writeAgentConfig(DevServer server, String mount, Path dir, Path bundle) throws IOException {
        String template = Files.readString(Project.root().resolve("examples/agent/trust-bundle.pem.ctmpl"))
                .replace("\"herald/discover/web\"", "\"" + mount + "/discover/web\"");
        assertTrue(template.contains(mount + "/discover/web"), "the example reads herald/discover/web");
        Path source = dir.resolve("trust-bundle.pem.ctmpl");
        Files.writeString(source, template);
        JwtIssuer.policy(server, "agent-reader", "path \"" + mount + "/discover/web\" { capabilities = [\"read\"] }\n");
        Map<?, ?> auth = (Map<?, ?>) server.http("POST", "auth/token/create",
                Map.of("policies", List.of("agent-reader"), "ttl", "1h")).assertStatus(200).json().get("auth");
        String token = (String) auth.get("client_token");
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, token);
        Path config = dir.resolve("agent.hcl");
        Files.writeString(config, """
                vault {
                  address = "%s"
                  retry { num_retries = 2 }
                }
                auto_auth {
                  method "token_file" {
                    config = { token_file_path = "%s" }
                  }
                }
                template_config {
                  exit_on_retry_failure = true
                }
                template {
                  source               = "%s"
                  destination          = "%s"
                  error_on_missing_key = true
                }
                """.formatted(server.address(), tokenFile, source, bundle));
        return config;
    }

    /** Waits until the bundle holds exactly the keys of {@code present} and none of {@code absent}. */
    private static void awaitBundle(Process agent, Path bundle, Path log, Duration bound, List<Publisher> present,
                                    List<Publisher> absent, String after) throws IOException {
        boolean done = DevServer.await(bound, () -> {
            String text = read(bundle);
            return present.stream().allMatch(p -> text.contains(p.publicKeyPem().strip()))
                    && absent.stream().noneMatch(p -> text.contains(p.publicKeyPem().strip()))
                    && count(text) == present.size();
        });
        if (!done) {
            throw new AssertionError("the bundle did not show " + after + " within " + bound.toSeconds()
                    + " s (agent " + (agent.isAlive() ? "running" : "exited " + agent.exitValue()) + ")\nbundle:\n"
                    + read(bundle) + "\nagent log:\n" + Files.readString(log));
        }
    }

    private static int count(String text) {
        return text.split("-----BEGIN PUBLIC KEY-----", -1).length - 1;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
