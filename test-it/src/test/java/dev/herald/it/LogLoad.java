package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A Herald mount filled with history for the log's tests: publications, rotations, lease ends and
 * revocations made with the root token through one role ({@code any}: every service, any
 * instance, a lease of an hour, rotation open 3.6 s after a publication), many at once over the
 * HTTP API. Every change with an event is a leaf of the mount's log.
 */
final class LogLoad {
    /** Requests in flight at once: enough to fill the writer's batches, few enough for 2 cores. */
    private static final int PARALLEL = 8;

    final DevServer server;
    final String mount;

    /** One acknowledged publication: its key, generation, lease and leaf. */
    record Published(String service, String instance, Publisher key, long generation, String leaseId, long logIndex) {
    }

    /** Where to publish. */
    record Target(String service, String instance) {
    }

    LogLoad(Herald herald, String name) {
        server = herald.server();
        mount = herald.enable(name);
        server.http("POST", mount + "/roles/any", Map.of("services", List.of("*"), "instance", "*",
                "allow_unbound", true, "ttl", "1h")).assertStatus(200);
        // A rotation opens after this share of the lease (3.6 s of an hour): soon enough for a test.
        HttpResult config = server.http("POST", mount + "/config", Map.of("rotation_window", 0.001));
        assertTrue(config.status() / 100 == 2, config::toString);
    }

    /** {@code count} targets: instances {@code i-<from>}… spread over services {@code <prefix>-0}… {@code -<services - 1>}. */
    static List<Target> targets(String prefix, int services, int from, int count) {
        List<Target> targets = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            targets.add(new Target(prefix + "-" + (n % services), "i-" + (from + n / services)));
        }
        return targets;
    }

    /** A first publication of a new Ed25519 key; fails unless acknowledged. */
    Published publish(Target target) {
        Publisher key = Publisher.ed25519();
        return acknowledged(target, key, post(target, key, Map.of()).assertStatus(200));
    }

    /** Publishes every target, {@value #PARALLEL} at a time; the answers in the targets' order. */
    List<Published> publishAll(List<Target> targets) throws Exception {
        return inParallel(targets.stream().<Callable<Published>>map(t -> () -> publish(t)).toList());
    }

    /**
     * Rotates each publication to a new key with its continuity signature, retrying while its
     * rotation window has not opened yet (for at most a minute).
     */
    List<Published> rotateAll(List<Published> publications) throws Exception {
        return inParallel(publications.stream().<Callable<Published>>map(p -> () -> rotate(p)).toList());
    }

    private Published rotate(Published current) throws InterruptedException {
        Publisher next = Publisher.ed25519();
        Target target = new Target(current.service(), current.instance());
        Instant until = Instant.now().plusSeconds(60);
        while (true) {
            HttpResult answer = post(target, next, Map.of("continuity", current.key().continuityFor(next, mount + "/",
                    current.service(), current.instance(), current.generation())));
            if (answer.status() == 409 && answer.errors().contains("opens at") && Instant.now().isBefore(until)) {
                Thread.sleep(200);
                continue;
            }
            return acknowledged(target, next, answer.assertStatus(200));
        }
    }

    /** Ends the lease of each publication through {@code sys/leases/revoke}: a {@code lease_end} each. */
    void endLeases(List<Published> publications) throws Exception {
        inParallel(publications.stream().<Callable<Object>>map(p -> () ->
                server.http("PUT", "sys/leases/revoke", Map.of("lease_id", p.leaseId())).assertStatus(204)).toList());
    }

    /** Revokes each publication's instance through {@code MOUNT/revoke}: a {@code revoke} each. */
    void revoke(List<Published> publications) throws Exception {
        inParallel(publications.stream().<Callable<Object>>map(p -> () ->
                server.http("POST", mount + "/revoke/" + p.service() + "/" + p.instance(),
                        Map.of("reason", "log test")).assertStatus(200)).toList());
    }

    /** The served {@code log/checkpoint} note (read without a token), or null before the first publication. */
    String checkpoint() {
        HttpResult answer = server.httpWithoutToken("GET", mount + "/log/checkpoint");
        return answer.status() == 404 ? null : answer.assertStatus(200).body();
    }

    /** The size line of the served checkpoint (0 before the first publication). */
    long size() {
        String note = checkpoint();
        return note == null ? 0 : Long.parseLong(note.split("\n")[1]);
    }

    /** Waits until the served checkpoint is of {@code size} (bounded); fails with the last one seen. */
    String awaitSize(long size) {
        assertTrue(DevServer.await(Duration.ofSeconds(30), () -> size() == size),
                () -> "the log did not reach size " + size + ": " + checkpoint());
        return checkpoint();
    }

    /** The raw bytes of one of the log's tlog-tiles files ({@code tile/entries/001}), read without a token. */
    byte[] tile(String path) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> answer = client.send(HttpRequest.newBuilder(URI.create(server.address() + "/v1/" + mount
                    + "/log/" + path)).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                throw new AssertionError("GET log/" + path + " answered " + answer.statusCode());
            }
            return answer.body();
        }
    }

    /**
     * Reloads the plugin, so that what it cached of storage (the log's tree, full bundles, services)
     * is read again on the next request.
     */
    void reloadPlugin() {
        server.cli("plugin", "reload", "-plugin=" + Herald.PLUGIN).assertSuccess();
    }

    private HttpResult post(Target target, Publisher key, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(extra);
        body.put("role", "any");
        body.put("csr", key.csrPem());
        return server.http("POST", mount + "/publish/" + target.service() + "/" + target.instance(), body);
    }

    private static Published acknowledged(Target target, Publisher key, HttpResult answer) {
        Map<String, Object> data = answer.data();
        return new Published(target.service(), target.instance(), key, ((Number) data.get("generation")).longValue(),
                (String) answer.json().get("lease_id"), ((Number) Json.at(data, "log", "index")).longValue());
    }

    private static <T> List<T> inParallel(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<T>> futures = pool.invokeAll(tasks);
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
