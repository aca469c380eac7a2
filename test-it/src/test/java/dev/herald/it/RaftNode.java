package dev.herald.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One OpenBao or Vault server on persistent storage: started from a config file (not {@code -dev})
 * with integrated storage ({@code storage "raft"}), a plain-HTTP listener and a cluster listener on
 * loopback ports that stay the same across restarts, and its own plugin directory. A
 * {@link RaftCluster} makes, initialises and unseals its nodes; a node only starts, stops and talks.
 *
 * <p>Its stdout and stderr go to {@code test-it/target/it/logs/<name>.log}, appended across restarts
 * (each start begins with a {@code herald-it:} line); the work directory (config, raft data, plugin
 * directory, HOME) is deleted by {@link #close()} unless {@code -Dherald.it.keepWork=true}.
 */
public final class RaftNode implements ServerHttp, AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration ORPHAN_GRACE = Duration.ofSeconds(10);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(90);

    private static final Set<RaftNode> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(RUNNING).forEach(RaftNode::close),
                "herald-it-raft-reaper"));
    }

    /** The answer of {@code sys/health}; {@code null} from {@link #health()} when the node does not answer. */
    public record Health(boolean initialized, boolean sealed, boolean standby) {
        public boolean active() {
            return initialized && !sealed && !standby;
        }
    }

    private final ServerKind kind;
    private final String name;
    private final String nodeId;
    private final Path workDir;
    private final Path dataDir;
    private final Path pluginDir;
    private final Path homeDir;
    private final Path config;
    private final Path logFile;
    private final Transcript transcript;
    private final int apiPort;
    private final int clusterPort;
    private final HttpClient httpClient = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicInteger starts = new AtomicInteger();

    private volatile Path binary;
    private volatile Process process;
    private volatile String rootToken;
    private boolean closed;

    /**
     * A node whose config file is written at once: raft data under the work directory, the API on
     * {@code apiPort}, the cluster port {@code clusterPort}, and a {@code retry_join} block for each
     * of {@code joinAddresses} (none for the node that is initialised).
     */
    RaftNode(ServerKind kind, Path binary, String name, String nodeId, Path workDir, Path logFile, int apiPort,
            int clusterPort, List<String> joinAddresses) {
        this.kind = kind;
        this.binary = binary;
        this.name = name;
        this.nodeId = nodeId;
        this.workDir = workDir;
        this.dataDir = workDir.resolve("data");
        this.pluginDir = workDir.resolve("plugins");
        this.homeDir = workDir.resolve("home");
        this.config = workDir.resolve("server.hcl");
        this.logFile = logFile;
        this.transcript = new Transcript(logFile);
        this.apiPort = apiPort;
        this.clusterPort = clusterPort;
        try {
            DevServer.deleteTree(workDir);
            for (Path dir : List.of(dataDir, pluginDir, homeDir)) {
                Files.createDirectories(dir);
            }
            Files.createDirectories(logFile.getParent());
            Files.deleteIfExists(logFile);
            Files.deleteIfExists(transcript.file());
            Files.writeString(config, config(joinAddresses));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The server configuration: what a production node on integrated storage has, on loopback and
     * without TLS, and with {@code sys/raw} on, for the harness's signing-key scan ({@link SigningKeyLeaks}).
     */
    private String config(List<String> joinAddresses) {
        StringBuilder joins = new StringBuilder();
        for (String leader : joinAddresses) {
            joins.append("  retry_join {\n    leader_api_addr = ").append(hcl(leader)).append("\n  }\n");
        }
        return "storage \"raft\" {\n"
                + "  path    = " + hcl(dataDir.toString()) + "\n"
                + "  node_id = " + hcl(nodeId) + "\n"
                + joins
                + "}\n"
                + "listener \"tcp\" {\n"
                + "  address         = \"127.0.0.1:" + apiPort + "\"\n"
                + "  cluster_address = \"127.0.0.1:" + clusterPort + "\"\n"
                + "  tls_disable     = true\n"
                + "}\n"
                + "api_addr         = " + hcl(address()) + "\n"
                + "cluster_addr     = \"https://127.0.0.1:" + clusterPort + "\"\n"
                + "disable_mlock    = true\n"
                + "plugin_directory = " + hcl(pluginDir.toString()) + "\n"
                + "raw_storage_endpoint = true\n";
    }

    public ServerKind kind() {
        return kind;
    }

    /** E.g. {@code RaftFailoverTest-bao-1-node2}: the name of its log file and work directory. */
    public String name() {
        return name;
    }

    /** The raft node id, e.g. {@code node2}. */
    public String nodeId() {
        return nodeId;
    }

    /** {@code http://127.0.0.1:PORT}, the same across restarts; also its {@code api_addr}. */
    public String address() {
        return "http://127.0.0.1:" + apiPort;
    }

    public Path pluginDir() {
        return pluginDir;
    }

    public Path configFile() {
        return config;
    }

    public Path logFile() {
        return logFile;
    }

    /** Every answer and command output of this node (see {@link Transcript}). */
    public Path transcriptFile() {
        return transcript.file();
    }

    @Override
    public String rootToken() {
        return rootToken;
    }

    void rootToken(String token) {
        this.rootToken = token;
    }

    /** True while the server process this harness started runs. */
    public boolean running() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Starts the server process and waits until its listener answers {@code sys/health} (sealed, at
     * first). Throws, with the log's tail, if it exits or does not answer within a minute.
     */
    public synchronized void start() {
        if (running()) {
            throw new IllegalStateException(name + " is already running");
        }
        String logLevel = System.getProperty("herald.it.logLevel", "debug");
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "server", "-config=" + config,
                "-log-level=" + logLevel);
        builder.directory(workDir.toFile());
        isolateEnvironment(builder.environment());
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            Files.writeString(logFile, "herald-it: start " + starts.incrementAndGet() + " of " + name + " at "
                    + Instant.now() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = builder.start();
            process.getOutputStream().close(); // stdin at EOF, as under a service manager
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RUNNING.add(this);
        if (!DevServer.await(START_TIMEOUT, () -> !process.isAlive() || health() != null) || !process.isAlive()) {
            String tail = logTail(30);
            stop(false);
            throw new IllegalStateException(name + " did not start listening at " + address() + " within "
                    + START_TIMEOUT.toSeconds() + " s; log " + logFile + ":\n" + tail);
        }
        // The binary on the PATH may be a wrapper that execs the real one: use the real one from now on.
        binary = process.toHandle().info().command().map(Path::of).filter(Files::isExecutable).orElse(binary);
    }

    /** True if the last start failed because a port was taken (the cluster then picks others). */
    boolean portTaken() {
        return log().contains("address already in use");
    }

    /** SIGTERM: the server shuts down in order (plugins stopped, raft closed). */
    public void terminate() {
        stop(false);
    }

    /** SIGKILL: the server dies at once, as in a crash or an OOM kill. */
    public void kill() {
        stop(true);
    }

    /**
     * Stops the process by its pid: SIGKILL, or SIGTERM and SIGKILL 30 s later if it still runs. Its
     * children (plugin processes, listed before the signal since they are re-parented after it) get
     * 10 s to exit on their own, then SIGKILL; the log says if they needed it.
     */
    private synchronized void stop(boolean forcibly) {
        Process p = process;
        if (p == null || !RUNNING.contains(this)) {
            return;
        }
        List<ProcessHandle> before = p.descendants().toList();
        note((forcibly ? "SIGKILL" : "SIGTERM") + " to pid " + p.pid());
        try {
            if (forcibly) {
                p.destroyForcibly();
            } else {
                p.destroy();
                if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    note("did not stop within " + STOP_GRACE.toSeconds() + " s of SIGTERM; SIGKILL");
                    p.destroyForcibly();
                }
            }
            p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!DevServer.await(ORPHAN_GRACE, () -> before.stream().noneMatch(ProcessHandle::isAlive))) {
            List<ProcessHandle> orphans = before.stream().filter(ProcessHandle::isAlive).toList();
            note("children still running " + ORPHAN_GRACE.toSeconds() + " s after the server stopped; SIGKILL: "
                    + DevServer.describe(orphans));
            orphans.forEach(ProcessHandle::destroyForcibly);
            DevServer.await(ORPHAN_GRACE, () -> orphans.stream().noneMatch(ProcessHandle::isAlive));
        }
        note("stopped, exit code " + (p.isAlive() ? "-" : p.exitValue()));
        RUNNING.remove(this);
    }

    /** The living descendant processes of the server (plugins). */
    public List<ProcessHandle> descendants() {
        Process p = process;
        return p == null ? List.of() : p.descendants().filter(ProcessHandle::isAlive).toList();
    }

    /** {@code sys/health} (sealed and standby nodes answer it too), or null if the node does not answer. */
    public Health health() {
        try {
            HttpResult result = http("GET", "sys/health", null, null, Duration.ofSeconds(5));
            Map<String, Object> json = result.json();
            return new Health(Boolean.TRUE.equals(json.get("initialized")), Boolean.TRUE.equals(json.get("sealed")),
                    Boolean.TRUE.equals(json.get("standby")));
        } catch (RuntimeException notAnswering) {
            return null;
        }
    }

    @Override
    public HttpResult http(String method, String path, Object body, String token) {
        return http(method, path, body, token, HTTP_TIMEOUT);
    }

    /** As {@link #http(String, String, Object, String)}, waiting at most {@code timeout} for the answer. */
    public HttpResult http(String method, String path, Object body, String token, Duration timeout) {
        String relative = path.startsWith("/v1/") ? path.substring(4) : path.replaceFirst("^/", "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(address() + "/v1/" + relative))
                .timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body)));
        if (token != null) {
            request.header("X-Vault-Token", token);
        }
        try {
            HttpResponse<String> answer = httpClient.send(request.build(), HttpResponse.BodyHandlers.ofString());
            HttpResult result = new HttpResult(method, "/v1/" + relative, answer.statusCode(), answer.body());
            transcript.add(result);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + method + " " + relative + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + relative, e);
        }
    }

    /** Runs the server's CLI against this node with the root token. */
    public CliResult cli(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        return run(command);
    }

    /**
     * Runs {@code command} with this node's client environment ({@code VAULT_ADDR}/{@code VAULT_TOKEN},
     * and the {@code BAO_} ones for OpenBao; no other server variable; the real server binary first on
     * the {@code PATH}); waits at most 90 s.
     */
    public CliResult run(List<String> command) {
        Path out = workDir.resolve("runs").resolve(runs.incrementAndGet() + ".out");
        Path err = out.resolveSibling(out.getFileName().toString().replace(".out", ".err"));
        try {
            Files.createDirectories(out.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            isolateEnvironment(builder.environment());
            builder.environment().putAll(kind.clientEnvironment(address(), rootToken == null ? "" : rootToken));
            Process child = builder.start();
            child.getOutputStream().close();
            boolean finished = child.waitFor(CLI_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!finished) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            CliResult result = new CliResult(List.copyOf(command), finished ? child.exitValue() : -1,
                    Files.readString(out), Files.readString(err));
            transcript.add(result);
            if (!finished) {
                throw new AssertionError("did not finish in " + CLI_TIMEOUT.toSeconds() + " s: " + result);
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /** The whole log so far (all starts). */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code lines} lines of the log. */
    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Appends a {@code herald-it:} line to the log, so that what the harness did shows among what the server did. */
    void note(String text) {
        try {
            Files.writeString(logFile, "herald-it: " + Instant.now() + " " + text + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("herald-it: " + name + ": cannot write " + logFile + ": " + e);
        }
    }

    /** Stops the process (SIGTERM, then SIGKILL) and deletes the work directory; the log is kept. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop(false);
        deleteWork(workDir);
    }

    /** Deletes a work directory, unless {@code -Dherald.it.keepWork=true}. */
    static void deleteWork(Path dir) {
        if (!Boolean.getBoolean("herald.it.keepWork")) {
            try {
                DevServer.deleteTree(dir);
            } catch (IOException e) {
                System.err.println("herald-it: could not delete " + dir + ": " + e);
            }
        }
    }

    @Override
    public String toString() {
        Process p = process;
        return name + " (" + address() + ", pid " + (p == null ? "-" : p.pid() + (p.isAlive() ? "" : " exited")) + ")";
    }

    private void isolateEnvironment(Map<String, String> env) {
        env.keySet().removeIf(ServerKind::isServerVariable);
        env.put("HOME", homeDir.toString());
        if (binary.getParent() != null) {
            env.put("PATH", binary.getParent() + java.io.File.pathSeparator + env.getOrDefault("PATH", ""));
        }
    }

    private static String hcl(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
