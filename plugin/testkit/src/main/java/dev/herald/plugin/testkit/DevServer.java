package dev.herald.plugin.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * A real OpenBao or Vault server in dev mode (in-memory storage, unsealed, a known root token) on
 * a free loopback port, with a plugin directory of its own and the plugins under test registered
 * and mounted.
 *
 * <p>Started as {@code <bin> server -dev -dev-root-token-id=T -dev-listen-address=127.0.0.1:P
 * -config=<work>/server.hcl -log-level=trace}; the configuration sets {@code plugin_directory}
 * (and what {@link Builder#config(String)} adds), so nothing is registered behind the test's back
 * as {@code -dev-plugin-dir} would. The server's stdout and stderr go to
 * {@code <output>/logs/<name>.log}, which is kept; its work directory {@code <output>/work/<name>}
 * (plugin copies, configuration, HOME, command outputs) is deleted by {@link #close()}, which also
 * ends the server and every process it started. Servers not closed are closed by a JVM shutdown
 * hook.
 *
 * <p>The server and the commands run with {@code HOME} in the work directory and without any
 * {@code VAULT_*} or {@code BAO_*} variable of the test's environment.
 */
public final class DevServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    private static final int START_ATTEMPTS = 3;

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<DevServer> RUNNING = ConcurrentHashMap.newKeySet();
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        // The last resort: a test run that is interrupted still ends its servers and their plugins.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(RUNNING).forEach(DevServer::close),
                "testkit-server-reaper"));
    }

    private final ServerType type;
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
    private final AtomicInteger commandRuns = new AtomicInteger();
    private final Set<String> abandonedMounts = ConcurrentHashMap.newKeySet();

    private Process process;
    private Client client;
    private String address;
    private String tlsAddress;
    private Path realBinary;
    private Set<String> initialMounts = Set.of();
    private boolean pluginsMounted;
    private boolean closed;

    private DevServer(ServerType type, String name, Path outputDirectory) {
        this.type = type;
        this.name = name;
        this.workDir = outputDirectory.resolve("work").resolve(name);
        this.pluginDir = workDir.resolve("plugins");
        this.homeDir = workDir.resolve("home");
        this.logFile = outputDirectory.resolve("logs").resolve(name + ".log");
        this.rootToken = "testkit-" + randomHex(12);
    }

    /**
     * A builder for a server of {@code type} run from {@code binary}.
     *
     * @param type   the server
     * @param binary its executable ({@link ServerType#locate()} finds one)
     * @return the builder
     */
    public static Builder builder(ServerType type, Path binary) {
        return new Builder(type, binary);
    }

    private void start(Builder b) throws IOException {
        TestFiles.deleteTree(workDir);
        Files.createDirectories(pluginDir);
        Files.createDirectories(homeDir);
        Files.createDirectories(logFile.getParent());
        Files.deleteIfExists(logFile);
        Path config = workDir.resolve("server.hcl");
        for (int attempt = 1; ; attempt++) {
            int port = freePortPair();
            String listener = "";
            if (b.tlsCert != null) {
                int tlsPort = freePort();
                tlsAddress = "https://127.0.0.1:" + tlsPort;
                listener = "listener \"tcp\" {\n  address = \"127.0.0.1:" + tlsPort + "\"\n"
                        + "  tls_cert_file = " + hclString(b.tlsCert.toString()) + "\n"
                        + "  tls_key_file = " + hclString(b.tlsKey.toString()) + "\n}\n";
            }
            Files.writeString(config, "plugin_directory = " + hclString(pluginDir.toString()) + "\n"
                    + b.config + listener);
            launch(b.binary, config, port, b.logLevel);
            if (awaitHealthy()) {
                break;
            }
            stopProcess(List.of());
            // Another process may take a free port between the check and the server's bind: retry.
            boolean portTaken = log().contains("address already in use");
            if (!portTaken || attempt == START_ATTEMPTS) {
                throw new IllegalStateException(type.product() + " dev server did not become healthy at " + address
                        + " (attempt " + attempt + "); log " + logFile + ":\n" + logTail(40));
            }
        }
        // The binary on the PATH may be a wrapper that execs the real one (pip's bao does, through
        // Python: a second per call). The server process is the real binary: the CLI runs that.
        realBinary = process.toHandle().info().command().map(Path::of).filter(Files::isExecutable).orElse(b.binary);
        for (PluginUnderTest plugin : b.plugins) {
            register(plugin);
        }
        pluginsMounted = !b.plugins.isEmpty();
        initialMounts = mounts();
    }

    private void launch(Path binary, Path config, int port, String logLevel) throws IOException {
        address = "http://127.0.0.1:" + port;
        client = new Client(httpClient, address, rootToken);
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "server", "-dev",
                "-dev-root-token-id=" + rootToken,
                "-dev-listen-address=127.0.0.1:" + port,
                "-config=" + config,
                "-log-level=" + logLevel);
        builder.directory(workDir.toFile());
        isolateEnvironment(builder.environment());
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        RUNNING.add(this);
        process = builder.start();
        process.getOutputStream().close(); // stdin at EOF, as under a service manager
    }

    private boolean awaitHealthy() {
        Client probe = client.withoutToken();
        return await(START_TIMEOUT, () -> {
            if (!process.isAlive()) {
                return true;
            }
            try {
                return probe.get("sys/health").status() == 200;
            } catch (UncheckedIOException notYetListening) {
                return false;
            }
        }) && process.isAlive();
    }

    /**
     * Installs {@code plugin}'s files in the plugin directory, registers it in the catalog and
     * mounts it.
     *
     * @param plugin the plugin
     * @return its mount path
     * @throws IllegalStateException if the server refuses the registration or the mount (with its
     *                               answer and the end of the server log)
     */
    public String register(PluginUnderTest plugin) {
        String sha = plugin.install(pluginDir);
        String kind = plugin.type().catalogName();
        Response registered = client.put("sys/plugins/catalog/" + kind + "/" + plugin.name(), plugin.catalogEntry(sha));
        if (registered.status() / 100 != 2) {
            throw new IllegalStateException(name + " refused to register " + plugin + ": " + registered
                    + "\nlast lines of " + logFile + ":\n" + logTail(30));
        }
        Response mounted = client.post(plugin.type().mountPrefix() + plugin.mount(), plugin.mountRequest());
        if (mounted.status() / 100 != 2) {
            throw new IllegalStateException(name + " could not mount " + plugin + ": " + mounted
                    + "\nlast lines of " + logFile + ":\n" + logTail(30));
        }
        return plugin.mount();
    }

    /**
     * Which server this is.
     *
     * @return its type
     */
    public ServerType type() {
        return type;
    }

    /**
     * The name of its log file and work directory.
     *
     * @return e.g. {@code MyPluginTest-bao-3}
     */
    public String name() {
        return name;
    }

    /**
     * The address of its plain HTTP listener.
     *
     * @return {@code http://127.0.0.1:PORT}
     */
    public String address() {
        return address;
    }

    /**
     * The address of its TLS listener.
     *
     * @return {@code https://127.0.0.1:PORT}
     * @throws IllegalStateException if it was started without one ({@link Builder#tlsListener})
     */
    public String tlsAddress() {
        if (tlsAddress == null) {
            throw new IllegalStateException(name + " has no TLS listener");
        }
        return tlsAddress;
    }

    /**
     * The root token (random per server).
     *
     * @return the token
     */
    public String rootToken() {
        return rootToken;
    }

    /**
     * A client with the root token.
     *
     * @return the client
     */
    public Client client() {
        return client;
    }

    /**
     * The server's {@code plugin_directory}.
     *
     * @return the directory
     */
    public Path pluginDirectory() {
        return pluginDir;
    }

    /**
     * The work directory, deleted on close.
     *
     * @return the directory
     */
    public Path workDirectory() {
        return workDir;
    }

    /**
     * The server log (its stdout and stderr), kept after close.
     *
     * @return the file
     */
    public Path logFile() {
        return logFile;
    }

    /**
     * The server process.
     *
     * @return its handle
     */
    public ProcessHandle processHandle() {
        return process.toHandle();
    }

    /**
     * The real server binary, which {@link #cli(String...)} runs too.
     *
     * @return the binary
     */
    public Path binary() {
        return realBinary;
    }

    /**
     * The server's living descendant processes: its plugins and their children.
     *
     * @return the processes
     */
    public List<ProcessHandle> descendants() {
        return process.descendants().filter(ProcessHandle::isAlive).toList();
    }

    /**
     * The whole server log so far.
     *
     * @return its text
     */
    public String log() {
        try {
            return new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The end of the server log.
     *
     * @param lines how many lines
     * @return the last {@code lines} lines
     */
    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * Waits for a line in the server log.
     *
     * @param text    what to wait for
     * @param timeout how long at most
     * @return true if the log contained {@code text} within {@code timeout}
     */
    public boolean awaitLog(String text, Duration timeout) {
        return await(timeout, () -> log().contains(text));
    }

    /**
     * Runs the server's CLI ({@code bao ...} or {@code vault ...}) against this server with the root
     * token.
     *
     * @param args the CLI's arguments
     * @return how it ended
     */
    public CommandResult cli(String... args) {
        List<String> command = new ArrayList<>();
        command.add(realBinary.toString());
        command.addAll(List.of(args));
        return run(command);
    }

    /**
     * Runs any command with this server's client environment (see {@link #clientProcess(List)}) and
     * waits up to 90 s for it.
     *
     * @param command the command line
     * @return how it ended
     * @throws AssertionError if it does not end in time (it is killed)
     */
    public CommandResult run(List<String> command) {
        Path outDir = workDir.resolve("runs");
        int n = commandRuns.incrementAndGet();
        Path stdout = outDir.resolve(n + ".out");
        Path stderr = outDir.resolve(n + ".err");
        try {
            Files.createDirectories(outDir);
            ProcessBuilder builder = clientProcess(command);
            builder.redirectOutput(stdout.toFile());
            builder.redirectError(stderr.toFile());
            Process child = builder.start();
            child.getOutputStream().close();
            if (!child.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("command did not finish in " + COMMAND_TIMEOUT.toSeconds() + " s: "
                        + String.join(" ", command) + "\nstdout: " + Files.readString(stdout)
                        + "\nstderr: " + Files.readString(stderr));
            }
            return new CommandResult(command, child.exitValue(), Files.readString(stdout), Files.readString(stderr));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /**
     * A process builder for {@code command} with this server's client environment, for commands
     * the test does not wait for; the caller owns (and must end) the process. The environment has
     * {@code VAULT_ADDR}/{@code VAULT_TOKEN} (and {@code BAO_ADDR}/{@code BAO_TOKEN} for OpenBao)
     * with the root token, no other server variable, and the server binary's directory first on
     * the {@code PATH}.
     *
     * @param command the command line
     * @return the builder
     */
    public ProcessBuilder clientProcess(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.directory(workDir.toFile());
        Map<String, String> env = builder.environment();
        isolateEnvironment(env);
        env.putAll(type.clientEnvironment(address, rootToken));
        return builder;
    }

    /**
     * The secrets engines mounted now.
     *
     * @return their paths, with the trailing slash
     */
    public Set<String> mounts() {
        return new LinkedHashSet<>(client.get("sys/mounts").assertStatus(200).data().keySet());
    }

    /**
     * Disables every secrets engine mounted since the server started (those of the plugins given to
     * the builder stay), then waits up to 10 s for the plugin processes of the disabled ones to exit;
     * used between tests that share a server. A mount whose leases block the disable gets its leases
     * force-revoked first. A mount that cannot be disabled fails this call once and is then left
     * alone, so that one broken test does not fail the ones after it. (The wait is skipped when
     * plugins of the builder run: their processes stay.)
     *
     * @return the mounts disabled
     * @throws AssertionError if a mount could not be disabled
     */
    public List<String> disableMountsAddedSinceStart() {
        List<String> disabled = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String mount : mounts()) {
            if (initialMounts.contains(mount) || abandonedMounts.contains(mount)) {
                continue;
            }
            String path = mount.replaceAll("/$", "");
            Response result = client.delete("sys/mounts/" + path);
            if (result.status() != 204) {
                client.put("sys/leases/revoke-force/" + path, null);
                result = client.delete("sys/mounts/" + path);
            }
            if (result.status() == 204) {
                disabled.add(mount);
            } else {
                abandonedMounts.add(mount);
                failures.add(result.toString());
            }
        }
        // With no plugin of its own mounted, the server runs no process once the test's mounts are gone.
        if (!disabled.isEmpty() && !pluginsMounted && !await(Duration.ofSeconds(10), () -> descendants().isEmpty())) {
            System.err.println("testkit: " + name + ": processes still running 10 s after disabling " + disabled
                    + ": " + describe(descendants()));
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("cannot disable the mounts a test left behind: " + String.join("\n", failures));
        }
        return disabled;
    }

    /**
     * Stops the server (SIGTERM, then SIGKILL after 5 s), kills any process it started that outlived
     * it (listed before the stop, as they are re-parented after it), and deletes the work
     * directory; the log is kept. Safe to call more than once.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stopProcess(process == null ? List.of() : process.descendants().toList());
        } finally {
            try {
                TestFiles.deleteTree(workDir);
            } catch (IOException e) {
                System.err.println("testkit: could not delete " + workDir + ": " + e);
            }
            RUNNING.remove(this);
        }
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
                System.err.println("testkit: " + name + " did not stop within " + STOP_GRACE.toSeconds()
                        + " s of SIGTERM; killing it");
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ProcessHandle> survivors = children.stream().filter(ProcessHandle::isAlive).toList();
        survivors.forEach(ProcessHandle::destroyForcibly);
        // ProcessHandle.onExit() polls processes that are not children with growing sleeps; poll faster.
        if (!await(STOP_GRACE, () -> survivors.stream().noneMatch(ProcessHandle::isAlive))) {
            System.err.println("testkit: " + name + ": processes still alive after SIGKILL: "
                    + describe(survivors.stream().filter(ProcessHandle::isAlive).toList()));
        }
    }

    /**
     * Polls {@code condition} every 50 ms, for bounded waits in tests.
     *
     * @param timeout   how long at most
     * @param condition what to wait for
     * @return true as soon as it holds, false if it did not within {@code timeout}
     */
    public static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /**
     * Pid and command line of each process, for failure messages.
     *
     * @param processes the processes
     * @return one entry per process
     */
    public static String describe(List<ProcessHandle> processes) {
        return processes.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList().toString();
    }

    @Override
    public String toString() {
        return name + " (" + address + ", pid " + (process == null ? "-" : process.pid()) + ")";
    }

    private void isolateEnvironment(Map<String, String> env) {
        env.keySet().removeIf(ServerType::isServerVariable);
        // dev mode writes the root token to ~/.vault-token: not the user's
        env.put("HOME", homeDir.toString());
        if (realBinary != null && realBinary.getParent() != null) {
            env.put("PATH", realBinary.getParent() + File.pathSeparator + env.getOrDefault("PATH", ""));
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

    /** Builds and starts a {@link DevServer}. */
    public static final class Builder {
        private final ServerType type;
        private final Path binary;
        private String label = "server";
        private Path outputDirectory = Path.of("target", "testkit");
        private String config = "";
        private String logLevel = "trace";
        private Path tlsCert;
        private Path tlsKey;
        private final List<PluginUnderTest> plugins = new ArrayList<>();

        private Builder(ServerType type, Path binary) {
            this.type = type;
            this.binary = binary;
        }

        /**
         * Names the log file and work directory: {@code <label>-<cli>-<n>} (default label: server).
         *
         * @param label e.g. the test class's simple name
         * @return this builder
         */
        public Builder label(String label) {
            if (!label.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("a label is letters, digits, '.', '_' and '-', not " + label);
            }
            this.label = label;
            return this;
        }

        /**
         * Where the server's {@code logs/} and {@code work/} go (default {@code target/testkit}).
         *
         * @param directory the directory
         * @return this builder
         */
        public Builder outputDirectory(Path directory) {
            this.outputDirectory = directory;
            return this;
        }

        /**
         * Server configuration (HCL) added after {@code plugin_directory}, e.g.
         * {@code raw_storage_endpoint = true}.
         *
         * @param hcl the lines
         * @return this builder
         */
        public Builder config(String hcl) {
            this.config += hcl.endsWith("\n") ? hcl : hcl + "\n";
            return this;
        }

        /**
         * The server's {@code -log-level} (default {@code trace}: the servers then log every call to
         * an external plugin and the plugin's stderr).
         *
         * @param level trace, debug, info, warn or error
         * @return this builder
         */
        public Builder logLevel(String level) {
            this.logLevel = level;
            return this;
        }

        /**
         * A second listener, on TLS with this certificate and key, beside the plain HTTP one; its
         * address is {@link DevServer#tlsAddress()}. The server asks for (but does not require)
         * client certificates, as the cert auth method needs.
         *
         * @param certificateFile PEM certificate (chain)
         * @param keyFile         PEM private key
         * @return this builder
         */
        public Builder tlsListener(Path certificateFile, Path keyFile) {
            this.tlsCert = certificateFile.toAbsolutePath();
            this.tlsKey = keyFile.toAbsolutePath();
            return this;
        }

        /**
         * A plugin to register and mount once the server answers.
         *
         * @param plugin the plugin
         * @return this builder
         */
        public Builder plugin(PluginUnderTest plugin) {
            this.plugins.add(plugin);
            return this;
        }

        /**
         * Starts the server, waits until {@code sys/health} answers 200 (up to 60 s), then registers
         * and mounts the plugins.
         *
         * @return the running server
         * @throws IllegalStateException if it does not start, or a plugin cannot be mounted (the
         *                               server is closed then)
         */
        public DevServer start() {
            DevServer server = new DevServer(type, label + "-" + type.cli() + "-" + SEQUENCE.incrementAndGet(),
                    outputDirectory.toAbsolutePath().normalize());
            try {
                server.start(this);
            } catch (IOException e) {
                server.close();
                throw new UncheckedIOException(e);
            } catch (RuntimeException | Error e) {
                server.close();
                throw e;
            }
            System.err.println("testkit: started " + server + "; log: " + server.logFile);
            return server;
        }
    }
}
