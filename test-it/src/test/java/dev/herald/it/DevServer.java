package dev.herald.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A real OpenBao or Vault server in dev mode (in-memory storage, unsealed, known root token) on a
 * free loopback port, with its own plugin directory.
 *
 * <p>Started as {@code <bin> server -dev -dev-root-token-id=T -dev-listen-address=127.0.0.1:P
 * -config=<work>/server.hcl -log-level=trace}; the config file only sets {@code plugin_directory},
 * so nothing is registered behind the test's back (unlike {@code -dev-plugin-dir}). Its stdout and
 * stderr go to a log file under {@code test-it/target/it/logs/}, which is kept after
 * {@link #close()}; the work directory (plugin copies, config, HOME) is deleted.
 *
 * <p>The log level is {@code trace} unless the system property {@code herald.it.logLevel} says
 * otherwise; at trace the servers log every backend RPC of an external plugin and its stderr.
 */
public final class DevServer implements AutoCloseable, ServerHttp {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<DevServer> RUNNING = ConcurrentHashMap.newKeySet();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static boolean outputCleaned;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(RUNNING).forEach(DevServer::close),
                "herald-it-server-reaper"));
    }

    private final ServerKind kind;
    private final String name;
    private final Path workDir;
    private final Path pluginDir;
    private final Path homeDir;
    private final Path logFile;
    private final String rootToken;
    private final HttpClient httpClient = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final AtomicInteger cliRuns = new AtomicInteger();
    private final Transcript transcript;
    private final SigningKeyLeaks signingKeys = new SigningKeyLeaks();

    private Process process;
    private String address;
    private String tlsAddress;
    private Path cliBinary;
    private Set<String> initialMounts = Set.of();
    private final Set<String> abandonedMounts = ConcurrentHashMap.newKeySet();
    private boolean closed;

    private DevServer(ServerKind kind, String name, Path workDir, Path logFile, String rootToken) {
        this.kind = kind;
        this.name = name;
        this.workDir = workDir;
        this.pluginDir = workDir.resolve("plugins");
        this.homeDir = workDir.resolve("home");
        this.logFile = logFile;
        this.rootToken = rootToken;
        this.transcript = new Transcript(logFile);
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
        String name = label + "-" + kind.cli() + "-" + SEQUENCE.incrementAndGet();
        Path out = Project.outputDir();
        cleanOutputOnce(out);
        Path workDir = out.resolve("work").resolve(name);
        Path logFile = out.resolve("logs").resolve(name + ".log");
        DevServer server = new DevServer(kind, name, workDir, logFile, "herald-it-" + randomHex(12));
        try {
            deleteTree(workDir);
            Files.createDirectories(server.pluginDir);
            Files.createDirectories(server.homeDir);
            Files.createDirectories(logFile.getParent());
            Files.deleteIfExists(logFile);
            Files.deleteIfExists(server.transcript.file());
            Path config = workDir.resolve("server.hcl");
            // sys/raw lets the harness read the plugin's signing keys, to scan for them (SigningKeyLeaks).
            for (int attempt = 1; ; attempt++) {
                int port = freePortPair();
                String listener = "";
                if (tls != null) {
                    int tlsPort = freePort();
                    server.tlsAddress = "https://127.0.0.1:" + tlsPort;
                    listener = "listener \"tcp\" {\n  address = \"127.0.0.1:" + tlsPort + "\"\n"
                            + "  tls_cert_file = " + hclString(tls.serverCert().toString()) + "\n"
                            + "  tls_key_file = " + hclString(tls.serverKey().toString()) + "\n}\n";
                }
                Files.writeString(config, "plugin_directory = " + hclString(server.pluginDir.toString()) + "\n"
                        + "raw_storage_endpoint = true\n" + listener);
                server.launch(binary, config, port);
                if (server.awaitHealthy()) {
                    break;
                }
                server.stopProcess();
                boolean portTaken = server.log().contains("address already in use");
                if (!portTaken || attempt == START_ATTEMPTS) {
                    throw new IllegalStateException(kind.product() + " dev server did not become healthy at "
                            + server.address + " (attempt " + attempt + "); log " + logFile + ":\n"
                            + server.logTail(40));
                }
            }
            server.afterStart(binary);
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        System.err.println("herald-it: started " + server + "; log: " + logFile);
        return server;
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

    private void launch(Path binary, Path config, int port) throws IOException {
        address = "http://127.0.0.1:" + port;
        String logLevel = System.getProperty("herald.it.logLevel", "trace");
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "server", "-dev",
                "-dev-root-token-id=" + rootToken,
                "-dev-listen-address=127.0.0.1:" + port,
                "-config=" + config,
                "-log-level=" + logLevel);
        builder.directory(workDir.toFile());
        // HOME is the work directory's: dev mode writes the root token to ~/.vault-token.
        isolateEnvironment(builder.environment());
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        process = builder.start();
        process.getOutputStream().close(); // stdin at EOF, as under a service manager
        RUNNING.add(this);
    }

    private boolean awaitHealthy() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(address + "/v1/sys/health"))
                        .timeout(Duration.ofSeconds(2)).GET().build();
                if (httpClient.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            sleep(Duration.ofMillis(50));
        }
        return false;
    }

    private void afterStart(Path binary) {
        // The binary on the PATH may be a wrapper that execs the real one (pip's bao does, through
        // pyenv and Python: 1 s per call). The server process is the real binary: use it for the CLI.
        cliBinary = process.toHandle().info().command().map(Path::of)
                .filter(Files::isExecutable).orElse(binary);
        initialMounts = mounts();
    }

    public ServerKind kind() {
        return kind;
    }

    /** E.g. {@code ConfigTest-bao-3}: the name of its log file and work directory. */
    public String name() {
        return name;
    }

    /** {@code http://127.0.0.1:PORT} */
    public String address() {
        return address;
    }

    /** The TLS listener's address ({@code https://127.0.0.1:PORT}), if the server was started with one. */
    public String tlsAddress() {
        if (tlsAddress == null) {
            throw new IllegalStateException(name + " has no TLS listener");
        }
        return tlsAddress;
    }

    public String rootToken() {
        return rootToken;
    }

    /** The server's {@code plugin_directory}. */
    public Path pluginDir() {
        return pluginDir;
    }

    public Path logFile() {
        return logFile;
    }

    public long pid() {
        return process.pid();
    }

    public ProcessHandle processHandle() {
        return process.toHandle();
    }

    /** The real server binary (the CLI runs it too). */
    public Path binary() {
        return cliBinary;
    }

    /** The whole server log so far. */
    public String log() {
        try {
            return new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code lines} lines of the server log. */
    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Waits until the server log contains {@code text}; true if it did within {@code timeout}. */
    public boolean awaitLog(String text, Duration timeout) {
        return await(timeout, () -> log().contains(text));
    }

    /** Runs the server's CLI ({@code bao ...} / {@code vault ...}) against this server. */
    public CliResult cli(String... args) {
        List<String> command = new ArrayList<>();
        command.add(cliBinary.toString());
        command.addAll(List.of(args));
        return run(command);
    }

    /**
     * Runs any command with this server's client environment: {@code VAULT_ADDR}/{@code VAULT_TOKEN}
     * (and {@code BAO_ADDR}/{@code BAO_TOKEN} for OpenBao), no other server variable, and the
     * server's binary first on the {@code PATH}.
     */
    public CliResult run(List<String> command) {
        Path outDir = workDir.resolve("runs");
        int n = cliRuns.incrementAndGet();
        Path stdout = outDir.resolve(n + ".out");
        Path stderr = outDir.resolve(n + ".err");
        try {
            Files.createDirectories(outDir);
            ProcessBuilder builder = clientProcess(command);
            builder.redirectOutput(stdout.toFile());
            builder.redirectError(stderr.toFile());
            Process child = builder.start();
            child.getOutputStream().close();
            if (!child.waitFor(CLI_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("command did not finish in " + CLI_TIMEOUT.toSeconds() + " s: "
                        + String.join(" ", command) + "\nstdout: " + Files.readString(stdout)
                        + "\nstderr: " + Files.readString(stderr));
            }
            CliResult result = new CliResult(List.copyOf(command), child.exitValue(),
                    Files.readString(stdout), Files.readString(stderr));
            transcript.add(result);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /**
     * A process builder for {@code command} with the environment {@link #run} uses, for commands the
     * test must not wait for; the caller owns (and must end) the process.
     */
    public ProcessBuilder clientProcess(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.directory(workDir.toFile());
        Map<String, String> env = builder.environment();
        isolateEnvironment(env);
        env.putAll(kind.clientEnvironment(address, rootToken));
        return builder;
    }

    /**
     * One HTTP request with the root token. {@code path} is relative to {@code /v1/} (a leading
     * {@code /v1/} is accepted too); {@code body} is null, a JSON string, a Map/List written as JSON,
     * or the bytes of a JSON text (sent as they are: large bodies are not copied per request).
     */
    public HttpResult http(String method, String path, Object body) {
        return http(method, path, body, rootToken);
    }

    /** An HTTP request with no token at all, as an unauthenticated client sends it. */
    public HttpResult httpWithoutToken(String method, String path) {
        return http(method, path, null, null);
    }

    /**
     * One HTTP request with {@code token} (none if null), e.g. a publisher's login token; otherwise
     * as {@link #http(String, String, Object)}.
     */
    public HttpResult http(String method, String path, Object body, String token) {
        String relative = path.startsWith("/v1/") ? path.substring(4) : path.replaceFirst("^/", "");
        HttpRequest.BodyPublisher publisher = switch (body) {
            case null -> HttpRequest.BodyPublishers.noBody();
            case byte[] bytes -> HttpRequest.BodyPublishers.ofByteArray(bytes);
            case String s -> HttpRequest.BodyPublishers.ofString(s);
            default -> HttpRequest.BodyPublishers.ofString(Json.write(body));
        };
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(address + "/v1/" + relative))
                .timeout(HTTP_TIMEOUT)
                .method(method, publisher);
        if (token != null) {
            request.header("X-Vault-Token", token);
        }
        if (body != null) {
            // PATCH takes a JSON merge patch, as the CLI's `patch` sends it; the servers refuse other types.
            request.header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json");
        }
        try {
            HttpResponse<String> response = httpClient.send(request.build(), HttpResponse.BodyHandlers.ofString());
            HttpResult result = new HttpResult(method, "/v1/" + relative, response.statusCode(), response.body());
            transcript.add(result);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + relative + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + relative, e);
        }
    }

    /** The server's living descendant processes (plugins). */
    public List<ProcessHandle> descendants() {
        return process.descendants().filter(ProcessHandle::isAlive).toList();
    }

    /** The paths of all secrets engine mounts, with their trailing slash. */
    public Set<String> mounts() {
        return new LinkedHashSet<>(http("GET", "sys/mounts", null).assertStatus(200).data().keySet());
    }

    /**
     * Disables every secrets engine mounted since the server started, then waits up to 10 s for the
     * plugin processes to exit; used between tests that share a server. A mount whose leases block
     * the disable gets its leases force-revoked first. A mount that cannot be disabled fails this
     * call once and is then left alone, so one broken test does not fail the ones after it.
     *
     * @return the mounts disabled
     */
    public List<String> disableMountsAddedSinceStart() {
        signingKeys.collect(this);
        List<String> disabled = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String mount : mounts()) {
            if (initialMounts.contains(mount) || abandonedMounts.contains(mount)) {
                continue;
            }
            String path = mount.replaceAll("/$", "");
            HttpResult result = http("DELETE", "sys/mounts/" + path, null);
            if (result.status() != 204) {
                http("PUT", "sys/leases/revoke-force/" + path, null);
                result = http("DELETE", "sys/mounts/" + path, null);
            }
            if (result.status() == 204) {
                disabled.add(mount);
            } else {
                abandonedMounts.add(mount);
                failures.add(result.toString());
            }
        }
        if (!disabled.isEmpty() && !await(Duration.ofSeconds(10), () -> descendants().isEmpty())) {
            System.err.println("herald-it: " + name + ": processes still running 10 s after disabling "
                    + disabled + ": " + describe(descendants()));
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("cannot disable the mounts a test left behind: " + String.join("\n", failures));
        }
        return disabled;
    }

    /**
     * Stops the server by its pid (SIGTERM, then SIGKILL after 5 s), then kills any of its child
     * processes that outlived it (they were listed before the stop, as they are re-parented after it),
     * and deletes the work directory. The log file and the transcript are kept. Then scans both for
     * the signing keys the server's Herald mounts held (read before every mount was disabled, and
     * now): a key found fails the close, and with it the test class.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Listed first: a plugin the server gives up on while the keys are read may orphan its children.
        List<ProcessHandle> children = process == null ? List.of() : process.descendants().toList();
        if (process != null && process.isAlive()) {
            try {
                signingKeys.collect(this);
            } catch (RuntimeException e) {
                System.err.println("herald-it: " + name + ": could not read the signing keys: " + e);
            }
        }
        stopProcess(children);
        try {
            assertNoSigningKeyIn(List.of(logFile, transcript.file()));
        } finally {
            deleteWorkDir();
        }
    }

    /** Fails if a signing key collected from this server appears in any of {@code files}. */
    private void assertNoSigningKeyIn(List<Path> files) {
        List<SigningKeyLeaks.Finding> found = signingKeys.findIn(files);
        System.err.println("herald-it: " + name + ": " + signingKeys.size() + " signing keys scanned for in " + files
                + ": " + (found.isEmpty() ? "none found" : found));
        if (!found.isEmpty()) {
            throw new AssertionError("a signing key leaked: " + found);
        }
    }

    private void deleteWorkDir() {
        if (!Boolean.getBoolean("herald.it.keepWork")) {
            try {
                deleteTree(workDir);
            } catch (IOException e) {
                System.err.println("herald-it: could not delete " + workDir + ": " + e);
            }
        }
    }

    private void stopProcess() {
        stopProcess(List.of());
    }

    /** Stops the server, then any of its children (those listed now and {@code knownChildren}) still alive. */
    private void stopProcess(List<ProcessHandle> knownChildren) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = new ArrayList<>(knownChildren);
        process.descendants().filter(p -> !children.contains(p)).forEach(children::add);
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("herald-it: " + name + " did not stop within " + STOP_GRACE.toSeconds()
                        + " s of SIGTERM; killing it");
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ProcessHandle> survivors = children.stream().filter(ProcessHandle::isAlive).toList();
        survivors.forEach(ProcessHandle::destroyForcibly);
        // ProcessHandle.onExit() polls non-children with growing sleeps; poll faster here.
        if (!await(STOP_GRACE, () -> survivors.stream().noneMatch(ProcessHandle::isAlive))) {
            System.err.println("herald-it: " + name + ": processes still alive after SIGKILL: "
                    + describe(survivors.stream().filter(ProcessHandle::isAlive).toList()));
        }
        RUNNING.remove(this);
    }

    /** Polls {@code condition} every 50 ms; true as soon as it holds, false after {@code timeout}. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            sleep(Duration.ofMillis(50));
        }
    }

    /** pid and command line of each process, for failure messages. */
    static String describe(List<ProcessHandle> processes) {
        return processes.stream()
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .toList().toString();
    }

    @Override
    public String toString() {
        return name + " (" + address + ", pid " + (process == null ? "-" : process.pid()) + ")";
    }

    private void isolateEnvironment(Map<String, String> env) {
        env.keySet().removeIf(ServerKind::isServerVariable);
        env.put("HOME", homeDir.toString());
        if (cliBinary != null && cliBinary.getParent() != null) {
            env.put("PATH", cliBinary.getParent() + java.io.File.pathSeparator + env.getOrDefault("PATH", ""));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A free loopback port P whose neighbour P+1 is free too: dev servers put the cluster port there. */
    private static int freePortPair() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < 50; i++) {
            try (ServerSocket first = new ServerSocket(0, 1, loopback)) {
                int port = first.getLocalPort();
                if (port >= 65535) {
                    continue;
                }
                try (ServerSocket second = new ServerSocket(port + 1, 1, loopback)) {
                    return second.getLocalPort() - 1;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free pair of loopback ports found");
    }

    private static String hclString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
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
