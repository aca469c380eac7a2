package dev.herald.bridge;

import dev.herald.sdk.BackendFactory;
import dev.herald.sdk.Log;
import io.grpc.Server;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a Vault/OpenBao plugin process: checks the environment the server set, listens on a unix
 * socket with mutual TLS, prints the handshake line, and serves until the server shuts it down or
 * goes away.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     PluginServer.serve(MyBackend::create, "v1.0.0");
 * }
 * }</pre>
 */
public final class PluginServer implements AutoCloseable {
    private static final Log LOG = Log.named("herald.bridge");

    private final Server server;
    private final UnixTransport transport;
    private final ExecutorService executor;
    private final BackendService backend;
    private final Path socket;
    private final String handshake;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Runnable onStop;

    private PluginServer(Server server, UnixTransport transport, ExecutorService executor, BackendService backend,
                         Path socket, String handshake, Runnable onStop) {
        this.server = server;
        this.transport = transport;
        this.executor = executor;
        this.backend = backend;
        this.socket = socket;
        this.handshake = handshake;
        this.onStop = onStop;
    }

    /**
     * Serves the plugin in this process and never returns: the process exits when the server shuts
     * it down, when the server process goes away, or (status 1, with a message on stderr) when it
     * was not started by a Vault/OpenBao server.
     *
     * @param factory creates the backend of each mount the server sets up
     * @param version the version reported at registration ("" for none; else semver, e.g. "v1.2.0")
     */
    public static void serve(BackendFactory factory, String version) {
        StartTimer timer = new StartTimer();
        // First, so that it overlaps everything else before the handshake: key generation and TLS set-up.
        UnixTransport.Pending transport = UnixTransport.begin(System.getenv(TlsIdentity.INHERITED_FD_ENV));
        // Only the handshake may reach stdout: anything else printed there breaks the connection.
        PrintStream handshakeOut = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII);
        System.setOut(System.err);
        JulToHclog.install();
        ignoreInterrupts();
        timer.mark("logging");
        PluginEnvironment environment;
        try {
            environment = PluginEnvironment.from(System.getenv());
            timer.mark("environment");
        } catch (PluginEnvironment.RefusedException e) {
            LOG.error(e.getMessage());
            System.exit(1);
            return;
        }
        try {
            PluginServer running = start(environment, transport, timer, factory, version, () -> System.exit(0));
            handshakeOut.println(running.handshake());
            handshakeOut.flush();
            if (Log.enabled(Log.Level.DEBUG)) {
                long sinceProcessStart = ProcessHandle.current().info().startInstant()
                        .map(t -> java.time.Duration.between(t, java.time.Instant.now()).toMillis()).orElse(-1L);
                LOG.debug("handshake written", "ms_since_process_start", sinceProcessStart);
            }
            // Off the start-up path: sockets of earlier processes of ours that were killed.
            Thread.ofVirtual().start(() -> StaleSockets.remove(running.socket.getParent()));
            Watchdog.start(running::mountCount, reason -> {
                LOG.info(reason + "; exiting");
                running.close();
            });
            running.server.awaitTermination();
        } catch (IOException | GeneralSecurityException e) {
            LOG.error("cannot start the plugin server", "error", e);
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts serving without printing anything or exiting: for tests and for the start-up training
     * run. {@code onStop} runs after {@link #close()} (the controller's Shutdown calls it too).
     */
    static PluginServer start(Map<String, String> env, BackendFactory factory, String version, Runnable onStop)
            throws IOException, GeneralSecurityException {
        try {
            return start(PluginEnvironment.from(env), UnixTransport.begin(env.get(TlsIdentity.INHERITED_FD_ENV)),
                    new StartTimer(), factory, version, onStop);
        } catch (PluginEnvironment.RefusedException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static PluginServer start(PluginEnvironment environment, UnixTransport.Pending pending, StartTimer timer,
                                      BackendFactory factory, String version, Runnable onStop)
            throws IOException, GeneralSecurityException {
        UnixTransport transport = pending.finish(environment.hostCertificate());
        TlsIdentity identity = transport.identity();
        timer.mark("tls_and_event_loops");
        Path socket = socketPath(environment.socketDirectory());
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        PluginServer[] self = new PluginServer[1];
        Broker broker = new Broker(() -> LOG.debug("the server closed the broker stream"));
        BackendService backend = new BackendService(factory, broker, transport::dial);
        Server server = transport.serve(socket.toString(), List.of(
                broker.bindService(),
                new HousekeepingServices.Controller(() -> Thread.ofPlatform().start(() -> self[0].close())).bindService(),
                new HousekeepingServices.Stdio().bindService(),
                new HousekeepingServices.Health().bindService(),
                new HousekeepingServices.Multiplexing().bindService(),
                new HousekeepingServices.Version(version).bindService(),
                backend.bindService()), BackendService.multiplexIdInterceptor(), executor, UnixTransport.MAX_REQUEST_BYTES);
        timer.mark("grpc_server");
        restrictToOwner(socket);
        String line = Handshake.line(socket.toString(), identity.certificate().getEncoded(), environment.muxRequested());
        self[0] = new PluginServer(server, transport, executor, backend, socket, line, onStop);
        timer.log();
        return self[0];
    }

    /** Milliseconds per start-up phase, logged at debug level: where the time to the handshake goes. */
    private static final class StartTimer {
        private final java.util.List<Object> phases = new java.util.ArrayList<>();
        private long last = System.nanoTime();

        void mark(String phase) {
            long now = System.nanoTime();
            phases.add(phase + "_ms");
            phases.add((now - last) / 1_000_000);
            last = now;
        }

        void log() {
            LOG.debug("start-up phases", phases.toArray());
        }
    }

    private static Path socketPath(String directory) {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        // Unix socket paths are limited to about 107 bytes: keep the name short.
        return Path.of(directory, StaleSockets.name(ProcessHandle.current().pid(), HexFormat.of().formatHex(random)))
                .toAbsolutePath();
    }

    private static void restrictToOwner(Path socket) {
        try {
            Files.setPosixFilePermissions(socket, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("cannot restrict the socket's permissions", "error", e.toString());
        }
    }

    /** go-plugin processes ignore SIGINT: a Ctrl-C meant for the server must not kill its plugins. */
    private static void ignoreInterrupts() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException e) {
            LOG.debug("cannot ignore SIGINT", "error", e.toString());
        }
    }

    /** The line to print on stdout. */
    String handshake() {
        return handshake;
    }

    /** How many mounts this process serves now. */
    int mountCount() {
        return backend.mountCount();
    }

    /** Stops serving, removes the socket, then runs the {@code onStop} given at start. */
    @Override
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        server.shutdownNow();
        try {
            // Cancelled calls end at once (the controller's Shutdown runs this off its own call's
            // thread); the bound is for a starved machine. The server kills the process 2 s after
            // Shutdown anyway: this wait and the transport's (at most 1 s) stay within that.
            server.awaitTermination(500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        transport.close();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.debug("cannot remove the socket", "error", e.toString());
        }
        Optional.ofNullable(onStop).ifPresent(Runnable::run);
    }
}
