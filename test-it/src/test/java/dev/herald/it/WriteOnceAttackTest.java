package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Write-once against the adversaries of DESIGN §1 on real servers: a stolen publisher token that
 * ends its own publication, anyone with the default policy who learns a lease id, and a captured
 * continuity signature replayed elsewhere. Each of these replaced a key before tombstones, renewals
 * that never shorten and the continuity message (DESIGN §5.3).
 */
@Timeout(180)
class WriteOnceAttackTest {

    @OnEachServer
    void aStolenTokenThatRevokesItselfCannotReplaceTheKey(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "selfrevoke", "[\"create\", \"update\"]", "ttl=1h");
        DevServer server = flow.server;
        Publisher victim = Publisher.ed25519();
        JwtIssuer.Login stolen = flow.pod("pod-1");
        flow.publish(stolen, "pod-1", victim, Map.of()).assertStatus(200);

        // The attacker ends the publication with the stolen token (the default policy allows revoke-self)...
        server.http("POST", "auth/token/revoke-self", Map.of(), stolen.token()).assertStatus(204);
        assertTrue(DevServer.await(Duration.ofSeconds(30),
                () -> server.http("GET", flow.mount + "/discover/web", null).status() == 404), "the publication ended");
        // ...and logs in again as the same workload (a stolen service-account JWT) with a key of his own.
        JwtIssuer.Login again = flow.pod("pod-1");
        Publisher attacker = Publisher.ed25519();
        HttpResult replaced = flow.publish(again, "pod-1", attacker, Map.of()).assertStatus(409);
        assertTrue(replaced.errors().contains("keeps its last key"), replaced::toString);
        HttpResult selfSigned = flow.publish(again, "pod-1", attacker, Map.of("continuity",
                attacker.continuityFor(attacker, flow.mount + "/", "web", "pod-1", 1))).assertStatus(400);
        assertTrue(selfSigned.errors().contains("continuity"), selfSigned::toString);
        HttpResult otherClaims = flow.publish(again, "pod-1", victim, Map.of("endpoints",
                List.of("attacker.web.internal:8443"))).assertStatus(409);
        assertTrue(otherClaims.errors().contains("keeps its last key"), otherClaims::toString);
        server.http("GET", flow.mount + "/discover/web", null).assertStatus(404);

        // The workload itself restarts with its key: the same key and claims revive the instance.
        HttpResult revived = flow.publish(again, "pod-1", victim, Map.of()).assertStatus(200);
        assertEquals(2L, revived.data().get("generation"));
        assertEquals(List.of("publish", "lease_end", "revive"), historyTypes(flow));
    }

    @OnEachServer
    void aLeaseIdInTheWrongHandsCannotShortenThePublication(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "shorten", "[\"create\", \"update\"]", "ttl=1h");
        DevServer server = flow.server;
        String leaseId = (String) flow.publish(flow.pod("pod-1"), "pod-1", Publisher.ed25519(), Map.of())
                .assertStatus(200).json().get("lease_id");
        long seq = flow.seq();
        Object notAfter = Json.at(((List<?>) flow.discover().get("instances")).getFirst(), "not_after");

        // Someone who read the lease id in an audit log, with a token of the default policy only.
        String bystander = (String) ((Map<?, ?>) server.http("POST", "auth/token/create",
                Map.of("policies", List.of("default"), "ttl", "10m")).assertStatus(200).json().get("auth"))
                .get("client_token");
        // The server would end the lease after the increment, whatever the plugin answered: so it is refused.
        HttpResult renewed = server.http("PUT", "sys/leases/renew", Map.of("lease_id", leaseId, "increment", 1),
                bystander).assertStatus(400);
        assertTrue(renewed.errors().contains("never shortens a publication"), renewed::toString);
        long remaining = ((Number) ((Map<?, ?>) server.http("PUT", "sys/leases/lookup", Map.of("lease_id", leaseId))
                .assertStatus(200).json().get("data")).get("ttl")).longValue();
        assertTrue(remaining > 3000, "the lease kept its end: ttl " + remaining);

        Object after = Json.at(((List<?>) flow.discover().get("instances")).getFirst(), "not_after");
        assertEquals(notAfter, after, "not_after did not move");
        assertEquals(seq, flow.seq(), "nothing changed");
        // The 1 s asked for has passed: the publication is still listed.
        sleep(Duration.ofSeconds(2));
        assertEquals(1, ((List<?>) flow.discover().get("instances")).size());
        assertEquals(List.of("publish"), historyTypes(flow));
    }

    @OnEachServer
    void aCapturedContinuityIsWorthNothingElsewhereAndOnlyAResetClearsTheKey(Herald herald) {
        PublishingMount a = new PublishingMount(herald, "conta", "[\"create\", \"update\"]", "ttl=1h");
        PublishingMount b = new PublishingMount(herald, "contb", "[\"create\", \"update\"]", "ttl=1h");
        DevServer server = a.server;
        a.server.cli("write", a.mount + "/roles/web", "instance=*").assertSuccess();
        Publisher current = Publisher.ecP256();
        Publisher next = Publisher.ed25519();
        // The same key held by two instances on mount a and one on mount b: all three end (leases revoked).
        for (String instance : List.of("pod-1", "pod-2")) {
            String lease = (String) a.publish(a.pod("pod-1"), instance, current, Map.of("endpoints",
                    List.of("pod-1.web.internal:8443"))).assertStatus(200).json().get("lease_id");
            server.http("PUT", "sys/leases/revoke", Map.of("lease_id", lease)).assertStatus(204);
        }
        String leaseB = (String) b.publish(b.pod("pod-1"), "pod-1", current, Map.of()).assertStatus(200)
                .json().get("lease_id");
        server.http("PUT", "sys/leases/revoke", Map.of("lease_id", leaseB)).assertStatus(204);

        // The handover of a's pod-1, generation 1, to next, as the workload made it (and an attacker captured it).
        String captured = current.continuityFor(next, a.mount + "/", "web", "pod-1", 1);
        Map<String, Object> moved = Map.of("continuity", captured, "endpoints", List.of("pod-1.web.internal:8443"));
        HttpResult otherInstance = a.publish(a.pod("pod-1"), "pod-2", next, moved).assertStatus(400);
        assertTrue(otherInstance.errors().contains("continuity message"), otherInstance::toString);
        HttpResult otherMount = b.publish(b.pod("pod-1"), "pod-1", next, Map.of("continuity", captured))
                .assertStatus(400);
        assertTrue(otherMount.errors().contains("continuity message"), otherMount::toString);
        Publisher third = Publisher.ed25519();
        HttpResult otherKey = a.publish(a.pod("pod-1"), "pod-1", third, moved).assertStatus(400);
        assertTrue(otherKey.errors().contains("continuity message"), otherKey::toString);

        HttpResult handedOver = a.publish(a.pod("pod-1"), "pod-1", next, moved).assertStatus(200);
        assertEquals(2L, handedOver.data().get("generation"));
        // Replayed for a rollback: the old key again, with the continuity that once led away from it.
        HttpResult rollback = a.publish(a.pod("pod-1"), "pod-1", current, moved).assertStatus(409);
        assertTrue(rollback.errors().contains("rotation"), rollback::toString);

        // Only an operator clears a tombstone: b's pod-1 then takes any key, as a new generation.
        HttpResult reset = server.http("POST", b.mount + "/revoke/web/pod-1", Map.of("reset", true,
                "reason", "workload lost its key")).assertStatus(200);
        assertEquals(true, reset.data().get("reset"));
        HttpResult fresh = b.publish(b.pod("pod-1"), "pod-1", third, Map.of()).assertStatus(200);
        assertEquals(2L, fresh.data().get("generation"));
        assertEquals(List.of("publish", "lease_end", "reset", "publish"), historyTypes(b));
    }

    @OnEachServer
    void theRecordOfOneInstanceCannotStandInForTheService(Herald herald) throws Exception {
        PublishingMount flow = new PublishingMount(herald, "scope", "[\"create\", \"update\"]", "");
        flow.publish(flow.pod("pod-1"), "pod-1", Publisher.ed25519(), Map.of()).assertStatus(200);
        String service = (String) flow.discover().get("record");
        String instance = (String) flow.server.http("GET", flow.mount + "/discover/web/pod-1", null)
                .assertStatus(200).data().get("record");
        assertEquals("service", SignedJWT.parse(service).getJWTClaimsSet().getStringClaim("scope"));
        assertEquals("instance", SignedJWT.parse(instance).getJWTClaimsSet().getStringClaim("scope"));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Object> historyTypes(PublishingMount flow) {
        List<?> events = (List<?>) flow.server.http("GET", flow.mount + "/history/web", null).assertStatus(200)
                .data().get("events");
        return events.stream().map(e -> Json.at(e, "type")).toList();
    }
}
