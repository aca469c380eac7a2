package dev.herald.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A cluster of {@link RaftNode}s on integrated storage, as an operator runs one: node 1 is
 * initialised ({@code operator init -key-shares=1 -key-threshold=1}), the others join it through
 * their {@code retry_join} blocks when they are unsealed, and the cluster is ready once autopilot
 * counts every node as a healthy voter. A cluster of one node is a single server on persistent
 * storage.
 *
 * <p>{@link #enableHerald} puts the packaged plugin into every node's plugin directory, then
 * registers and mounts it once through the leader with {@code scripts/register-plugin.sh} (the
 * catalog and the mount table are replicated). Then a test can kill (SIGKILL, {@link RaftNode#kill})
 * or stop (SIGTERM, {@link RaftNode#terminate}) a node by its pid and {@link #restart} it on the same
 * ports and data, {@link #unseal} it, make the leader {@link #stepDown}, or {@link #seal} a node.
 * Every wait is bounded; {@link #close()} stops every node, and a JVM shutdown hook stops whatever a
 * failed test left running.
 */
public final class RaftCluster implements AutoCloseable {

    /** How long a leader election, a join or autopilot's promotion of a node may take. */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(90);
    private static final int START_ATTEMPTS = 3;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final ServerKind kind;
    private final String name;
    private final Path workDir;
    private final List<RaftNode> nodes;
    private String rootToken;
    private String unsealKey;

    private RaftCluster(ServerKind kind, String name, List<RaftNode> nodes) {
        this.kind = kind;
        this.name = name;
        this.workDir = Project.outputDir().resolve("work").resolve(name);
        this.nodes = nodes;
    }

    /**
     * Starts {@code size} nodes, initialises and unseals them, and waits until autopilot reports all
     * of them as voters. Each node's log is {@code test-it/target/it/logs/<label>-<cli>-<n>-nodeK.log}.
     */
    public static RaftCluster start(ServerKind kind, String label, int size) {
        Path binary = kind.binary().orElseThrow(() -> new IllegalStateException(kind.missingReason()));
        String name = label + "-" + kind.cli() + "-" + SEQUENCE.incrementAndGet();
        Path out = Project.outputDir();
        DevServer.cleanOutputOnce(out);
        for (int attempt = 1; ; attempt++) {
            RaftCluster cluster = new RaftCluster(kind, name, nodes(kind, binary, name, out, size));
            try {
                cluster.startNodes();
            } catch (RuntimeException | Error e) {
                cluster.close();
                boolean portTaken = cluster.nodes.stream().anyMatch(RaftNode::portTaken);
                if (portTaken && attempt < START_ATTEMPTS) {
                    continue;
                }
                throw e;
            }
            try {
                cluster.initialise();
            } catch (RuntimeException | Error e) {
                cluster.close();
                attachLogs(e, cluster);
                throw e;
            }
            System.err.println("herald-it: started " + cluster);
            return cluster;
        }
    }

    private static List<RaftNode> nodes(ServerKind kind, Path binary, String name, Path out, int size) {
        List<Integer> ports = freePorts(2 * size);
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            addresses.add("http://127.0.0.1:" + ports.get(2 * i));
        }
        List<RaftNode> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String nodeId = "node" + (i + 1);
            String own = addresses.get(i);
            // Node 1 is initialised; the others join whichever of the other nodes leads when they ask.
            List<String> join = i == 0 ? List.of() : addresses.stream().filter(a -> !a.equals(own)).toList();
            nodes.add(new RaftNode(kind, binary, name + "-" + nodeId, nodeId,
                    out.resolve("work").resolve(name).resolve(nodeId),
                    out.resolve("logs").resolve(name + "-" + nodeId + ".log"),
                    ports.get(2 * i), ports.get(2 * i + 1), join));
        }
        return List.copyOf(nodes);
    }

    private void startNodes() {
        for (RaftNode node : nodes) {
            node.start();
        }
    }

    /** {@code operator init} on node 1, unseal it, unseal the others (which then join), wait for the voters. */
    private void initialise() {
        RaftNode first = nodes.getFirst();
        Map<String, Object> init = first.cli("operator", "init", "-key-shares=1", "-key-threshold=1", "-format=json")
                .assertSuccess().json();
        rootToken = (String) init.get("root_token");
        unsealKey = (String) ((List<?>) init.get("unseal_keys_b64")).getFirst();
        nodes.forEach(node -> node.rootToken(rootToken));
        unseal(first);
        awaitLeader();
        for (RaftNode node : nodes.subList(1, nodes.size())) {
            unseal(node);
        }
        awaitVoters();
    }

    public ServerKind kind() {
        return kind;
    }

    public List<RaftNode> nodes() {
        return nodes;
    }

    /** Node {@code k} (1-based, as in its node id {@code nodeK}). */
    public RaftNode node(int k) {
        return nodes.get(k - 1);
    }

    public String rootToken() {
        return rootToken;
    }

    /**
     * Unseals {@code node} with the key share and waits until it is unsealed. A node that has not
     * joined yet answers "not initialized" until its {@code retry_join} (every 2 s) has reached the
     * leader; it is asked again until then. A joining node takes the key for the join and unseals
     * itself after it.
     */
    public void unseal(RaftNode node) {
        node.note("unseal");
        boolean[] keyTaken = {false};
        await("unseal of " + node, () -> {
            RaftNode.Health health = node.health();
            if (health != null && health.initialized() && !health.sealed()) {
                return true;
            }
            if (health == null || keyTaken[0]) {
                return false;
            }
            HttpResult answer = node.http("PUT", "sys/unseal", Map.of("key", unsealKey), null);
            if (answer.status() != 200 && !answer.errors().contains("not initialized")) {
                throw new AssertionError("unseal of " + node + " refused: " + answer);
            }
            keyTaken[0] = answer.status() == 200;
            return false;
        });
    }

    /** The active node: the one {@code sys/leader} names, once it says it is active. Waits up to 90 s. */
    public RaftNode awaitLeader() {
        return awaitLeaderOtherThan(null);
    }

    /** The active node, once it is not {@code previous} (an election after a kill, step-down or seal). */
    public RaftNode awaitLeaderOtherThan(RaftNode previous) {
        RaftNode[] found = new RaftNode[1];
        await("a leader" + (previous == null ? "" : " other than " + previous.nodeId()), () -> {
            found[0] = currentLeader();
            return found[0] != null && found[0] != previous;
        });
        return found[0];
    }

    /** The node that {@code sys/leader} of a running node names and whose {@code sys/health} says active, or null. */
    public RaftNode currentLeader() {
        for (RaftNode node : nodes) {
            if (!node.running()) {
                continue;
            }
            HttpResult leader;
            try {
                leader = node.http("GET", "sys/leader", null, null, Duration.ofSeconds(5));
            } catch (UncheckedIOException notAnswering) {
                continue;
            }
            if (leader.status() != 200) {
                continue;
            }
            Object address = leader.json().get("leader_address");
            for (RaftNode candidate : nodes) {
                if (candidate.address().equals(address) && candidate.running()) {
                    RaftNode.Health health = candidate.health();
                    if (health != null && health.active()) {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }

    /**
     * Waits until the leader's autopilot ({@code sys/storage/raft/autopilot/state}) reports the
     * cluster healthy with every node a voter (a joining node is promoted after autopilot's
     * stabilisation time, 10 s by default).
     */
    public void awaitVoters() {
        List<String> all = nodes.stream().map(RaftNode::nodeId).sorted().toList();
        String[] last = {""};
        await("every node a healthy voter " + all, () -> {
            RaftNode leader = currentLeader();
            if (leader == null) {
                return false;
            }
            HttpResult state;
            try {
                state = leader.http("GET", "sys/storage/raft/autopilot/state", null);
            } catch (UncheckedIOException notAnswering) {
                return false;
            }
            if (state.status() != 200) {
                last[0] = state.toString();
                return false;
            }
            Map<String, Object> data = state.data();
            last[0] = Json.write(data.get("voters")) + " healthy=" + data.get("healthy");
            List<String> voters = ((List<?>) data.get("voters")).stream().map(String::valueOf).sorted().toList();
            return Boolean.TRUE.equals(data.get("healthy")) && voters.equals(all);
        }, () -> "; autopilot said " + last[0]);
    }

    /**
     * Copies the packaged plugin into every follower's plugin directory (as register-plugin.sh
     * copies it), then runs register-plugin.sh through the leader: it copies the package into the
     * leader's directory, registers it in the (replicated) catalog and mounts it at {@code mount}.
     * Returns once every node serves the mount.
     */
    public String enableHerald(String mount) {
        Path packaged = Herald.packagedPlugin();
        RaftNode leader = awaitLeader();
        for (RaftNode node : nodes) {
            if (node != leader) {
                String installed = Herald.installedName(Herald.PLUGIN);
                node.run(List.of("cp", "-R", "-P", "--preserve=mode,timestamps", packaged.resolve("herald.d").toString(),
                        node.pluginDir().resolve(installed + ".d").toString())).assertSuccess();
                node.run(List.of("cp", "--preserve=mode,timestamps", packaged.resolve("herald").toString(),
                        node.pluginDir().resolve(installed).toString())).assertSuccess();
            }
        }
        Path script = Project.registerScript();
        List<String> command = new ArrayList<>(Files.isExecutable(script) ? List.of() : List.of("bash"));
        command.addAll(List.of(script.toString(), "--plugin-dir", leader.pluginDir().toString(),
                "--package", packaged.toString(), "--mount", mount, "--cli", kind.cli()));
        leader.run(command).assertSuccess();
        // A standby mounts it when it learns of the new mount; until then (OpenBao) it answers 404.
        for (RaftNode node : nodes) {
            await(node.nodeId() + " serving " + mount + "/", () -> node.http("GET", mount + "/config", null).status() == 200);
        }
        return mount;
    }

    /** {@code operator step-down} on the leader; returns the node that leads afterwards (another one). */
    public RaftNode stepDown() {
        RaftNode leader = awaitLeader();
        leader.note("operator step-down");
        leader.cli("operator", "step-down").assertSuccess();
        return awaitLeaderOtherThan(leader);
    }

    /** {@code operator seal} on {@code node}, and waits until it says it is sealed. */
    public void seal(RaftNode node) {
        node.note("operator seal");
        node.cli("operator", "seal").assertSuccess();
        await("seal of " + node, () -> {
            RaftNode.Health health = node.health();
            return health != null && health.sealed();
        });
    }

    /** Starts a stopped node again on the same ports and data, and unseals it. */
    public void restart(RaftNode node) {
        node.start();
        unseal(node);
    }

    /** The last {@code lines} lines of each node's log, for failure reports. */
    public String logTails(int lines) {
        StringBuilder text = new StringBuilder();
        for (RaftNode node : nodes) {
            text.append("\n--- ").append(node).append(", last lines of ").append(node.logFile()).append(":\n")
                    .append(node.logTail(lines));
        }
        return text.toString();
    }

    /**
     * Stops every node (SIGTERM, then SIGKILL) and deletes the work directories; logs and transcripts
     * are kept, and scanned for the signing keys of the cluster's Herald mounts (read through the
     * leader, if there is one, before the stop): a key found fails the close.
     */
    @Override
    public void close() {
        SigningKeyLeaks signingKeys = new SigningKeyLeaks();
        RaftNode leader = null;
        try {
            leader = currentLeader();
            if (leader != null) {
                signingKeys.collect(leader);
            }
        } catch (RuntimeException e) {
            System.err.println("herald-it: " + this + ": could not read the signing keys: " + e);
        }
        nodes.forEach(RaftNode::close);
        RaftNode.deleteWork(workDir);
        List<Path> files = new ArrayList<>();
        for (RaftNode node : nodes) {
            files.add(node.logFile());
            files.add(node.transcriptFile());
        }
        List<SigningKeyLeaks.Finding> found = signingKeys.findIn(files);
        System.err.println("herald-it: " + this + ": " + signingKeys.size() + " signing keys scanned for in "
                + files.size() + " files: " + (found.isEmpty() ? "none found" : found));
        if (!found.isEmpty()) {
            throw new AssertionError("a signing key leaked: " + found);
        }
    }

    @Override
    public String toString() {
        return name + " " + nodes;
    }

    /** What a test does with a cluster. */
    interface Use {
        void accept(RaftCluster cluster) throws Exception;
    }

    /**
     * Starts a cluster of {@code size} nodes, runs {@code use} with it and closes it; a failure gets
     * the tail of every node's log attached.
     */
    static void run(ServerKind kind, String label, int size, Use use) throws Exception {
        try (RaftCluster cluster = start(kind, label, size)) {
            try {
                use.accept(cluster);
            } catch (Exception | Error failure) {
                attachLogs(failure, cluster);
                throw failure;
            }
        }
    }

    /** Attaches the tail of every node's log to {@code failure}. */
    private static void attachLogs(Throwable failure, RaftCluster cluster) {
        failure.addSuppressed(new ServerExtension.ServerLog(cluster + ":" + cluster.logTails(60)));
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    private static void await(String what, java.util.function.BooleanSupplier condition, Supplier<String> detail) {
        if (!DevServer.await(SETTLE_TIMEOUT, condition)) {
            throw new AssertionError("no " + what + " within " + SETTLE_TIMEOUT.toSeconds() + " s" + detail.get());
        }
    }

    /** {@code count} distinct free loopback ports (free when asked; the caller retries if one is taken by then). */
    static List<Integer> freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a listening socket
                }
            }
        }
    }
}
