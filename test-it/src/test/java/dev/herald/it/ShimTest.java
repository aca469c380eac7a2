package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue tests 9 and 10: the shim refuses what it has not pinned, and refuses to run outside a server. */
@Timeout(120)
class ShimTest {

    /** Its own server: the test alters the plugin directory. */
    @OnEachServer
    void tamperedJarIsRefusedAndTheShimSaysWhy(ServerKind kind) {
        try (DevServer server = DevServer.start(kind, "ShimTest-tampered")) {
            Herald herald = new Herald(server);
            herald.registerScript("t", "--name", "herald-tampered", "--no-enable").assertSuccess();
            // register-plugin.sh installs the shim as NAME and its payload as NAME.d
            Herald.appendByte(server.pluginDir().resolve("herald-tampered.d").resolve(Herald.JAR));

            CliResult enable = server.cli("secrets", "enable", "-path=t", "herald-tampered");

            enable.assertFailure();
            assertFalse(server.mounts().contains("t/"), "no mount was made");
            assertTrue(server.awaitLog("herald shim:", Duration.ofSeconds(10)),
                    () -> "the server log should carry the shim's message; see " + server.logFile() + ":\n"
                            + server.logTail(60));
            assertTrue(herald.pluginProcesses().isEmpty(), () -> DevServer.describe(herald.pluginProcesses()));
        }
    }

    /** Not a server test: the shim is run by hand, without the magic cookie a server would set. */
    @Test
    void runDirectlyItExplainsThatItIsAPluginAndFails() throws Exception {
        Path shim = Herald.packagedPlugin().resolve("herald");
        Path out = Files.createTempFile("herald-shim", ".out");
        Path err = Files.createTempFile("herald-shim", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(shim.toString()).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            Map<String, String> env = builder.environment();
            String path = env.get("PATH");
            env.clear();
            env.put("PATH", path);
            Process process = builder.start();
            process.getOutputStream().close();

            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail("the shim run by hand was still running after 10 s");
            }
            String stdout = Files.readString(out);
            String stderr = Files.readString(err);
            assertNotEquals(0, process.exitValue(), () -> "exit code; stderr: " + stderr);
            assertEquals("", stdout, "nothing on stdout (it is the handshake channel)");
            assertTrue(stderr.toLowerCase(Locale.ROOT).contains("plugin"), () -> "stderr: " + stderr);
        } finally {
            for (Path p : List.of(out, err)) {
                Files.deleteIfExists(p);
            }
        }
    }
}
