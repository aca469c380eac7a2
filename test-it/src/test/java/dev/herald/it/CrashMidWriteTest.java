package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;

/**
 * A crash at random moments while one service is published, rotated, renewed and revoked on a node
 * on integrated storage: the plugin process SIGKILLed (the server restarts it on the next request),
 * and separately the server itself SIGKILLed, started again and unsealed. Every change acknowledged
 * with a 2xx is in discover and history afterwards, every record read verifies, and the service's seq
 * never goes back nor stands for two live sets.
 */
@Timeout(360)
class CrashMidWriteTest {

    private static final int KILLS = 8;
    private static final int INSTANCES = 4;
    /** How long a plugin JVM runs before the killer may kill it (it starts in about 2 s on this machine). */
    private static final Duration STARTUP = Duration.ofSeconds(4);
    private static final Duration ROTATION_OPENS = Duration.ofMillis(4500);

    /** How long an unanswered request may go on failing (a restart of the server, an election and an unseal). */
    private static final Duration RECOVERY = Duration.ofSeconds(90);

    /** What is killed. */
    private enum Crash {
        /** The plugin JVM: the server starts a new one on the next request. */
        PLUGIN,
        /** The server process (and with it the plugin), then started again on the same data and unsealed. */
        SERVER
    }

    /** What the test believes one instance is, from acknowledged answers (and resolved ambiguities). */
    private static final class Instance {
        final String name;
        final String token;
        Publisher key;
        long generation;
        boolean live;
        String leaseId;
        Instant publishedAt = Instant.EPOCH;

        Instance(String name, String token) {
            this.name = name;
            this.token = token;
        }
    }

    /** One acknowledged change: kind publish, rotate or revoke (one per generation it ended). */
    private record Change(String kind, String instance, long generation, String fingerprint) {
    }

    private final Map<Long, Set<String>> setBySeq = new HashMap<>();
    /** The log leaf each acknowledged publication or rotation was answered with (design-log §2.7). */
    private final List<Long> acknowledgedLeaves = new ArrayList<>();
    private long highestSeq = -1;
    private int seqRegressions;
    private int seqReused;
    private int recordsRead;
    private JWKSet jwks;

    private RaftNode node;
    private RaftPublishing flow;

    @OnEachServer
    void acknowledgedChangesSurviveAPluginKilledMidWrite(ServerKind kind) throws Exception {
        RaftCluster.run(kind, getClass().getSimpleName() + "-plugin", 1, cluster -> crashes(cluster, Crash.PLUGIN));
    }

    @OnEachServer
    void acknowledgedChangesSurviveAServerKilledMidWrite(ServerKind kind) throws Exception {
        RaftCluster.run(kind, getClass().getSimpleName() + "-server", 1, cluster -> crashes(cluster, Crash.SERVER));
    }

    private void crashes(RaftCluster cluster, Crash crash) throws Exception {
        node = cluster.node(1);
        flow = new RaftPublishing(node, cluster.enableHerald("crash"), Map.of("ttl", "1h"));
        HttpResult config = node.http("POST", flow.mount + "/config", Map.of("rotation_window", 0.001));
        assertTrue(config.status() / 100 == 2, config::toString);
        Random random = new Random(Long.getLong("herald.crash.seed", System.nanoTime()));
        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            instances.add(new Instance("pod-" + i, RaftPublishing.token(flow.login(node, "pod-" + i))));
        }
        jwks = flow.jwks(node);

        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger kills = new AtomicInteger();
        Thread killer = new Thread(() -> {
            Random r = new Random();
            try {
                while (kills.get() < KILLS && !done.get()) {
                    Thread.sleep(1500 + r.nextInt(2500));
                    if (crash == Crash.SERVER) {
                        node.kill();
                        kills.incrementAndGet();
                        cluster.restart(node);
                        cluster.awaitLeader();
                        continue;
                    }
                    // Only a plugin that has finished starting: a kill during the server's plugin
                    // setup can leave OpenBao holding a dead multiplexed client (see the report).
                    List<ProcessHandle> plugins = node.descendants().stream().filter(Herald::isPluginJvm)
                            .filter(p -> p.info().startInstant().map(t -> t.isBefore(Instant.now()
                                    .minus(STARTUP))).orElse(false))
                            .toList();
                    if (!plugins.isEmpty() && plugins.getFirst().destroyForcibly()) {
                        kills.incrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, crash.name().toLowerCase(java.util.Locale.ROOT) + "-killer");
        killer.start();

        Map<String, Integer> attempted = new ConcurrentHashMap<>();
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        Map<String, Integer> unacknowledgedApplied = new ConcurrentHashMap<>();
        List<Change> changes = new ArrayList<>();
        int ambiguous = 0;
        int lost = 0;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(150));
        int ops = 0;
        while ((killer.isAlive() || ops < 40) && ops < 5000 && Instant.now().isBefore(deadline)) {
            ops++;
            Instance target = instances.get(random.nextInt(INSTANCES));
            String kind;
            double dice = random.nextDouble();
            if (target.generation == 0 || !target.live) {
                kind = "publish";
            } else if (dice < 0.5 && Instant.now().isAfter(target.publishedAt.plus(ROTATION_OPENS))) {
                kind = "rotate";
            } else if (dice < 0.85 && target.leaseId != null) {
                kind = "renew";
            } else if (dice < 0.93) {
                kind = "revoke";
            } else {
                kind = "renew";
                if (target.leaseId == null) {
                    continue;
                }
            }
            attempted.merge(kind, 1, Integer::sum);
            Publisher before = target.key;
            long generationBefore = target.generation;
            boolean liveBefore = target.live;
            Publisher next = kind.equals("rotate") ? Publisher.ed25519()
                    : target.key == null ? Publisher.ed25519() : target.key;
            HttpResult answer;
            try {
                answer = switch (kind) {
                    case "publish" -> flow.publish(node, target.token, target.name, next, Map.of());
                    case "rotate" -> flow.publish(node, target.token, target.name, next, Map.of("continuity",
                            target.key.continuityFor(next, flow.mount + "/", "web", target.name, target.generation)));
                    case "renew" -> node.http("PUT", "sys/leases/renew",
                            Map.of("lease_id", target.leaseId, "increment", 3600));
                    default -> node.http("POST", flow.mount + "/revoke/web/" + target.name,
                            Map.of("reason", "crash-test"));
                };
            } catch (RuntimeException e) {
                answer = null;
            }
            if (answer != null && answer.status() / 100 == 2) {
                acknowledged.merge(kind, 1, Integer::sum);
                switch (kind) {
                    case "publish", "rotate" -> {
                        target.key = next;
                        target.generation = ((Number) answer.data().get("generation")).longValue();
                        target.live = true;
                        target.leaseId = (String) answer.json().get("lease_id");
                        if (!Boolean.TRUE.equals(answer.data().get("unchanged"))) {
                            target.publishedAt = Instant.now();
                            acknowledgedLeaves.add(((Number) Json.at(answer.data(), "log", "index")).longValue());
                        }
                        changes.add(new Change(kind, target.name, target.generation, next.fingerprint()));
                    }
                    case "revoke" -> {
                        target.live = false;
                        target.leaseId = null;
                        // One event per generation it ends (during an overlap, the old one too).
                        for (Object generation : (List<?>) answer.data().get("revoked_generations")) {
                            changes.add(new Change(kind, target.name, ((Number) generation).longValue(), ""));
                        }
                    }
                    default -> {
                    }
                }
                Set<String> live = readDiscover(flow);
                boolean reflected = switch (kind) {
                    case "revoke" -> live.stream().noneMatch(s -> s.startsWith(target.name + "#"));
                    case "renew" -> true;
                    default -> live.contains(target.name + "#" + target.generation);
                };
                if (!reflected) {
                    lost++;
                    System.out.printf("NOT REFLECTED right after its acknowledgement: %s %s -> %s%n", kind,
                            target.name, live);
                }
            } else if (answer != null && answer.status() / 100 == 4) {
                readDiscover(flow); // refused: nothing changed, but seq is checked all the same
            } else {
                ambiguous++;
                if (!kind.equals("renew")) {
                    resolve(flow, target, before, next);
                    boolean applied = target.live != liveBefore || target.generation != generationBefore
                            || target.key != before;
                    if (applied) {
                        unacknowledgedApplied.merge(kind, 1, Integer::sum);
                        target.publishedAt = Instant.now();
                    }
                    target.leaseId = null; // unknown until the next acknowledged publication
                }
                readDiscover(flow);
            }
        }
        done.set(true);
        killer.interrupt();
        killer.join(10_000);

        // The end state: discover agrees with the model, instance by instance, and verifies.
        Set<String> finalLive = readDiscover(flow);
        Map<String, Object> discovered = untilAnswered("discover/web").assertStatus(200).data();
        int found = 0;
        List<String> missing = new ArrayList<>();
        for (Instance instance : instances) {
            if (instance.generation == 0) {
                continue;
            }
            Object newest = ((List<?>) discovered.get("instances")).stream()
                    .filter(i -> instance.name.equals(Json.at(i, "instance")))
                    .max((a, b) -> Long.compare(((Number) Json.at(a, "generation")).longValue(),
                            ((Number) Json.at(b, "generation")).longValue()))
                    .orElse(null);
            boolean ok = instance.live
                    ? newest != null && instance.generation == ((Number) Json.at(newest, "generation")).longValue()
                            && instance.key.fingerprint().equals(Json.at(newest, "fingerprint"))
                    : newest == null;
            if (ok) {
                found++;
            } else {
                missing.add(instance.name + " expected " + (instance.live ? "live gen " + instance.generation : "ended")
                        + " found " + newest);
            }
        }

        // History: every acknowledged change has its own event; count the events no acknowledgement explains.
        List<?> events = (List<?>) untilAnswered("history/web?limit=10000").assertStatus(200).data().get("events"); // every event: fewer than 10,000
        List<Object> unmatched = new ArrayList<>(events);
        List<Change> withoutEvent = new ArrayList<>();
        for (Change change : changes) {
            Object match = unmatched.stream().filter(e -> matches(change, e)).findFirst().orElse(null);
            if (match == null) {
                withoutEvent.add(change);
            } else {
                unmatched.remove(match);
            }
        }
        long extraEvents = unmatched.stream().filter(e -> !"lease_end".equals(Json.at(e, "type"))).count();
        Set<String> seen = new java.util.HashSet<>();
        long repeated = 0;
        for (Object event : events) {
            Object type = Json.at(event, "type");
            String kind = "revoke".equals(type) ? "revoke" : "lease_end".equals(type) ? "lease_end" : "publication";
            if (!seen.add(kind + " " + Json.at(event, "instance") + "#" + Json.at(event, "generation"))
                    && !kind.equals("publication")) {
                repeated++; // an instance's generation ends once: a second end event repeats an interrupted one
            }
        }
        long historySequenceRegressions = 0;
        long last = 0;
        for (Object event : events) {
            Object sequence = Json.at(event, "sequence");
            if (sequence instanceof Number n) {
                if (n.longValue() < last) {
                    historySequenceRegressions++;
                }
                last = n.longValue();
            }
        }

        System.out.printf("CrashMidWrite[%s, %s]: kills %d, ops %d, attempted %s, acknowledged %s, ambiguous %d, "
                        + "unacknowledged-but-applied %s, acknowledged changes %d, lost right after ack %d, "
                        + "instances found %d/%d, history events %d (%d without acknowledgement: %s), "
                        + "repeated end events %d, acknowledged changes without event %d, records read %d, distinct seq %d, "
                        + "seq regressions %d, seq reused %d, history seq regressions %d%n",
                node.kind(), crash, kills.get(), ops, attempted, acknowledged, ambiguous, unacknowledgedApplied,
                changes.size(), lost, found, instances.stream().filter(i -> i.generation > 0).count(), events.size(),
                extraEvents, unmatched.stream().filter(e -> !"lease_end".equals(Json.at(e, "type")))
                        .map(e -> Json.at(e, "type") + " " + Json.at(e, "instance") + "#" + Json.at(e, "generation")
                                + " seq " + Json.at(e, "sequence") + " at " + Json.at(e, "time")
                                + " record at that seq " + (Json.at(e, "sequence") instanceof Number n
                                        ? setBySeq.getOrDefault(n.longValue(), Set.of("(not read)")) : "-"))
                        .toList(),
                repeated, withoutEvent.size(), recordsRead, setBySeq.size(), seqRegressions, seqReused,
                historySequenceRegressions);

        assertTrue(kills.get() >= KILLS / 2, "the " + crash + " was killed repeatedly: " + kills.get());
        assertTrue(missing.isEmpty(), () -> "acknowledged state missing from discover: " + missing + " in " + finalLive);
        assertEquals(0, lost, "every acknowledged change is visible at once");
        assertEquals(List.of(), withoutEvent, "every acknowledged change is in history");
        assertEquals(0, seqRegressions, "seq never goes back");
        assertEquals(0, seqReused, "one seq, one live set");
        assertEquals(0, historySequenceRegressions, "history's sequences never go back");
        int appliedTotal = unacknowledgedApplied.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(extraEvents <= appliedTotal + ambiguous,
                "events without acknowledgement come only from interrupted attempts: " + extraEvents);
        logHoldsEveryAcknowledgedPublication(crash);
    }

    /**
     * design-log §10.2 item 5: after the crashes, every acknowledged publication's leaf (the index its
     * answer named) is in the log's checkpoint, and the whole log replays from its tiles.
     */
    private void logHoldsEveryAcknowledgedPublication(Crash crash) throws Exception {
        String checkpoint = untilAnswered("log/checkpoint").assertStatus(200).body();
        long size = Long.parseLong(checkpoint.split("\n")[1]);
        assertFalse(acknowledgedLeaves.isEmpty(), "publications were acknowledged");
        List<Long> beyond = acknowledgedLeaves.stream().filter(index -> index >= size).toList();
        assertEquals(List.of(), beyond, "acknowledged leaves beyond the checkpoint of size " + size);
        assertEquals(acknowledgedLeaves.size(), new java.util.HashSet<>(acknowledgedLeaves).size(), "one leaf per publication");
        LogCommands cli = new LogCommands(node.address(), node.rootToken(), flow.mount, Project.outputDir()
                .resolve("crash-log").resolve(node.kind().cli() + "-" + crash.name().toLowerCase(java.util.Locale.ROOT)));
        CliResult verified = cli.herald("log-verify", "log", "verify", "--from-scratch");
        assertEquals(0, verified.exitCode(), verified::toString);
        assertTrue(verified.stderr().contains(": " + size + " entries verified"), verified::toString);
        System.out.printf("CrashMidWrite[%s, %s]: log of %d entries verified, %d acknowledged publications in it%n",
                node.kind(), crash, size, acknowledgedLeaves.size());
    }

    private static boolean matches(Change change, Object event) {
        Object type = Json.at(event, "type");
        if (!change.instance().equals(Json.at(event, "instance"))) {
            return false;
        }
        Object generation = Json.at(event, "generation");
        if (change.kind().equals("revoke")) {
            return "revoke".equals(type) && generation instanceof Number n && n.longValue() == change.generation();
        }
        return ("rotate".equals(type) || "publish".equals(type) || "revive".equals(type))
                && generation instanceof Number n && n.longValue() == change.generation()
                && change.fingerprint().equals(Json.at(event, "fingerprint"));
    }

    /**
     * After an attempt with no answer (or a 5xx), learns from discover what the instance is now:
     * the newest generation listed and which of the two keys it has, or ended.
     */
    private void resolve(RaftPublishing flow, Instance target, Publisher before, Publisher attempted) {
        HttpResult answer = untilAnswered("discover/web/" + target.name);
        if (answer.status() == 404) {
            target.live = false;
            return;
        }
        answer.assertStatus(200);
        Object newest = ((List<?>) answer.data().get("instances")).stream()
                .max((a, b) -> Long.compare(((Number) Json.at(a, "generation")).longValue(),
                        ((Number) Json.at(b, "generation")).longValue()))
                .orElseThrow();
        target.live = true;
        target.generation = ((Number) Json.at(newest, "generation")).longValue();
        Object fingerprint = Json.at(newest, "fingerprint");
        Publisher found = attempted.fingerprint().equals(fingerprint) ? attempted : before;
        // A key the test did not just attempt, nor had before, can only be an earlier unacknowledged attempt
        // that took effect after a read had said otherwise: name it rather than fail on a null.
        assertTrue(found != null && found.fingerprint().equals(fingerprint), () -> "instance " + target.name + " lists "
                + fingerprint + ", neither the key just attempted (" + attempted.fingerprint() + ") nor the one before ("
                + (before == null ? "none: a first publication" : before.fingerprint()) + "): " + answer);
        target.key = found;
    }

    /** A read of the mount, repeated while the node recovers from a crash (5xx, or a redirect to a leader). */
    private HttpResult untilAnswered(String path) {
        Instant until = Instant.now().plus(RECOVERY);
        while (true) {
            try {
                HttpResult answer = node.http("GET", flow.mount + "/" + path, null);
                // 307: a restarted OpenBao node is a standby until it has won its election
                boolean recovering = answer.status() >= 500 || answer.status() == 307;
                if (!recovering || Instant.now().isAfter(until)) {
                    return answer;
                }
            } catch (RuntimeException e) {
                if (Instant.now().isAfter(until)) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Reads and verifies discover/web, checks its seq; returns the live (instance#generation) set. */
    private Set<String> readDiscover(RaftPublishing flow) throws Exception {
        HttpResult answer = untilAnswered("discover/web");
        if (answer.status() == 404) {
            return Set.of();
        }
        Map<String, Object> data = answer.assertStatus(200).data();
        JWTClaimsSet claims = PublishFlowTest.verify((String) data.get("record"), jwks, flow.recordIssuer(), "web");
        recordsRead++;
        long seq = claims.getLongClaim("seq");
        assertEquals(seq, ((Number) data.get("seq")).longValue(), "the decoded seq is the signed one");
        Set<String> live = new TreeSet<>();
        for (Object instance : (List<?>) claims.getClaim("instances")) {
            live.add(Json.at(instance, "instance") + "#" + Json.at(instance, "generation"));
        }
        if (seq < highestSeq) {
            seqRegressions++;
            System.out.printf("SEQ REGRESSION: %d after %d%n", seq, highestSeq);
        }
        highestSeq = Math.max(highestSeq, seq);
        Set<String> previous = setBySeq.putIfAbsent(seq, live);
        if (previous != null && !previous.equals(live)) {
            seqReused++;
            System.out.printf("SEQ REUSED: %d for %s and %s%n", seq, previous, live);
        }
        return live;
    }
}
