package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Timeout;

/**
 * A server on persistent storage (one node on integrated storage, started from a config file) is
 * stopped and started again, gracefully (SIGTERM) and by a crash (SIGKILL right after the last
 * acknowledged publish): every publication, the signing key and its kid, the history and the
 * service's sequence are still there, records verify with the JWK Set pinned before the stop, and
 * the next change continues the sequence.
 */
@Timeout(180)
class PersistentRestartTest {

    private static final int PUBLICATIONS = 20;

    @OnEachServer
    void everythingSurvivesASigtermRestart(ServerKind kind) throws Exception {
        survivesRestart(kind, RaftNode::terminate);
    }

    @OnEachServer
    void everythingSurvivesASigkillRestart(ServerKind kind) throws Exception {
        survivesRestart(kind, RaftNode::kill);
    }

    /** What a consumer and an operator see of the service, to compare before and after. */
    private record Seen(long seq, Map<Object, List<Object>> instances, List<?> history, String kid, Object jwks,
            Object signerKid) {

        static Seen read(RaftNode node, RaftPublishing flow) throws Exception {
            Map<String, Object> discover = flow.discover(node).assertStatus(200).data();
            Map<Object, List<Object>> instances = new TreeMap<>();
            for (Object i : (List<?>) discover.get("instances")) {
                instances.put(Json.at(i, "instance"), List.of(Json.at(i, "generation"), Json.at(i, "fingerprint"),
                        Json.at(i, "not_before"), Json.at(i, "not_after")));
            }
            String kid = SignedJWT.parse((String) discover.get("record")).getHeader().getKeyID();
            return new Seen(((Number) discover.get("seq")).longValue(), instances, flow.history(node), kid,
                    flow.jwks(node).toJSONObject(), node.http("GET", flow.mount + "/signer", null).assertStatus(200)
                            .data().get("kid"));
        }
    }

    private static void survivesRestart(ServerKind kind, Consumer<RaftNode> stop) throws Exception {
        RaftCluster.run(kind, PersistentRestartTest.class.getSimpleName(), 1, cluster -> survivesRestart(cluster, stop));
    }

    private static void survivesRestart(RaftCluster cluster, Consumer<RaftNode> stop) throws Exception {
        RaftNode node = cluster.node(1);
        RaftPublishing flow = new RaftPublishing(node, cluster.enableHerald("herald"));
        for (int i = 1; i < PUBLICATIONS; i++) {
            String pod = "pod-" + i;
            flow.publish(node, RaftPublishing.token(flow.login(node, pod)), pod, Publisher.ed25519()).assertStatus(200);
        }
        Seen before = Seen.read(node, flow);
        JWKSet pinned = flow.jwks(node);
        assertEquals(PUBLICATIONS - 1, before.instances().size());
        assertEquals(PUBLICATIONS - 1, before.seq(), "one change per publication");

        // The last publication is acknowledged, and the server stops at once.
        String last = "pod-" + PUBLICATIONS;
        Publisher lastKey = Publisher.ecP256();
        String lastToken = RaftPublishing.token(flow.login(node, last));
        Map<String, Object> acknowledged = flow.publish(node, lastToken, last, lastKey).assertStatus(200).data();
        stop.accept(node);
        long down = System.nanoTime();
        cluster.restart(node);
        assertEquals(node, cluster.awaitLeader());
        System.err.printf("herald-it: %s restarted and unsealed in %d ms%n", node.name(),
                (System.nanoTime() - down) / 1_000_000);

        Seen after = Seen.read(node, flow);
        long seq = ((Number) acknowledged.get("sequence")).longValue();
        assertEquals(before.seq() + 1, seq, "the acknowledged publication's sequence");
        assertEquals(seq, after.seq(), "the sequence survives: nothing changed since the last publication");
        List<Object> lastSeen = after.instances().remove(last);
        assertEquals(before.instances(), after.instances(), "every publication survives");
        assertEquals(List.of(1L, lastKey.fingerprint()), lastSeen == null ? null : lastSeen.subList(0, 2),
                "the publication acknowledged just before the stop survives");
        assertEquals(before.jwks(), after.jwks(), "the same signing key");
        assertEquals(before.kid(), after.kid());
        assertEquals(before.signerKid(), after.signerKid());
        assertEquals(before.history(), after.history().subList(0, before.history().size()), "history intact");
        assertEquals(before.history().size() + 1, after.history().size());
        assertEquals("publish", Json.at(after.history().getLast(), "type"));
        assertEquals(last, Json.at(after.history().getLast(), "instance"));
        String record = (String) flow.discover(node).assertStatus(200).data().get("record");
        PublishFlowTest.verify(record, pinned, flow.recordIssuer(), RaftPublishing.SERVICE);

        // The sequence continues: the next change (after the restart) gets a higher one.
        HttpResult again = flow.publish(node, lastToken, last, lastKey).assertStatus(200);
        assertEquals(true, again.data().get("unchanged"), "the restarted plugin knows the publication: " + again);
        String next = "pod-" + (PUBLICATIONS + 1);
        long nextSeq = ((Number) flow.publish(node, RaftPublishing.token(flow.login(node, next)), next,
                Publisher.ed25519()).assertStatus(200).data().get("sequence")).longValue();
        assertTrue(nextSeq > seq, "the next change continues the sequence: " + nextSeq + " after " + seq);
        Map<String, Object> discover = flow.discover(node).assertStatus(200).data();
        assertEquals(nextSeq, ((Number) discover.get("seq")).longValue());
        assertEquals(PUBLICATIONS + 1, ((List<?>) discover.get("instances")).size());
        PublishFlowTest.verify((String) discover.get("record"), pinned, flow.recordIssuer(), RaftPublishing.SERVICE);
    }
}
