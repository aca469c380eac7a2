package dev.herald.it;

import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acknowledged rotation on real servers (docs/design-ack.md §11.2), the engine's side: consumers
 * logged in through the jwt auth method (one entity each) acknowledge what discover served them; a
 * rotation of the publisher's key completes at the last acknowledgement and not before; a seq
 * never served is refused. The client processes of §11.2 come with the client library's part.
 */
@Timeout(180)
class AckRotationTest {
    private static final String SESSION_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String SESSION_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResult ack(PublishingMount flow, JwtIssuer.Login consumer, Map<String, Object> served, String session) {
        return flow.server.http("POST", flow.mount + "/ack/web", Map.of("seq", served.get("seq"),
                "ack_token", Json.at(served, "ack", "token"), "session", session), consumer.token());
    }

    private static Map<String, Object> discoverAs(PublishingMount flow, JwtIssuer.Login consumer) {
        return flow.server.http("GET", flow.mount + "/discover/web", null, consumer.token()).assertStatus(200).data();
    }

    @OnEachServer
    void aRotationCompletesAtTheLastAcknowledgementAndNotBefore(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "ackrot", "[\"create\",\"update\"]", "ttl=60s");
        flow.server.cli("write", flow.mount + "/config", "rotation_window=0.1", "min_overlap=1s", "record_ttl=5s",
                "max_overlap=50s", "consumer_ttl=10m").assertSuccess();
        JwtIssuer.policy(flow.server, "ackrot-consumer", "path \"" + flow.mount + "/discover/*\" { capabilities = [\"read\"] }\n"
                + "path \"" + flow.mount + "/ack/*\" { capabilities = [\"update\", \"delete\"] }\n");
        flow.issuer.role("consumers", List.of("ackrot-consumer"), Map.of());
        JwtIssuer.Login a = flow.issuer.login("consumers", "consumer-a", Map.of());
        JwtIssuer.Login b = flow.issuer.login("consumers", "consumer-b", Map.of());

        JwtIssuer.Login pod = flow.pod("pod-1");
        Publisher first = Publisher.ed25519();
        flow.publish(pod, "pod-1", first, Map.of()).assertStatus(200);
        Map<String, Object> before = discoverAs(flow, a);
        ack(flow, a, before, SESSION_A).assertStatus(200);
        ack(flow, b, before, SESSION_B).assertStatus(200);
        HttpResult unserved = flow.server.http("POST", flow.mount + "/ack/web", Map.of("seq",
                ((Number) before.get("seq")).longValue() + 1, "ack_token", Json.at(before, "ack", "token"), "session", SESSION_A),
                a.token()).assertStatus(403);
        assertTrue(unserved.errors().contains("was not served"), unserved::toString);

        sleep(Duration.ofSeconds(7)); // past rotation_window 0.1 of 60 s
        Publisher second = Publisher.ed25519();
        Map<String, Object> rotated = flow.publish(pod, "pod-1", second, Map.of("continuity",
                first.continuityFor(second, flow.mount + "/", "web", "pod-1", 1))).assertStatus(200).data();
        assertEquals(true, Json.at(rotated, "rotation", "counted"), rotated::toString);

        sleep(Duration.ofSeconds(3)); // past min_overlap: without consumers the old key would have left
        Map<String, Object> rotatedRecord = discoverAs(flow, a);
        assertEquals(true, Json.at(rotatedRecord, "ack", "requested"));
        assertEquals(2, ((List<?>) rotatedRecord.get("instances")).size(), "both keys listed while consumers lag");
        Map<String, Object> afterA = ack(flow, a, rotatedRecord, SESSION_A).assertStatus(200).data();
        assertEquals(List.of(), afterA.get("completed"), "b has not moved yet");
        Map<String, Object> progress = flow.server.http("GET", flow.mount + "/rotation/web/pod-1", null)
                .assertStatus(200).data();
        assertEquals("pending", Json.at(((List<?>) progress.get("rotations")).getFirst(), "state"), progress::toString);
        assertEquals(1L, ((Number) Json.at(((List<?>) progress.get("rotations")).getFirst(), "unacknowledged")).longValue());

        Map<String, Object> afterB = ack(flow, b, discoverAs(flow, b), SESSION_B).assertStatus(200).data();
        assertEquals(1, ((List<?>) afterB.get("completed")).size(), "the last acknowledgement completes it: " + afterB);
        List<?> events = (List<?>) flow.server.http("GET", flow.mount + "/history/web", null).assertStatus(200).data()
                .get("events");
        assertEquals("rotation_end", Json.at(events.getLast(), "type"), events::toString);
        assertEquals(Json.at(events.getLast(), "actor", "entity_id"), b.entityId(), "history names who completed it");

        // A leave with the session as a query parameter, as DELETE carries it on both servers.
        flow.server.http("DELETE", flow.mount + "/ack/web?session=" + SESSION_A, null, a.token()).assertStatus(204);
        Map<String, Object> consumers = flow.server.http("GET", flow.mount + "/consumers/web", null).assertStatus(200).data();
        assertEquals(1L, ((Number) Json.at(consumers, "summary", "sessions")).longValue(), consumers::toString);
    }
}
