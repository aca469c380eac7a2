package dev.herald.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.herald.client.HeraldException;
import dev.herald.client.LogEvidence;
import dev.herald.client.LogInconsistencyException;
import dev.herald.client.TamperException;
import dev.herald.client.VaultException;
import dev.herald.client.VerificationException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI's contract (DESIGN §6.1): exit codes, messages on stderr, output atomically where asked. */
class HeraldCliTest {

    @Test
    void failuresMapToTheExitCodesOfTheContract() {
        assertEquals(HeraldCli.TAMPER, HeraldCli.exitCode(new TamperException("swapped")));
        assertEquals(HeraldCli.LOG_INCONSISTENCY, HeraldCli.exitCode(new LogInconsistencyException(
                new LogEvidence("example.com/log", "fork", Map.of(), Optional.empty()))));
        assertEquals(HeraldCli.VERIFICATION, HeraldCli.exitCode(new VerificationException("rollback")));
        assertEquals(HeraldCli.ERROR, HeraldCli.exitCode(new VaultException("GET /v1/x", 503, List.of("sealed"))));
        assertEquals(HeraldCli.ERROR, HeraldCli.exitCode(new HeraldException("no PIN")));
        assertEquals(HeraldCli.ERROR, HeraldCli.exitCode(new IllegalStateException("bug")));
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatIsMissing() {
        Run run = run("discover");
        assertEquals(HeraldCli.USAGE, run.exitCode());
        assertTrue(run.err().contains("Missing required parameter: 'SERVICE'"), run.err());
        assertEquals("", run.out());
        assertEquals(HeraldCli.USAGE, run("publish", "web", "pod-1").exitCode(), "--role is required");
        assertEquals(HeraldCli.USAGE, run("frobnicate").exitCode());
        assertEquals(HeraldCli.OK, run("--help").exitCode());
    }

    @Test
    void aPageSizeIsPositiveAndForAWholeService() {
        Run zero = run("discover", "payments", "--page-size", "0");
        assertEquals(HeraldCli.USAGE, zero.exitCode());
        assertTrue(zero.err().contains("--page-size must be between 1 and 20000, not 0"), zero.err());
        Run instance = run("discover", "payments", "web-1", "--page-size", "2", "--address", "http://127.0.0.1:1",
                "--token-file", "/nonexistent");
        assertEquals(HeraldCli.USAGE, instance.exitCode(), instance.err());
        assertTrue(instance.err().contains("--page-size is for a whole service"), instance.err());
    }

    @Test
    void anErrorIsOneLineOnStderrAndNothingOnStdout(@TempDir Path dir) {
        Run run = run("verify", dir.resolve("missing.json").toString(), "--jwks", dir.resolve("jwks.json").toString());
        assertEquals(HeraldCli.ERROR, run.exitCode());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("herald: cannot read "), run.err());
    }

    @Test
    void jwksNeedsNoTokenAndReplacesItsFileAtomically(@TempDir Path dir) throws Exception {
        HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/v1/herald/jwks", exchange -> {
            boolean tokenSent = exchange.getRequestHeaders().containsKey("X-Vault-Token");
            byte[] body = ("{\"data\":{\"keys\":[{\"kty\":\"OKP\",\"token_sent\":" + tokenSent + "}]}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        stub.start();
        try {
            Path out = dir.resolve("jwks.json");
            Files.writeString(out, "old");
            Run run = run("jwks", "--address", "http://127.0.0.1:" + stub.getAddress().getPort(), "--out", out.toString());
            assertEquals(HeraldCli.OK, run.exitCode(), run.err());
            assertEquals("{\"keys\":[{\"kty\":\"OKP\",\"token_sent\":false}]}\n", Files.readString(out));
            assertEquals("", run.out());
            try (var files = Files.list(dir)) {
                assertEquals(List.of(out), files.toList(), "no temporary file left beside it");
            }
        } finally {
            stub.stop(0);
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine line = HeraldCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            int code = line.execute(args);
            return new Run(code, out + printed.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(stdout);
        }
    }
}
