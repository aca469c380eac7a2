package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, item 5: Herald installed the way README.md's "Declaring Herald in OpenBao's
 * configuration" tells an operator to, on a fresh {@code bao server} started from a config file (not
 * {@code -dev}). {@code register-plugin.sh --declare} puts the package into the plugin directory and
 * prints the {@code plugin} stanza; the server's configuration is examples/openbao/herald.hcl with
 * that stanza and this test's paths and ports. With nothing else (no {@code plugin register}, no
 * {@code secrets enable}, no {@code operator init}) the server comes up registered, mounted and
 * usable; a restart keeps it so; a stanza with a wrong sha256 is registered but cannot be mounted.
 *
 * <p>OpenBao only: Vault's server configuration has no {@code plugin} stanza.
 */
@Timeout(600)
class DeclarativeInstallTest {

    private static final Path EXAMPLE = Project.root().resolve("examples/openbao/herald.hcl");
    private static final Pattern STANZA = Pattern.compile("(?ms)^plugin \"secret\" \"herald\" \\{.*?^\\}\\n");
    /** Self-initialisation runs after the unseal, and mounting Herald starts its JVM. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    @OnEachServer
    void aFreshServerComesUpWithHeraldRegisteredAndMountedByItsConfigurationAlone(ServerKind kind) throws Exception {
        assumeTrue(kind == ServerKind.BAO, "Vault's server configuration has no `plugin` stanza: declaring a plugin"
                + " in the configuration is an OpenBao (2.5+) feature");
        Path binary = kind.binary().orElseThrow();
        String name = DeclarativeInstallTest.class.getSimpleName() + "-" + kind.cli();
        Path out = Project.outputDir();
        DevServer.cleanOutputOnce(out);
        List<Integer> ports = RaftCluster.freePorts(2);
        try (RaftNode node = new RaftNode(kind, binary, name, "bao-1", out.resolve("work").resolve(name),
                out.resolve("logs").resolve(name + ".log"), ports.get(0), ports.get(1), List.of())) {
            try {
                run(node, ports.get(1));
            } catch (RuntimeException | Error e) {
                e.addSuppressed(new ServerExtension.ServerLog(node + ", last lines of " + node.logFile() + ":\n"
                        + node.logTail(60)));
                throw e;
            }
        }
    }

    private static void run(RaftNode node, int clusterPort) throws IOException {
        Path packaged = Herald.packagedPlugin();
        String version = Herald.versionOf(packaged);
        Path work = node.configFile().getParent();
        String password = HexFormat.of().formatHex(random(16));
        secret(work.resolve("admin-password"), password.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        secret(work.resolve("unseal.key"), random(32));

        // 1. The files and the stanza, with no server to talk to.
        CliResult declared = node.run(List.of("bash", Project.registerScript().toString(), "--declare",
                "--plugin-dir", node.pluginDir().toString(), "--package", packaged.toString())).assertSuccess();
        String stanza = declared.stdout();
        String sha = Files.readString(packaged.resolve("herald.sha256")).trim();
        assertEquals("plugin \"secret\" \"herald\" {\n  command   = \"herald-" + version + "\"\n  version   = \""
                + version + "\"\n  sha256sum = \"" + sha + "\"\n}\n", stanza, "the stanza --declare prints");
        assertTrue(Files.isExecutable(node.pluginDir().resolve("herald-" + version)), "the shim, installed");
        assertTrue(Files.isRegularFile(node.pluginDir().resolve("herald-" + version + ".d/MANIFEST.sha256")),
                "its payload, beside it");

        // 2. The example configuration with that stanza, checked as the README says, then started.
        writeConfig(node, clusterPort, stanza);
        node.cli("operator", "validate-config", "-config=" + node.configFile()).assertSuccess();
        node.start();
        awaitReady(node, password);

        // 3. Registered by the configuration: in the catalog with its version, declarative.
        assertDeclared(node, version, sha);
        Map<String, Object> mount = node.http("GET", "sys/mounts/herald", null).assertStatus(200).data();
        assertEquals("herald", mount.get("type"), () -> "mounted by the initialize block: " + mount);
        assertEquals(version, mount.get("plugin_version"), () -> "pinned to the declared version: " + mount);

        // 4. The mount works: config, a role, a publication and its discovery.
        HttpResult config = node.http("POST", "herald/config", Map.of("record_ttl", "1h"));
        assertTrue(config.status() == 200 || config.status() == 204, () -> "herald/config written: " + config);
        RaftPublishing publishing = new RaftPublishing(node, "herald");
        String token = RaftPublishing.token(publishing.login(node, "pod-a"));
        publishing.publish(node, token, "pod-a", Publisher.ed25519()).assertStatus(200);
        assertEquals(List.of("pod-a"), instances(publishing.discover(node).assertStatus(200)));

        // 5. A restart (the static seal unseals it): still registered, the same data served.
        node.terminate();
        node.start();
        awaitReady(node, password);
        assertDeclared(node, version, sha);
        assertEquals(List.of("pod-a"), instances(publishing.discover(node).assertStatus(200)),
                "the publication survives the restart");

        // 6. A stanza whose sha256 does not match the shim: registered anyway (OpenBao only warns),
        // but nothing can run it.
        String wrong = sha.replace(sha.charAt(0), sha.charAt(0) == '0' ? '1' : '0');
        assertNotEquals(sha, wrong);
        node.terminate();
        writeConfig(node, clusterPort, stanza.replace(sha, wrong));
        node.start();
        awaitReady(node, password);
        Map<String, Object> entry = catalogEntry(node, version);
        assertEquals(wrong, entry.get("sha256"), () -> "the new declared sha256 replaces the old one: " + entry);
        CliResult enable = node.cli("secrets", "enable", "-path=herald-bad", "herald").assertFailure();
        assertTrue(enable.stderr().contains("checksums did not match"),
                () -> "enabling a plugin whose file does not match the declared sha256 says so: " + enable);
    }

    /** examples/openbao/herald.hcl with {@code stanza} for its plugin stanza, and this node's paths and ports. */
    private static void writeConfig(RaftNode node, int clusterPort, String stanza) throws IOException {
        String example = Files.readString(EXAMPLE);
        Matcher matcher = STANZA.matcher(example);
        assertTrue(matcher.find(), "examples/openbao/herald.hcl has a plugin \"secret\" \"herald\" stanza");
        Path work = node.configFile().getParent();
        String address = node.address().substring("http://".length());
        String config = matcher.replaceFirst(Matcher.quoteReplacement(stanza))
                .replace("/var/lib/openbao/data", work.resolve("data").toString())
                .replace("/var/lib/openbao/plugins", node.pluginDir().toString())
                .replace("/etc/openbao/", work + "/")
                .replace("127.0.0.1:8200", address)
                .replace("127.0.0.1:8201", "127.0.0.1:" + clusterPort);
        Files.writeString(node.configFile(), config);
    }

    /** Waits until the node is initialised, unsealed and active, then logs in as the admin the initialize block made. */
    private static void awaitReady(RaftNode node, String password) {
        if (!DevServer.await(READY_TIMEOUT, () -> {
            RaftNode.Health health = node.health();
            return health != null && health.active();
        })) {
            fail(node + " was not initialised, unsealed and active within " + READY_TIMEOUT.toSeconds() + " s");
        }
        HttpResult login = node.http("POST", "auth/userpass/login/admin", Map.of("password", password), null);
        node.rootToken((String) Json.at(login.assertStatus(200).json(), "auth", "client_token"));
    }

    private static void assertDeclared(RaftNode node, String version, String sha) {
        Map<String, Object> catalog = node.http("GET", "sys/plugins/catalog", null).assertStatus(200).data();
        List<?> detailed = (List<?>) catalog.get("detailed");
        List<?> herald = detailed.stream().filter(e -> "herald".equals(((Map<?, ?>) e).get("name"))).toList();
        assertEquals(1, herald.size(), () -> "one herald entry in sys/plugins/catalog: " + detailed);
        Map<?, ?> listed = (Map<?, ?>) herald.getFirst();
        assertEquals("secret", listed.get("type"));
        assertEquals(version, listed.get("version"));
        assertEquals(sha, listed.get("sha256"));
        Map<String, Object> entry = catalogEntry(node, version);
        assertEquals(Boolean.TRUE, entry.get("declarative"), () -> "registered from the configuration: " + entry);
        assertEquals("herald-" + version, entry.get("command"));
    }

    private static Map<String, Object> catalogEntry(RaftNode node, String version) {
        return node.http("GET", "sys/plugins/catalog/secret/herald?version=" + version, null).assertStatus(200).data();
    }

    /** The instance names in a {@code discover} answer. */
    private static List<String> instances(HttpResult discover) {
        List<String> names = new ArrayList<>();
        for (Object instance : (List<?>) discover.data().get("instances")) {
            names.add(String.valueOf(((Map<?, ?>) instance).get("instance")));
        }
        return names;
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** Writes {@code content} to {@code file}, readable by its owner only (as a key file should be). */
    private static void secret(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
