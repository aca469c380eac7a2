package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Timeout;

/** Concurrent writers against one service and one signer: one winner, nothing lost, seq and the key chain intact. */
@Timeout(240)
class RacesTest {

    private static final int RACERS = 10;

    @OnEachServer
    void racingRotationsOfOneInstanceHaveExactlyOneWinner(Herald herald) throws Exception {
        PublishingMount flow = new PublishingMount(herald, "rotrace", "[\"create\", \"update\"]", "ttl=1h");
        herald.writeConfig(flow.mount, "rotation_window=0.001");
        JwtIssuer.Login pod = flow.pod("pod-1");
        Publisher first = Publisher.ed25519();
        flow.publish(pod, "pod-1", first, Map.of()).assertStatus(200);
        List<Publisher> next = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            next.add(Publisher.ed25519());
        }
        Thread.sleep(4500); // past the rotation window (0.001 of an hour)
        List<HttpResult> answers = race(next.stream().<Callable<HttpResult>>map(key -> () -> flow.publish(pod, "pod-1",
                key, Map.of("continuity", first.continuityFor(key, flow.mount + "/", "web", "pod-1", 1)))).toList());
        List<Integer> statuses = answers.stream().map(HttpResult::status).toList();
        List<HttpResult> won = answers.stream().filter(a -> a.status() == 200).toList();
        System.out.printf("RotationRace[%s]: statuses %s%n", herald.server().kind(), statuses);
        assertEquals(1, won.size(), () -> "exactly one rotation wins: " + statuses);
        assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 409 || s == 400), statuses::toString);
        assertEquals(2L, won.getFirst().data().get("generation"));
        Object winner = won.getFirst().data().get("fingerprint");
        JWTClaimsSet claims = PublishFlowTest.verify((String) flow.discover().get("record"), flow.jwks(),
                flow.mount + "/", "web");
        List<Object> listed = ((List<?>) claims.getClaim("instances")).stream()
                .map(i -> (Object) (Json.at(i, "generation") + " " + Json.at(i, "fingerprint"))).toList();
        assertEquals(List.of("1 " + first.fingerprint(), "2 " + winner), listed,
                "the winner and the old key in its overlap, nothing else");
        List<?> events = (List<?>) flow.server.http("GET", flow.mount + "/history/web", null).data().get("events");
        assertEquals(List.of("publish", "rotate"), events.stream().map(e -> Json.at(e, "type")).toList());
    }

    @OnEachServer
    void racingPublishRevokeAndTidyLoseNothingAndKeepSeqMonotonic(Herald herald) throws Exception {
        PublishingMount flow = new PublishingMount(herald, "churn", "[\"create\", \"update\"]", "ttl=1h");
        DevServer server = flow.server;
        JWKSet jwks = flow.jwks();
        int writers = 3;
        int rounds = 12;
        AtomicBoolean done = new AtomicBoolean();
        List<long[]> reads = new ArrayList<>(); // seq, index into sets
        List<Set<String>> sets = new ArrayList<>();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                HttpResult answer = server.http("GET", flow.mount + "/discover/web", null);
                if (answer.status() == 200) {
                    try {
                        JWTClaimsSet claims = PublishFlowTest.verify((String) answer.data().get("record"), jwks,
                                flow.mount + "/", "web");
                        Set<String> live = new TreeSet<>();
                        for (Object i : (List<?>) claims.getClaim("instances")) {
                            live.add(Json.at(i, "instance") + "#" + Json.at(i, "generation"));
                        }
                        synchronized (reads) {
                            sets.add(live);
                            reads.add(new long[] {claims.getLongClaim("seq"), sets.size() - 1});
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }, "discover-reader");
        reader.start();
        List<Callable<List<String>>> work = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String name = "pod-" + w;
            JwtIssuer.Login login = flow.pod(name);
            Publisher key = Publisher.ed25519();
            work.add(() -> {
                List<String> acknowledged = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    if (flow.publish(login, name, key, Map.of()).status() == 200) {
                        acknowledged.add("publish");
                    }
                    if (r < rounds - 1 && server.http("POST", flow.mount + "/revoke/web/" + name,
                            Map.of("reason", "race")).status() == 200) {
                        acknowledged.add("revoke");
                    }
                }
                return acknowledged;
            });
        }
        work.add(() -> {
            List<String> acknowledged = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                if (server.http("POST", flow.mount + "/tidy", Map.of()).status() == 200) {
                    acknowledged.add("tidy");
                }
            }
            return acknowledged;
        });
        List<List<String>> results = race(work);
        done.set(true);
        reader.join(10_000);

        // Nothing acknowledged is lost: every instance ends live (its last change was a publish) and
        // history has one event per acknowledged publish and revoke of each instance.
        List<?> events = (List<?>) server.http("GET", flow.mount + "/history/web", null).assertStatus(200)
                .data().get("events");
        Set<String> finalLive = new TreeSet<>();
        for (Object i : (List<?>) flow.discover().get("instances")) {
            finalLive.add((String) Json.at(i, "instance"));
        }
        for (int w = 0; w < writers; w++) {
            String name = "pod-" + w;
            assertEquals(List.of("publish", "revoke"), results.get(w).stream().distinct().toList(), name);
            for (String type : List.of("publish", "revoke")) {
                long acknowledged = results.get(w).stream().filter(type::equals).count();
                // The first publication is a publish event, each later one a revive.
                Set<Object> types = type.equals("publish") ? Set.of("publish", "revive") : Set.of(type);
                long recorded = events.stream().filter(e -> name.equals(Json.at(e, "instance"))
                        && types.contains(Json.at(e, "type"))).count();
                assertEquals(acknowledged, recorded, name + " " + type + " events");
            }
            assertTrue(finalLive.contains(name), name + " is live at the end: " + finalLive);
        }

        // seq never goes back, one seq is one live set, and a different live set has a higher seq.
        int regressions = 0;
        int reused = 0;
        int changedWithoutRaise = 0;
        Map<Long, Set<String>> bySeq = new HashMap<>();
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < reads.size(); i++) {
            long seq = reads.get(i)[0];
            Set<String> live = sets.get((int) reads.get(i)[1]);
            distinct.add(seq);
            Set<String> previous = bySeq.putIfAbsent(seq, live);
            if (previous != null && !previous.equals(live)) {
                reused++;
            }
            if (i > 0) {
                long before = reads.get(i - 1)[0];
                if (seq < before) {
                    regressions++;
                }
                if (!live.equals(sets.get((int) reads.get(i - 1)[1])) && seq <= before) {
                    changedWithoutRaise++;
                }
            }
        }
        System.out.printf("ChurnRace[%s]: acknowledged %s, reads %d, distinct seq %d, regressions %d, reused %d, "
                        + "set changed without a higher seq %d, history events %d%n", herald.server().kind(),
                results.stream().map(r -> r.stream().collect(java.util.stream.Collectors.groupingBy(t -> t,
                        java.util.TreeMap::new, java.util.stream.Collectors.counting()))).toList(),
                reads.size(), distinct.size(), regressions, reused, changedWithoutRaise, events.size());
        assertTrue(reads.size() > 10, "the reader saw the churn: " + reads.size());
        assertEquals(0, regressions, "seq never goes back");
        assertEquals(0, reused, "one seq, one live set");
        assertEquals(0, changedWithoutRaise, "a new live set has a higher seq");
    }

    @OnEachServer
    @SuppressWarnings("unchecked")
    void racingSignerRotationsKeepOneCountersignedChain(Herald herald) throws Exception {
        DevServer server = herald.server();
        String mount = herald.enable("signrace");
        String initial = (String) Json.at(server.http("GET", mount + "/signer", null).assertStatus(200).json(),
                "data", "kid");
        List<HttpResult> answers = race(java.util.stream.IntStream.range(0, RACERS)
                .<Callable<HttpResult>>mapToObj(i -> () -> server.http("POST", mount + "/signer/rotate", Map.of()))
                .toList());
        List<Integer> statuses = answers.stream().map(HttpResult::status).toList();
        List<HttpResult> ok = answers.stream().filter(a -> a.status() == 200).toList();
        JWKSet jwks = JWKSet.parse(server.httpWithoutToken("GET", mount + "/jwks").assertStatus(200).data());
        System.out.printf("SignerRace[%s]: statuses %s, jwks keys %d%n", server.kind(), statuses, jwks.getKeys().size());
        assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 409), statuses::toString);
        assertTrue(!ok.isEmpty(), "at least one rotation succeeds");
        assertEquals(1 + ok.size(), jwks.getKeys().size(), "one new key per acknowledged rotation: " + statuses);

        // Each new key is countersigned by the key before it: the countersigning kids, followed from the
        // initial key, form one chain through every new key (no fork, no gap).
        Map<String, String> successor = new HashMap<>();
        for (HttpResult answer : ok) {
            SignedJWT countersignature = SignedJWT.parse((String) answer.data().get("countersignature"));
            String previous = countersignature.getHeader().getKeyID();
            JWK signing = jwks.getKeyByKeyId(previous);
            assertTrue(signing != null, "the countersigning key is in the jwks: " + previous);
            JWSVerifier verifier = signing instanceof OctetKeyPair okp ? new Ed25519Verifier(okp)
                    : new ECDSAVerifier((ECKey) signing);
            assertTrue(countersignature.verify(verifier), "the countersignature verifies");
            JWK next = JWK.parse((Map<String, Object>) countersignature.getJWTClaimsSet().getClaim("jwk"));
            assertEquals(answer.data().get("kid"), next.getKeyID());
            assertEquals(null, successor.put(previous, next.getKeyID()), "a fork: two keys countersigned by " + previous);
        }
        List<String> chain = new ArrayList<>(List.of(initial));
        while (successor.containsKey(chain.getLast()) && chain.size() <= RACERS + 1) {
            chain.add(successor.get(chain.getLast()));
        }
        assertEquals(ok.size() + 1, chain.size(), () -> "one chain through every key: " + chain + " from " + successor);
        String current = (String) Json.at(server.http("GET", mount + "/signer", null).assertStatus(200).json(),
                "data", "kid");
        assertEquals(chain.getLast(), current, "the chain ends at the current signing key");
    }

    /** Runs the tasks at once (released together) and returns their results in order. */
    private static <T> List<T> race(List<Callable<T>> tasks) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
