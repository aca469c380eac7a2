package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;

/**
 * Herald on a 3-node cluster on integrated storage while its leader fails: a publisher streams new
 * publications through every node in turn (standbys forward writes), a consumer reads
 * {@code discover/web} through every node in turn and verifies each record against the JWK Set it
 * pinned at the start, and meanwhile the leader is killed (SIGKILL) and later restarted, then the
 * next leader steps down, then the next one is sealed and unsealed.
 *
 * <p>Asserted (DESIGN §8): every publish acknowledged with a 2xx is in the final leader's
 * {@code discover}, and nothing else is; the consumer never saw the service's {@code seq} go down
 * (nor Herald say it has no live instance) through any node; every record verified; and the plugin on each new
 * leader answered the first request sent to it. What happened (faults and elections, publishes,
 * failed requests, regressions per node, each with its time into the run) is printed to the test's
 * output and is in every failure message.
 *
 * <p>And the mount's log (design-log §3.3, open question Q2: a leader lost between the writer's
 * two writes): the checkpoint a node's records carry never shrinks; afterwards {@code herald log
 * verify} replays the whole log through every node (every leaf, tile and history index in order:
 * no index used twice, nothing rewritten) and {@code herald discover} through the final leader
 * proves every listed key's leaf.
 */
@Timeout(300)
class RaftFailoverTest {

    private static final int NODES = 3;
    /** Publications the publisher makes at most (it stops earlier, when the faults are over). */
    private static final int MAX_PUBLICATIONS = 400;
    /** Publications acknowledged after each step, so that every fault happens while writes flow. */
    private static final int BETWEEN_FAULTS = 10;
    /** How long the publisher keeps retrying one publication through the nodes before it gives up on it. */
    private static final Duration PUBLISH_PATIENCE = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(120);

    @OnEachServer
    void nothingAcknowledgedIsLostAndSeqNeverGoesDownThroughAnyNode(ServerKind kind) throws Exception {
        RaftCluster.run(kind, RaftFailoverTest.class.getSimpleName(), NODES, cluster -> new Run(cluster).failover());
    }

    /** How many times something happened, first and last (seconds into the run), and what it said first. */
    private record Tally(int count, double first, double last, String sample) {
        @Override
        public String toString() {
            return count + " (t+" + first + ".." + last + " s" + (sample.isEmpty() ? "" : ": " + sample) + ")";
        }
    }

    /** A seq, and the node that served it. */
    private record Served(long seq, String node) {
        Served higher(Served other) {
            return other.seq() > seq ? other : this;
        }

        @Override
        public String toString() {
            return seq + " (" + node + ")";
        }
    }

    /** A read whose seq was lower than the highest served before it (0: the service was not found). */
    private record Regression(String node, long seq, Served highest, double at) {
    }

    /** One run: the cluster, the publishing set-up, and what the threads saw (safe to use from several threads). */
    private static final class Run {
        final RaftCluster cluster;
        final RaftPublishing flow;
        volatile long start = System.nanoTime();
        final Map<String, String> acknowledged = new ConcurrentHashMap<>();
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger acknowledgedUnchanged = new AtomicInteger();
        final List<String> abandoned = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Tally> publishFailures = new ConcurrentHashMap<>();
        final AtomicReference<Served> highest = new AtomicReference<>(new Served(0, "-"));
        final Map<String, Integer> reads = new ConcurrentHashMap<>();
        final Map<String, Tally> readFailures = new ConcurrentHashMap<>();
        final List<Regression> regressions = Collections.synchronizedList(new ArrayList<>());
        final List<String> unverified = Collections.synchronizedList(new ArrayList<>());
        /** Per node, the largest log checkpoint its records carried; and every read whose checkpoint was smaller. */
        final Map<String, Long> logSizes = new ConcurrentHashMap<>();
        final List<String> logShrinks = Collections.synchronizedList(new ArrayList<>());
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger faults = new AtomicInteger();
        final List<String> firstRequests = Collections.synchronizedList(new ArrayList<>());
        final List<String> firstRequestFailures = Collections.synchronizedList(new ArrayList<>());
        final List<Throwable> threadFailures = Collections.synchronizedList(new ArrayList<>());
        volatile boolean stop;
        JWKSet pinned;

        Run(RaftCluster cluster) throws Exception {
            this.cluster = cluster;
            this.flow = new RaftPublishing(cluster.awaitLeader(), cluster.enableHerald("herald"));
        }

        void failover() throws Exception {
            // The first publication makes the signing key; the consumer pins the JWK Set then.
            RaftNode leader = cluster.awaitLeader();
            Publisher firstKey = Publisher.ed25519();
            flow.publish(leader, RaftPublishing.token(flow.login(leader, "pod-000")), "pod-000", firstKey)
                    .assertStatus(200);
            acknowledged.put("pod-000", firstKey.fingerprint());
            pinned = flow.jwks(leader);
            for (RaftNode node : cluster.nodes()) {
                assertEquals(pinned.toJSONObject(), flow.jwks(node).toJSONObject(), "the same JWK Set through " + node);
            }

            start = System.nanoTime();
            Thread publisher = thread("publisher", this::publish);
            Thread poller = thread("poller", this::poll);
            try {
                awaitProgress();
                onLeader("SIGKILL", RaftNode::kill, cluster::restart);
                onLeader("operator step-down", node -> cluster.stepDown(), null);
                onLeader("operator seal", cluster::seal, cluster::unseal);
            } finally {
                stop = true;
                publisher.join(PUBLISH_PATIENCE.plus(REQUEST_TIMEOUT).toMillis());
                poller.join(REQUEST_TIMEOUT.multipliedBy(NODES + 1).toMillis());
            }
            double ran = now();
            check(ran);
        }

        /**
         * One fault of the leader: {@code fault} it, wait for another leader and send it its first
         * request, let publishing go on; then, if {@code recover} is given, bring the old leader back
         * with it and wait until autopilot counts every node a healthy voter again.
         */
        private void onLeader(String name, Consumer<RaftNode> fault, Consumer<RaftNode> recover) {
            RaftNode leader = cluster.awaitLeader();
            event(name + " of the leader " + leader.nodeId());
            faults.incrementAndGet();
            fault.accept(leader);
            RaftNode next = cluster.awaitLeaderOtherThan(leader);
            event(next.nodeId() + " leads");
            firstRequest(next);
            awaitProgress();
            if (recover != null) {
                event("recovery of " + leader.nodeId());
                recover.accept(leader);
                event(leader.nodeId() + " unsealed");
                cluster.awaitVoters();
                event("autopilot: every node a healthy voter");
                awaitProgress();
            }
        }

        /** The assertions, on the final leader's record and on what the threads saw. */
        private void check(double ran) throws Exception {
            RaftNode last = cluster.awaitLeader();
            Map<String, Object> discover = flow.discover(last).assertStatus(200).data();
            Map<String, String> found = new TreeMap<>();
            for (Object instance : (List<?>) discover.get("instances")) {
                found.put((String) Json.at(instance, "instance"), (String) Json.at(instance, "fingerprint"));
            }
            Set<String> missing = new TreeSet<>(acknowledged.keySet());
            missing.removeAll(found.keySet());
            Set<String> unacknowledged = new TreeSet<>(found.keySet());
            unacknowledged.removeAll(acknowledged.keySet());
            Map<String, Object> finalSeqs = new TreeMap<>();
            for (RaftNode node : cluster.nodes()) {
                HttpResult read = flow.discover(node);
                finalSeqs.put(node.nodeId(), read.status() == 200 ? read.data().get("seq") : read.status());
            }
            String summary = summary() + "\n  final leader " + last.nodeId() + ": " + found.size()
                    + " live instances, seq " + discover.get("seq") + "; missing acknowledged " + missing
                    + ", present unacknowledged " + unacknowledged + "; final seq through each node " + finalSeqs
                    + "\n  publisher and consumer ran " + ran + " s";
            System.err.println("herald-it: " + cluster.kind().cli() + " failover: " + summary);
            Supplier<String> report = () -> summary;
            assertAll(
                    () -> assertTrue(threadFailures.isEmpty(), () -> "the threads failed: " + threadFailures),
                    () -> assertEquals(Set.of(), missing, report),
                    () -> assertEquals(acknowledged.size(), found.size(), report),
                    () -> assertEquals(new TreeMap<>(acknowledged), found, report),
                    () -> assertEquals(0, regressions.size(), () -> "seq went down: " + report.get()),
                    () -> assertEquals(List.of(), unverified, report),
                    () -> assertEquals(List.of(), firstRequestFailures, report),
                    () -> assertEquals(NODES, reads.size(), () -> "read through every node: " + report.get()),
                    () -> assertEquals(List.of(), logShrinks, report));
            checkLog(last);
        }

        /** The log through every node: whole and in order, and holding every key the final record lists. */
        private void checkLog(RaftNode last) throws Exception {
            Path dir = Project.outputDir().resolve("raft-failover-log").resolve(cluster.kind().cli());
            for (RaftNode node : cluster.nodes()) {
                LogCommands log = new LogCommands(node.address(), node.rootToken(), flow.mount, dir.resolve(node.nodeId()));
                CliResult verified = log.herald("log-verify", "log", "verify", "--state", log.dir().resolve("state").toString());
                assertEquals(0, verified.exitCode(), () -> node.nodeId() + ": " + verified);
            }
            LogCommands log = new LogCommands(last.address(), last.rootToken(), flow.mount, dir.resolve("discover"));
            CliResult discovered = log.heraldWithToken("discover", "discover", RaftPublishing.SERVICE,
                    "--state", log.dir().resolve("state").toString());
            assertEquals(0, discovered.exitCode(), discovered::toString);
        }

        /**
         * Publishes pod-001, pod-002... (a new key each) until told to stop, each through the next
         * node in turn: a login, then the publish with its token. A failure (a node down or sealed, no
         * leader yet) is retried through the next node until the publish is acknowledged (a retry of a
         * publish that did go through answers {@code unchanged}), or given up after a minute.
         */
        private void publish() throws InterruptedException {
            int turn = 0;
            for (int i = 1; i < MAX_PUBLICATIONS && !stop; i++) {
                String pod = String.format("pod-%03d", i);
                Publisher key = Publisher.ed25519();
                long deadline = System.nanoTime() + PUBLISH_PATIENCE.toNanos();
                while (!acknowledged.containsKey(pod) && System.nanoTime() < deadline) {
                    RaftNode node = cluster.nodes().get(turn++ % NODES);
                    if (node.running()) {
                        attempts.incrementAndGet();
                        publishOnce(node, pod, key);
                    }
                }
                if (!acknowledged.containsKey(pod)) {
                    abandoned.add(pod);
                }
                Thread.sleep(50);
            }
        }

        private void publishOnce(RaftNode node, String pod, Publisher key) throws InterruptedException {
            HttpResult answer;
            try {
                answer = flow.login(node, pod);
                if (answer.status() == 200) {
                    answer = flow.publish(node, RaftPublishing.token(answer), pod, key);
                }
            } catch (RuntimeException e) {
                failed(publishFailures, node.nodeId() + " no answer", e.toString());
                Thread.sleep(200);
                return;
            }
            boolean published = answer.path().contains("/publish/");
            if (published && answer.status() / 100 == 2) {
                acknowledged.put(pod, key.fingerprint());
                if (Boolean.TRUE.equals(answer.data().get("unchanged"))) {
                    acknowledgedUnchanged.incrementAndGet();
                }
                return;
            }
            failed(publishFailures, node.nodeId() + (published ? " publish " : " login ") + answer.status(),
                    answer.errors());
            Thread.sleep(200);
        }

        /**
         * Reads {@code discover/web} through each running node in turn until told to stop; verifies
         * every record against the pinned JWK Set, and counts every read whose {@code seq} is lower
         * than the highest seen before it (through any node), and every 404 (the service has had live
         * instances since before the consumer started).
         */
        private void poll() throws InterruptedException {
            while (!stop) {
                for (RaftNode node : cluster.nodes()) {
                    if (node.running()) {
                        pollOnce(node);
                    }
                }
                Thread.sleep(20);
            }
        }

        private void pollOnce(RaftNode node) {
            HttpResult read;
            try {
                read = node.http("GET", flow.mount + "/discover/" + RaftPublishing.SERVICE, null, node.rootToken(),
                        REQUEST_TIMEOUT);
            } catch (RuntimeException e) {
                failed(readFailures, node.nodeId() + " no answer", e.toString());
                return;
            }
            if (read.status() == 404 && read.errors().contains("no live instance")) {
                regressions.add(new Regression(node.nodeId(), 0, highest.get(), now()));
            }
            if (read.status() != 200) {
                failed(readFailures, node.nodeId() + " " + read.status(), read.errors());
                return;
            }
            reads.merge(node.nodeId(), 1, Integer::sum);
            long seq;
            try {
                JWTClaimsSet claims = PublishFlowTest.verify((String) read.data().get("record"), pinned,
                        flow.recordIssuer(), RaftPublishing.SERVICE);
                assertEquals("service", claims.getStringClaim("scope"));
                seq = claims.getLongClaim("seq");
                long size = Long.parseLong(claims.getStringClaim("log_checkpoint").split("\n")[1]);
                long before = logSizes.merge(node.nodeId(), size, Math::max);
                if (size < before) {
                    logShrinks.add(node.nodeId() + " carried a checkpoint of size " + size + " after " + before + " at t+" + now());
                }
            } catch (Exception | AssertionError e) {
                unverified.add(node.nodeId() + ": " + e);
                return;
            }
            Served before = highest.getAndAccumulate(new Served(seq, node.nodeId()), Served::higher);
            if (seq < before.seq()) {
                regressions.add(new Regression(node.nodeId(), seq, before, now()));
            }
        }

        /** The first request to a node that has just become the leader: it must be answered, with a verified record. */
        private void firstRequest(RaftNode leader) {
            long sent = System.nanoTime();
            String failure;
            try {
                HttpResult read = leader.http("GET", flow.mount + "/discover/" + RaftPublishing.SERVICE, null,
                        leader.rootToken(), REQUEST_TIMEOUT);
                failure = read.status() == 200 ? null : read.toString();
                if (failure == null) {
                    PublishFlowTest.verify((String) read.data().get("record"), pinned, flow.recordIssuer(),
                            RaftPublishing.SERVICE);
                }
            } catch (Exception | AssertionError e) {
                failure = e.toString();
            }
            firstRequests.add(leader.nodeId() + " " + (System.nanoTime() - sent) / 1_000_000 + " ms");
            if (failure != null) {
                firstRequestFailures.add(leader.nodeId() + ": " + failure);
            }
        }

        /** Waits until {@link #BETWEEN_FAULTS} more publications are acknowledged. */
        private void awaitProgress() {
            int target = acknowledged.size() + BETWEEN_FAULTS;
            if (!DevServer.await(PROGRESS_TIMEOUT, () -> acknowledged.size() >= target || !threadFailures.isEmpty())) {
                throw new AssertionError("publishing made no progress in " + PROGRESS_TIMEOUT.toSeconds() + " s: "
                        + summary());
            }
        }

        /** Seconds since the run started, to a tenth. */
        private double now() {
            return Math.round((System.nanoTime() - start) / 100_000_000.0) / 10.0;
        }

        private void event(String what) {
            events.add("t+" + now() + " s " + what);
        }

        /** Counts a failed request, e.g. {@code node2 login 307}, at this moment; keeps the first one's error. */
        private void failed(Map<String, Tally> failures, String what, String error) {
            double at = now();
            String sample = error.length() > 160 ? error.substring(0, 160) + "..." : error;
            failures.merge(what, new Tally(1, at, at, sample.replace('\n', ' ')),
                    (a, b) -> new Tally(a.count() + 1, a.first(), b.last(), a.sample()));
        }

        /** The regressions by node and stale seq: how many reads, from when to when, behind which highest seq. */
        private String regressionStreaks() {
            Map<String, List<Regression>> streaks = new LinkedHashMap<>();
            synchronized (regressions) {
                for (Regression r : regressions) {
                    streaks.computeIfAbsent(r.node() + (r.seq() == 0 ? " answered 404" : " served seq " + r.seq()),
                            k -> new ArrayList<>()).add(r);
                }
            }
            List<String> lines = new ArrayList<>();
            streaks.forEach((what, list) -> lines.add(what + " in " + list.size() + " reads from t+" + list.getFirst().at()
                    + " s to t+" + list.getLast().at() + " s, after " + list.getFirst().highest()
                    + (list.size() == 1 ? "" : " .. " + list.getLast().highest())));
            return String.join("; ", lines);
        }

        private String summary() {
            Map<String, Integer> byNode = new TreeMap<>();
            synchronized (regressions) {
                regressions.forEach(r -> byNode.merge(r.node(), 1, Integer::sum));
            }
            return "faults injected: " + faults.get() + "; " + events
                    + "\n  publishes: " + acknowledged.size() + " acknowledged (" + acknowledgedUnchanged.get()
                    + " of them on a retry, as unchanged), " + attempts.get() + " attempts, abandoned " + abandoned
                    + "; failed attempts " + new TreeMap<>(publishFailures)
                    + "\n  reads: " + new TreeMap<>(reads) + " verified, highest seq " + highest.get()
                    + "; failed " + new TreeMap<>(readFailures)
                    + "\n  seq regressions: " + regressions.size() + " " + byNode + (byNode.isEmpty() ? "" : ": ")
                    + regressionStreaks()
                    + "\n  unverified records: " + unverified.size() + " " + unverified.subList(0, Math.min(5, unverified.size()))
                    + "\n  first requests to new leaders: " + firstRequests + ", failed " + firstRequestFailures;
        }

        /** What a thread does; it may be interrupted. */
        private interface Body {
            void run() throws InterruptedException;
        }

        private Thread thread(String name, Body body) {
            Thread thread = new Thread(() -> {
                try {
                    body.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | Error e) {
                    threadFailures.add(e);
                }
            }, "herald-it-" + name);
            thread.setDaemon(true);
            thread.start();
            return thread;
        }
    }
}
