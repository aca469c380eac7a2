package dev.herald.it;

import dev.herald.plugin.testkit.Client;
import dev.herald.plugin.testkit.CommandResult;
import dev.herald.plugin.testkit.Response;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A real OpenBao or Vault server in dev mode, started by the plugin test kit
 * ({@link dev.herald.plugin.testkit.DevServer}: free loopback port, own plugin directory, no
 * process left behind), with what Herald's tests add: every answer and command output kept beside
 * the log ({@link Transcript}), and a scan of the log and the transcript for the signing keys of
 * the server's Herald mounts when it closes ({@link SigningKeyLeaks}).
 *
 * <p>The log goes to {@code test-it/target/it/logs/}, and is kept after {@link #close()}; the
 * work directory (plugin copies, config, HOME) is deleted. The configuration enables
 * {@code sys/raw}, through which the harness reads the signing keys to scan for. The log level is
 * {@code trace} unless the system property {@code herald.it.logLevel} says otherwise; at trace the
 * servers log every backend RPC of an external plugin and its stderr.
 */
public final class DevServer implements AutoCloseable, ServerHttp {

    private static boolean outputCleaned;

    private final dev.herald.plugin.testkit.DevServer server;
    private final ServerKind kind;
    private final Transcript transcript;
    private final SigningKeyLeaks signingKeys = new SigningKeyLeaks();
    private boolean closed;

    DevServer(dev.herald.plugin.testkit.DevServer server, ServerKind kind) {
        this.server = server;
        this.kind = kind;
        this.transcript = new Transcript(server.logFile());
    }

    /**
     * Starts a server of this kind and waits until {@code sys/health} answers 200.
     *
     * @param label names the log file and work directory (e.g. the test class)
     */
    public static DevServer start(ServerKind kind, String label) {
        return start(kind, label, null);
    }

    /**
     * As {@link #start(ServerKind, String)}, with a second listener on TLS (server certificate and key
     * from {@code tls}; client certificates requested, not required, as cert auth needs) beside the
     * harness's plain HTTP one: {@link #tlsAddress()}.
     */
    public static DevServer start(ServerKind kind, String label, TlsFiles tls) {
        Path binary = kind.binary().orElseThrow(() -> new IllegalStateException(kind.missingReason()));
        cleanOutputOnce(Project.outputDir());
        dev.herald.plugin.testkit.DevServer.Builder builder = configure(
                dev.herald.plugin.testkit.DevServer.builder(kind.type(), binary).label(label)
                        .outputDirectory(Project.outputDir()));
        if (tls != null) {
            builder.tlsListener(tls.serverCert(), tls.serverKey());
        }
        return new DevServer(builder.start(), kind);
    }

    /** What Herald's servers have besides the kit's defaults: sys/raw, and the log level of herald.it.logLevel. */
    static dev.herald.plugin.testkit.DevServer.Builder configure(dev.herald.plugin.testkit.DevServer.Builder builder) {
        // sys/raw lets the harness read the plugin's signing keys, to scan for them (SigningKeyLeaks).
        return builder.config("raw_storage_endpoint = true")
                .logLevel(System.getProperty("herald.it.logLevel", "trace"));
    }

    /** Deletes what earlier runs left in the output directory, once per JVM (surefire runs one fork). */
    static synchronized void cleanOutputOnce(Path out) {
        if (outputCleaned) {
            return;
        }
        outputCleaned = true;
        try {
            deleteTree(out.resolve("work"));
            deleteTree(out.resolve("logs"));
        } catch (IOException e) {
            System.err.println("herald-it: could not clean " + out + ": " + e);
        }
    }

    public ServerKind kind() {
        return kind;
    }

    /** E.g. {@code ConfigTest-bao-3}: the name of its log file and work directory. */
    public String name() {
        return server.name();
    }

    /** {@code http://127.0.0.1:PORT} */
    public String address() {
        return server.address();
    }

    /** The TLS listener's address ({@code https://127.0.0.1:PORT}), if the server was started with one. */
    public String tlsAddress() {
        return server.tlsAddress();
    }

    @Override
    public String rootToken() {
        return server.rootToken();
    }

    /** The server's {@code plugin_directory}. */
    public Path pluginDir() {
        return server.pluginDirectory();
    }

    public Path logFile() {
        return server.logFile();
    }

    public long pid() {
        return server.processHandle().pid();
    }

    public ProcessHandle processHandle() {
        return server.processHandle();
    }

    /** The real server binary (the CLI runs it too). */
    public Path binary() {
        return server.binary();
    }

    /** The whole server log so far. */
    public String log() {
        return server.log();
    }

    /** The last {@code lines} lines of the server log. */
    public String logTail(int lines) {
        return server.logTail(lines);
    }

    /** Waits until the server log contains {@code text}; true if it did within {@code timeout}. */
    public boolean awaitLog(String text, Duration timeout) {
        return server.awaitLog(text, timeout);
    }

    /** Runs the server's CLI ({@code bao ...} / {@code vault ...}) against this server. */
    public CliResult cli(String... args) {
        return kept(server.cli(args));
    }

    /**
     * Runs any command with this server's client environment: {@code VAULT_ADDR}/{@code VAULT_TOKEN}
     * (and {@code BAO_ADDR}/{@code BAO_TOKEN} for OpenBao), no other server variable, and the
     * server's binary first on the {@code PATH}.
     */
    public CliResult run(List<String> command) {
        return kept(server.run(command));
    }

    private CliResult kept(CommandResult run) {
        CliResult result = new CliResult(run.command(), run.exitCode(), run.stdout(), run.stderr());
        transcript.add(result);
        return result;
    }

    /**
     * A process builder for {@code command} with the environment {@link #run} uses, for commands the
     * test must not wait for; the caller owns (and must end) the process.
     */
    public ProcessBuilder clientProcess(List<String> command) {
        return server.clientProcess(command);
    }

    /**
     * One HTTP request with {@code token} (none if null), e.g. a publisher's login token.
     * {@code path} is relative to {@code /v1/} (a leading {@code /v1/} is accepted too); {@code body}
     * is null, a JSON string, a Map/List written as JSON, or the bytes of a JSON text (sent as they
     * are: large bodies are not copied per request).
     */
    @Override
    public HttpResult http(String method, String path, Object body, String token) {
        Client client = token == null ? server.client().withoutToken() : server.client().withToken(token);
        // JSON bodies in the sdk's codec, as the tests build them (the kit writes only plain maps and lists)
        Object sent = body instanceof String || body instanceof byte[] || body == null ? body : Json.write(body);
        Response response = client.send(method, path, sent);
        HttpResult result = new HttpResult(response.method(), response.path(), response.status(), response.body());
        transcript.add(result);
        return result;
    }

    /** The server's living descendant processes (plugins). */
    public List<ProcessHandle> descendants() {
        return server.descendants();
    }

    /** The paths of all secrets engine mounts, with their trailing slash. */
    public Set<String> mounts() {
        return server.mounts();
    }

    /**
     * Disables every secrets engine mounted since the server started, after reading the signing
     * keys of its Herald mounts for the scan at close (see the kit's
     * {@link dev.herald.plugin.testkit.DevServer#disableMountsAddedSinceStart()}); used between
     * tests that share a server.
     *
     * @return the mounts disabled
     */
    public List<String> disableMountsAddedSinceStart() {
        signingKeys.collect(this);
        return server.disableMountsAddedSinceStart();
    }

    /**
     * Reads the signing keys of the server's Herald mounts, then closes the server as the kit does
     * (no process, no work directory left; the log and the transcript are kept), then scans both for
     * the keys read now and before every mount was disabled: a key found fails the close, and with
     * it the test class.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server.processHandle().isAlive()) {
            try {
                signingKeys.collect(this);
            } catch (RuntimeException e) {
                System.err.println("herald-it: " + name() + ": could not read the signing keys: " + e);
            }
        }
        server.close();
        assertNoSigningKeyIn(List.of(logFile(), transcript.file()));
    }

    /** Fails if a signing key collected from this server appears in any of {@code files}. */
    private void assertNoSigningKeyIn(List<Path> files) {
        List<SigningKeyLeaks.Finding> found = signingKeys.findIn(files);
        System.err.println("herald-it: " + name() + ": " + signingKeys.size() + " signing keys scanned for in " + files
                + ": " + (found.isEmpty() ? "none found" : found));
        if (!found.isEmpty()) {
            throw new AssertionError("a signing key leaked: " + found);
        }
    }

    /** Polls {@code condition} every 50 ms; true as soon as it holds, false after {@code timeout}. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        return dev.herald.plugin.testkit.DevServer.await(timeout, condition);
    }

    /** pid and command line of each process, for failure messages. */
    static String describe(List<ProcessHandle> processes) {
        return dev.herald.plugin.testkit.DevServer.describe(processes);
    }

    @Override
    public String toString() {
        return server.toString();
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
