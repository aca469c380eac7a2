package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, item 1: an upgrade in place, as README.md's "Upgrading Herald" tells an operator to do
 * it. Package A is the build (target/plugin); package B is the same jar packaged as the next patch
 * version (once per run, by scripts/package.sh --version). A mount made with A moves to B with
 * {@code secrets tune -plugin-version} and {@code plugin reload}, keeping its publications, signing
 * key, seq, history and leases; put back on A over storage in a newer layout, A refuses, naming
 * the version needed.
 */
@Timeout(600)
class UpgradeTest {
    private static Path packageB;

    /** Package B: A's jar packaged again as the next patch version (no AOT cache: it only starts slower). */
    static synchronized Path packageB() throws IOException, InterruptedException {
        if (packageB == null) {
            Path a = Herald.packagedPlugin();
            Path out = Project.outputDir().resolve("package-" + nextPatch(Herald.versionOf(a)));
            Path log = Project.outputDir().resolve("package-b.log");
            Files.createDirectories(out.getParent());
            Process process = new ProcessBuilder("bash", Project.root().resolve("scripts/package.sh").toString(),
                    "--jar", a.resolve("herald.d").resolve(Herald.JAR).toString(), "--out", out.toString(),
                    "--version", nextPatch(Herald.versionOf(a)), "--no-aot")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                fail("packaging version B failed; see " + log + ":\n" + Files.readString(log));
            }
            packageB = out;
        }
        return packageB;
    }

    static String nextPatch(String version) {
        Matcher m = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+).*").matcher(version);
        assertTrue(m.matches(), () -> "not a semantic version: " + version);
        return "v" + m.group(1) + "." + m.group(2) + "." + (Long.parseLong(m.group(3)) + 1);
    }

    @OnEachServer
    void aMountMovesToTheNextVersionWithItsDataAndAnOlderVersionRefusesNewerStorage(Herald herald) throws Exception {
        DevServer server = herald.server();
        String versionA = Herald.versionOf(Herald.packagedPlugin());
        Path b = packageB();
        String versionB = Herald.versionOf(b);

        // Version A: a mount with a leased publication.
        PublishingMount flow = new PublishingMount(herald, "upgrade", "[\"create\", \"update\"]", "ttl=1h");
        String mount = flow.mount;
        assertEquals(versionA, runningVersion(server, mount), "enabled with the package's version");
        Publisher key = Publisher.ed25519();
        JwtIssuer.Login pod = flow.pod("pod-a");
        String lease = (String) flow.publish(pod, "pod-a", key, Map.of()).assertStatus(200).json().get("lease_id");
        Map<String, Object> before = flow.discover();
        String jwksBefore = flow.jwks().toString();
        List<?> historyBefore = history(flow);
        Map<String, Object> marker = rawEntry(server, mount, "layout");
        assertEquals(4L, marker.get("layout"), () -> "A records the layout it writes: " + marker);
        assertEquals(versionA, marker.get("written_by"));

        // Version B beside A, then the mount moves to B.
        herald.registerScript(mount, "--package", b.toString(), "--no-enable").assertSuccess();
        assertEquals(List.of(versionA, versionB), catalogVersions(server), "both versions in sys/plugins/catalog");
        server.cli("secrets", "tune", "-plugin-version=" + versionB, mount).assertSuccess();
        server.cli("plugin", "reload", "-plugin=" + Herald.PLUGIN).assertSuccess();

        assertEquals(versionB, runningVersion(server, mount), "the mount runs B, as B reports itself");
        assertTrue(DevServer.await(Duration.ofSeconds(30), () -> herald.pluginProcesses().stream().allMatch(p ->
                        p.info().commandLine().orElse("").contains(Herald.PLUGIN + "-" + versionB + ".d/"))),
                () -> "only B's payload runs: " + DevServer.describe(herald.pluginProcesses()));
        Map<String, Object> after = flow.discover();
        assertEquals(before.get("seq"), after.get("seq"), "seq survives");
        assertEquals(Json.at(before, "instances"), Json.at(after, "instances"), "the publication survives");
        assertEquals(jwksBefore, flow.jwks().toString(), "the signing key survives");
        assertEquals(historyBefore, history(flow), "the history survives");

        // The lease A issued is B's to renew and revoke.
        server.http("PUT", "sys/leases/renew", Map.of("lease_id", lease, "increment", 7200)).assertStatus(200);
        server.http("PUT", "sys/leases/revoke", Map.of("lease_id", lease)).assertStatus(204);
        assertTrue(DevServer.await(Duration.ofSeconds(30), () -> history(flow).stream()
                        .anyMatch(e -> "lease_end".equals(Json.at(e, "type")))),
                () -> "B ends the publication when A's lease is revoked: " + history(flow));
        Object ended = history(flow).stream().filter(e -> "lease_end".equals(Json.at(e, "type")))
                .map(e -> Json.at(e, "sequence")).findFirst().orElseThrow();
        assertTrue(((Number) ended).longValue() > ((Number) before.get("seq")).longValue(),
                () -> "seq goes on from where A left it: " + ended + " after " + before.get("seq"));

        // Storage in a layout newer than A reads (as a later version would leave it), and the mount
        // put back on A: A refuses, naming the version that wrote it.
        String newer = "{\"layout\":5,\"written_by\":\"" + versionB + "\"}";
        server.http("PUT", "sys/raw/logical/" + mountUuid(server, mount) + "/layout", Map.of("value", newer))
                .assertStatus(204);
        server.cli("secrets", "tune", "-plugin-version=" + versionA, mount).assertSuccess();
        server.cli("plugin", "reload", "-plugin=" + Herald.PLUGIN).assertSuccess();
        assertEquals(versionA, runningVersion(server, mount));
        HttpResult refused = server.http("GET", mount + "/discover/web", null);
        assertEquals(409, refused.status(), refused::toString);
        assertTrue(refused.errors().contains("layout 5, written by " + versionB), refused::toString);
        assertTrue(refused.errors().contains("run " + versionB + " or newer"), refused::toString);
        assertEquals(5L, rawEntry(server, mount, "layout").get("layout"),
                "A leaves the newer marker alone");
    }

    private static String runningVersion(DevServer server, String mount) {
        return (String) Json.at(server.http("GET", "sys/mounts", null).assertStatus(200).data(), mount + "/",
                "running_plugin_version");
    }

    private static String mountUuid(DevServer server, String mount) {
        return (String) Json.at(server.http("GET", "sys/mounts", null).assertStatus(200).data(), mount + "/", "uuid");
    }

    private static Map<String, Object> rawEntry(DevServer server, String mount, String key) {
        HttpResult entry = server.http("GET", "sys/raw/logical/" + mountUuid(server, mount) + "/" + key, null)
                .assertStatus(200);
        return Json.parseObject((String) entry.data().get("value"));
    }

    private static List<?> history(PublishingMount flow) {
        return (List<?>) flow.server.http("GET", flow.mount + "/history/web", null).assertStatus(200).data().get("events");
    }

    /** The versions of the secret plugin herald in the catalog, oldest first. */
    private static List<String> catalogVersions(DevServer server) {
        List<String> versions = new ArrayList<>();
        for (Object plugin : (List<?>) server.http("GET", "sys/plugins/catalog", null).assertStatus(200).data().get("detailed")) {
            if (Herald.PLUGIN.equals(Json.at(plugin, "name")) && "secret".equals(Json.at(plugin, "type"))) {
                versions.add((String) Json.at(plugin, "version"));
            }
        }
        versions.sort(String::compareTo);
        return versions;
    }
}
