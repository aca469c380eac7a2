package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * A soak of Herald on one node on integrated storage: for {@code herald.soak.minutes} (3 by
 * default), a bounded mixed load of publishes, early rotations (refused with 409), rotations with
 * continuity, renewals, lease revocations, operator resets, publications left to expire, discovers
 * and signer rotations. Every minute the plugin JVM's RSS, threads and open file descriptors are
 * printed (from /proc).
 *
 * <p>Asserted: no unexpected answer (each step names the statuses it expects), the same plugin
 * process throughout, its threads, fds and RSS flat after a one-minute warm-up (the last sample
 * within +4 threads, +16 fds and +48 MB of the sample at the end of the warm-up), and no lease of the
 * mount left once the load stops and the remaining publications are revoked or expired.
 *
 * <p>The bounds: after warm-up the JVM has compiled the hot paths and sized its heap, so growth in
 * RSS beyond what one young-generation resize and JIT code cache growth explain (a few tens of MB)
 * is a leak; the JVM starts and ends a few service threads on its own (C2 compiler threads come and
 * go), hence +4; the server's gRPC connection and the jar/runtime files are the plugin's fds, a few
 * more may be open for a moment while a request is served, hence +16.
 *
 * <p>Off in the normal integration run (3 minutes on each server is longer than that run allows):
 * {@code -Dherald.soak=true} runs the 3-minute soak, {@code -Dherald.soak.minutes=30} the long one.
 */
@Timeout(value = 45, unit = java.util.concurrent.TimeUnit.MINUTES)
@EnabledIf("enabled")
class SoakTest {

    private static final String MOUNT = "soak";
    private static final int SLOTS = 10;
    /** At most this many requests a second from the load loop (a tick per request). */
    private static final Duration TICK = Duration.ofMillis(125);
    private static final Duration WARM_UP = Duration.ofMinutes(1);
    private static final long LONG_TTL = 40;
    private static final long SHORT_TTL = 8;
    private static final double ROTATION_WINDOW = 0.2;

    static boolean enabled() {
        return Boolean.getBoolean("herald.soak") || System.getProperty("herald.soak.minutes") != null;
    }

    private static Duration length() {
        return Duration.ofSeconds((long) (60 * Double.parseDouble(System.getProperty("herald.soak.minutes", "3"))));
    }

    /** One /proc reading of the plugin JVM. */
    private record Sample(double minute, long pid, long rssKb, int threads, int fds) {
        @Override
        public String toString() {
            return String.format("t+%.1f min: pid %d, RSS %d MB, %d threads, %d fds", minute, pid, rssKb / 1024, threads, fds);
        }
    }

    private enum Step { PUBLISH, EARLY_ROTATION, ROTATION, RENEW, REVOKE, RESET, AWAIT_EXPIRY }

    /** One instance name and where it is in its cycle. */
    private static final class Slot {
        final String uid;
        String token;
        Step step = Step.PUBLISH;
        long dueNanos;
        boolean shortLived;
        Publisher key;
        long generation;
        long notBefore;
        long notAfter;
        final List<String> leases = new ArrayList<>(); // live leases of this instance (current and superseded)

        Slot(String uid) {
            this.uid = uid;
        }
    }

    @OnEachServer
    void mixedLoadKeepsThePluginFlatAndLeavesNoLease(ServerKind kind) throws Exception {
        RaftCluster.run(kind, SoakTest.class.getSimpleName(), 1, this::soak);
    }

    private void soak(RaftCluster cluster) throws Exception {
        RaftNode node = cluster.node(1);
        RaftPublishing flow = new RaftPublishing(node, cluster.enableHerald(MOUNT));
        node.http("POST", MOUNT + "/config", Map.of("rotation_window", ROTATION_WINDOW)).assertStatus(200);
        Random random = new Random(42);
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            Slot slot = new Slot(String.format("pod-%02d", i));
            slot.token = RaftPublishing.token(flow.login(node, slot.uid));
            slot.shortLived = i % 3 == 2;
            slots.add(slot);
        }
        Map<String, Integer> counts = new TreeMap<>();
        List<String> unexpected = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + length().toNanos();
        long pid = pluginPid(node);
        samples.add(sample(pid, 0));
        System.out.println("SoakTest [" + cluster.kind() + "] " + length().toSeconds() + " s, start: " + samples.getFirst());
        long nextSample = start + Duration.ofMinutes(1).toNanos();
        long nextSignerRotation = start + Duration.ofSeconds(30).toNanos();
        int tick = 0;
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            if (now >= nextSample) {
                samples.add(sample(pluginPid(node), (now - start) / 60e9));
                System.out.println("SoakTest [" + cluster.kind() + "] " + samples.getLast() + "; answers so far " + counts);
                nextSample += Duration.ofMinutes(1).toNanos();
            } else if (now >= nextSignerRotation) {
                expect(counts, unexpected, "signer/rotate", node.http("POST", MOUNT + "/signer/rotate", Map.of()), 200, 204);
                nextSignerRotation += Duration.ofSeconds(30).toNanos();
            } else if (tick++ % 3 == 0) {
                expect(counts, unexpected, "discover", flow.discover(node), 200, 404);
            } else {
                Slot due = slots.stream().filter(s -> s.dueNanos <= now).min((a, b) -> Long.compare(a.dueNanos, b.dueNanos)).orElse(null);
                if (due != null) {
                    step(node, flow, due, random, counts, unexpected);
                }
            }
            Thread.sleep(TICK);
        }
        samples.add(sample(pluginPid(node), (System.nanoTime() - start) / 60e9));

        // Stop: revoke what is live, let the short-lived ones expire, then no lease may be left.
        long lastExpiry = 0;
        for (Slot slot : slots) {
            for (String lease : slot.leases) {
                expect(counts, unexpected, "final lease revoke", node.http("PUT", "sys/leases/revoke", Map.of("lease_id", lease)), 204);
            }
            slot.leases.clear();
        }
        for (Slot slot : slots) {
            lastExpiry = Math.max(lastExpiry, slot.notAfter);
        }
        long left = -1;
        for (long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos(); System.nanoTime() < deadline; ) {
            left = leases(node, "sys/leases/lookup/" + MOUNT + "/");
            if (left == 0) {
                break;
            }
            Thread.sleep(1000);
        }
        Sample first = samples.getFirst();
        Sample warm = samples.stream().filter(s -> s.minute() >= WARM_UP.toSeconds() / 60.0 - 0.01).findFirst().orElseThrow();
        Sample last = samples.getLast();
        System.out.println("SoakTest [" + cluster.kind() + "] samples:\n  " + String.join("\n  ", samples.stream().map(Sample::toString).toList())
                + "\n  answers " + counts + ", unexpected " + unexpected.size() + ", leases left " + left);

        assertTrue(unexpected.isEmpty(), unexpected.size() + " unexpected answers:\n" + String.join("\n", unexpected.stream().limit(30).toList()));
        assertTrue(samples.stream().allMatch(s -> s.pid() == first.pid()), "the same plugin process throughout: " + samples);
        assertTrue(last.threads() <= warm.threads() + 4, "threads flat after warm-up: " + warm + " -> " + last);
        assertTrue(last.fds() <= warm.fds() + 16, "fds flat after warm-up: " + warm + " -> " + last);
        assertTrue(last.rssKb() <= warm.rssKb() + 48 * 1024, "RSS flat after warm-up: " + warm + " -> " + last);
        assertEquals(0, left, "no lease of the mount left");
    }

    /** The slot's next step, and when the one after it is due. */
    private static void step(RaftNode node, RaftPublishing flow, Slot slot, Random random, Map<String, Integer> counts,
                             List<String> unexpected) {
        long now = System.nanoTime();
        long epoch = System.currentTimeMillis() / 1000;
        switch (slot.step) {
            case PUBLISH -> {
                slot.key = Publisher.ed25519();
                HttpResult published = publish(node, flow, slot, slot.key, slot.shortLived ? SHORT_TTL : LONG_TTL, null);
                if (expect(counts, unexpected, "publish", published, 200)) {
                    took(slot, published);
                    slot.step = slot.shortLived ? Step.AWAIT_EXPIRY : Step.EARLY_ROTATION;
                    slot.dueNanos = slot.shortLived ? now + (slot.notAfter - epoch + 3) * 1_000_000_000L : now;
                } else {
                    slot.dueNanos = now + Duration.ofSeconds(5).toNanos();
                }
            }
            case EARLY_ROTATION -> {
                Publisher next = Publisher.ed25519();
                HttpResult early = publish(node, flow, slot, next, LONG_TTL,
                        slot.key.continuityFor(next, flow.recordIssuer(), RaftPublishing.SERVICE, slot.uid, slot.generation));
                boolean refused = expect(counts, unexpected, "early rotation", early, 409);
                if (refused && !early.errors().contains("opens at")) {
                    unexpected.add("early rotation refused for another reason: " + early);
                }
                slot.step = Step.ROTATION;
                long opens = slot.notBefore + (long) Math.ceil((slot.notAfter - slot.notBefore) * ROTATION_WINDOW);
                slot.dueNanos = now + (opens - epoch + 2) * 1_000_000_000L + random.nextInt(2000) * 1_000_000L;
            }
            case ROTATION -> {
                Publisher next = Publisher.ed25519();
                HttpResult rotated = publish(node, flow, slot, next, LONG_TTL,
                        slot.key.continuityFor(next, flow.recordIssuer(), RaftPublishing.SERVICE, slot.uid, slot.generation));
                if (expect(counts, unexpected, "rotation", rotated, 200)) {
                    slot.key = next;
                    took(slot, rotated);
                }
                slot.step = Step.RENEW;
                slot.dueNanos = now + random.nextInt(3000) * 1_000_000L;
            }
            case RENEW -> {
                expect(counts, unexpected, "renew", node.http("PUT", "sys/leases/renew",
                        Map.of("lease_id", slot.leases.getLast(), "increment", 60)), 200);
                slot.step = Step.REVOKE;
                slot.dueNanos = now + random.nextInt(3000) * 1_000_000L;
            }
            case REVOKE -> {
                for (String lease : slot.leases) {
                    expect(counts, unexpected, "lease revoke", node.http("PUT", "sys/leases/revoke", Map.of("lease_id", lease)), 204);
                }
                slot.leases.clear();
                slot.step = Step.RESET;
                slot.dueNanos = now + random.nextInt(2000) * 1_000_000L;
            }
            case AWAIT_EXPIRY -> {
                // The lease expired on its own: Vault revoked it, and the instance is a tombstone.
                slot.leases.clear();
                slot.step = Step.RESET;
                slot.dueNanos = now;
            }
            case RESET -> {
                expect(counts, unexpected, "operator reset", node.http("POST", MOUNT + "/revoke/web/" + slot.uid,
                        Map.of("reset", true, "reason", "soak")), 200);
                slot.step = Step.PUBLISH;
                slot.dueNanos = now + random.nextInt(3000) * 1_000_000L;
            }
        }
    }

    private static HttpResult publish(RaftNode node, RaftPublishing flow, Slot slot, Publisher key, long ttl, String continuity) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("role", RaftPublishing.SERVICE, "csr", key.csrPem(),
                "endpoints", List.of(slot.uid + ".web.internal:8443"), "ip_addresses", List.of("10.0.0.7"), "ttl", ttl + "s"));
        if (continuity != null) {
            body.put("continuity", continuity);
        }
        return node.http("POST", flow.mount + "/publish/" + RaftPublishing.SERVICE + "/" + slot.uid, body, slot.token);
    }

    private static void took(Slot slot, HttpResult result) {
        Map<String, Object> data = result.data();
        slot.generation = ((Number) data.get("generation")).longValue();
        slot.notBefore = ((Number) data.get("not_before")).longValue();
        slot.notAfter = ((Number) data.get("not_after")).longValue();
        String lease = (String) result.json().get("lease_id");
        if (lease == null || lease.isEmpty()) {
            throw new AssertionError("no lease: " + result);
        }
        slot.leases.add(lease);
    }

    /** Counts the answer; true if its status is one of {@code expected}, else records it. */
    private static boolean expect(Map<String, Integer> counts, List<String> unexpected, String what, HttpResult result,
                                  int... expected) {
        counts.merge(what + " " + result.status(), 1, Integer::sum);
        for (int status : expected) {
            if (result.status() == status) {
                return true;
            }
        }
        unexpected.add(what + ": " + result);
        return false;
    }

    /** The leases under {@code prefix} (a LIST of sys/leases/lookup/..., recursively). */
    private static long leases(RaftNode node, String prefix) {
        HttpResult list = node.http("LIST", prefix, null);
        if (list.status() == 404) {
            return 0;
        }
        long count = 0;
        for (Object key : (List<?>) list.assertStatus(200).data().get("keys")) {
            count += String.valueOf(key).endsWith("/") ? leases(node, prefix + key) : 1;
        }
        return count;
    }

    private static long pluginPid(RaftNode node) {
        List<ProcessHandle> plugins = node.descendants().stream().filter(Herald::isPluginJvm).toList();
        if (plugins.size() != 1) {
            throw new AssertionError("expected one plugin JVM under " + node + ", found " + DevServer.describe(plugins));
        }
        return plugins.getFirst().pid();
    }

    private static Sample sample(long pid, double minute) {
        try {
            long rss = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
                }
            }
            int fds;
            try (Stream<Path> list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                fds = (int) list.count();
            }
            return new Sample(minute, pid, rss, threads, fds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid, e);
        }
    }
}
