package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Timeout;

/** Write-once under concurrency, and acknowledged publications surviving a killed plugin. */
@Timeout(300)
class PublishDurabilityTest {

    @OnEachServer
    void ofOneHundredRacingFirstPublicationsExactlyOneWinsAndSurvivesAKilledPlugin(Herald herald) throws Exception {
        PublishingMount flow = new PublishingMount(herald, "race", "[\"create\", \"update\"]", "");
        JwtIssuer.Login pod = flow.pod("pod-1");
        List<Publisher> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            keys.add(Publisher.ed25519());
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(100);
        List<Future<HttpResult>> results = new ArrayList<>();
        for (Publisher key : keys) {
            results.add(pool.submit(() -> {
                start.await();
                return flow.publish(pod, "pod-1", key, Map.of());
            }));
        }
        start.countDown();
        List<HttpResult> answers = new ArrayList<>();
        for (Future<HttpResult> result : results) {
            answers.add(result.get());
        }
        pool.shutdown();
        List<HttpResult> won = answers.stream().filter(a -> a.status() == 200).toList();
        assertEquals(1, won.size(), () -> "exactly one winner: " + answers.stream().map(HttpResult::status).toList());
        assertTrue(answers.stream().allMatch(a -> a.status() == 200 || a.status() == 409),
                () -> "the others are refused as conflicts: " + answers.stream().filter(a -> a.status() != 200).findFirst());
        Object winner = won.getFirst().data().get("fingerprint");
        assertEquals(List.of(winner), fingerprints(flow));
        assertEquals(1L, ((Number) flow.discover().get("seq")).longValue(), "one change of the live set");

        // What was acknowledged is in the server's storage, not only in the plugin's memory.
        ProcessHandle plugin = herald.pluginProcess();
        plugin.destroyForcibly();
        assertTrue(DevServer.await(Duration.ofSeconds(10), () -> !plugin.isAlive()));
        assertEquals(List.of(winner), fingerprints(flow));
        assertNotEquals(plugin.pid(), herald.pluginProcess().pid());
        Publisher winning = keys.stream().filter(k -> k.fingerprint().equals(winner)).findFirst().orElseThrow();
        HttpResult again = flow.publish(pod, "pod-1", winning, Map.of()).assertStatus(200);
        assertEquals(true, again.data().get("unchanged"), "the new process knows the publication: " + again);
    }

    @OnEachServer
    void aSelfSignedCertificateIsProofToo(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "cert", "[\"create\", \"update\"]", "");
        Publisher key = Publisher.ecP384();
        HttpResult published = flow.server.http("POST", flow.mount + "/publish/web/pod-9", Map.of("role", "web",
                "certificate", key.selfSignedCertificatePem(), "dns_names", List.of("pod-9.web.internal")),
                flow.pod("pod-9").token()).assertStatus(200);
        assertEquals(key.fingerprint(), published.data().get("fingerprint"));
        Object instance = ((List<?>) flow.discover().get("instances")).getFirst();
        assertTrue(String.valueOf(Json.at(instance, "certificate_pem")).contains("BEGIN CERTIFICATE"), instance::toString);
        assertEquals("EC", Json.at(instance, "jwk", "kty"));
        assertEquals("P-384", Json.at(instance, "jwk", "crv"));
    }

    private static List<Object> fingerprints(PublishingMount flow) {
        return ((List<?>) flow.discover().get("instances")).stream().map(i -> Json.at(i, "fingerprint")).toList();
    }
}
