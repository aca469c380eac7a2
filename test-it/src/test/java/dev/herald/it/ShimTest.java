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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue tests 9 and 10: the shim refuses what it has not pinned, and refuses to run outside a server. */
@Timeout(120)
class ShimTest {

    /** Its own server: the test alters the plugin directory. */
    @OnEachServer
    void tamperedJarIsRefusedAndTheShimSaysWhy(ServerKind kind) throws Exception {
        try (DevServer server = DevServer.start(kind, "ShimTest-tampered")) {
            Herald herald = new Herald(server);
            herald.registerScript("t", "--name", "herald-tampered", "--no-enable").assertSuccess();
            // register-plugin.sh installs the shim as NAME-VERSION and its payload as NAME-VERSION.d
            Path jar = server.pluginDir().resolve(Herald.installedName("herald-tampered") + ".d").resolve(Herald.JAR)
                    .toRealPath();
            Herald.appendByte(jar);

            CliResult enable = server.cli("secrets", "enable", "-path=t", "herald-tampered");

            enable.assertFailure();
            assertFalse(server.mounts().contains("t/"), "no mount was made");
            // shim/verify.go's checkFile, through main.go's "refusing to start: ...; re-run scripts/package.sh"
            assertTrue(server.awaitLog("herald shim: refusing to start: " + jar + " was modified (expected sha256 ",
                            Duration.ofSeconds(30)),
                    () -> "the server log should carry the shim's refusal of the modified jar; see " + server.logFile()
                            + ":\n" + server.logTail(60));
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
            // The shim passes (the payload is intact) and the JVM refuses: PluginEnvironment's message.
            assertTrue(stderr.contains("is not meant to be run directly: register it with `vault plugin register`"),
                    () -> "stderr: " + stderr);
            assertFalse(stderr.contains("herald shim:"), () -> "the shim itself refused; stderr: " + stderr);
        } finally {
            for (Path p : List.of(out, err)) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Started as a server starts it, the plugin prints exactly one line on stdout, the handshake,
     * and nothing after it; everything on stderr is an hclog JSON line the server can file under
     * its level (a plain line would be shown at debug level only).
     */
    @Test
    void startedLikeAServerItWritesOnlyTheHandshakeToStdoutAndOnlyJsonToStderr() throws Exception {
        Path shim = Herald.packagedPlugin().resolve("herald");
        Path work = Files.createTempDirectory("herald-stdio");
        Path out = work.resolve("out");
        Path err = work.resolve("err");
        try {
            Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-521", "-nodes", "-keyout", work.resolve("key.pem").toString(),
                    "-out", work.resolve("cert.pem").toString(), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost").redirectErrorStream(true).start();
            assertEquals(0, openssl.waitFor(), "openssl made the server's client certificate");
            ProcessBuilder builder = new ProcessBuilder(shim.toString()).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            Map<String, String> env = builder.environment();
            env.put("VAULT_BACKEND_PLUGIN", "6669da05-b1c8-4f49-97d9-c8e5bed98e20");
            env.put("PLUGIN_PROTOCOL_VERSIONS", "5");
            env.put("PLUGIN_CLIENT_CERT", Files.readString(work.resolve("cert.pem")));
            env.put("HERALD_LOG_LEVEL", "debug"); // so that stderr has lines to check
            Process process = builder.start();
            process.getOutputStream().close();
            assertTrue(DevServer.await(Duration.ofSeconds(30), () -> {
                try {
                    return Files.readString(out).contains("\n");
                } catch (java.io.IOException e) {
                    return false;
                }
            }), "a handshake line within 30 s");
            Thread.sleep(1500); // anything printed after the handshake would show up by now
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);

            String stdout = Files.readString(out);
            assertTrue(stdout.matches("1\\|5\\|unix\\|/[^|\\n]+\\|grpc\\|[A-Za-z0-9+/]{100,}\n"),
                    () -> "stdout must be exactly the handshake line: " + stdout);
            List<String> lines = Files.readAllLines(err);
            assertFalse(lines.isEmpty(), "debug lines expected on stderr");
            for (String line : lines) {
                Map<String, Object> entry = Json.parseObject(line);
                assertTrue(List.of("trace", "debug", "info", "warn", "error").contains(entry.get("@level")), line);
                assertTrue(entry.get("@message") instanceof String, line);
                assertTrue(String.valueOf(entry.get("@timestamp"))
                        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}(Z|[+-]\\d\\d:\\d\\d)"), line);
            }
        } finally {
            try (var files = Files.list(work)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(work);
        }
    }
}
