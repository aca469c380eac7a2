package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import dev.herald.sdk.json.Json;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.TlogProof;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a discovery record carries of the log: its checkpoint, each instance's log_index, and proofs beside it. */
class RecordLogTest {
    private final ServedLog log = new ServedLog();
    private final PublishingFixture mount = log.mount;

    @Test
    void aRecordIsSignedAgainstACheckpointThatHoldsTheLeafOfEveryListedKeyWithItsProofBeside() throws Exception {
        log.grow(9); // other leaves before: the listed one is not leaf 0
        Response published = log.republish();
        long index = ((Number) ((Map<?, ?>) published.data().get("log")).get("index")).longValue();

        Map<String, Object> answer = mount.discover();
        Map<String, Object> claims = claims(answer);
        String note = (String) claims.get("log_checkpoint");
        assertEquals(note, answer.get("log_checkpoint"), "decoded beside the record like every claim");
        SignedCheckpoint checkpoint = SignedCheckpoint.open(note, log.keys().getFirst().name(), log.keys());
        assertTrue(checkpoint.checkpoint().size() > index);
        Map<?, ?> listed = (Map<?, ?>) ((List<?>) claims.get("instances")).getFirst();
        assertEquals(index, ((Number) listed.get("log_index")).longValue(), "the leaf that published the listed key");

        TlogProof proof = TlogProof.parse((String) ((Map<?, ?>) answer.get("log_proofs")).get("pod-1"));
        assertEquals(index, proof.index());
        assertEquals(note, proof.checkpoint(), "the record's checkpoint, byte for byte");
        proof.verify(proof.extra().orElseThrow(), checkpoint.checkpoint().origin(), log.keys());
        Map<String, Object> leaf = Json.parseObject(new String(proof.extra().orElseThrow(), StandardCharsets.UTF_8));
        assertEquals("revive", leaf.get("type"));
        assertEquals(listed.get("fingerprint"), "sha256:" + java.util.HexFormat.of().formatHex(
                PublisherKey.sha256(Base64.getDecoder().decode((String) leaf.get("spki")))),
                "the leaf publishes the listed key");
    }

    @Test
    void anInstanceListedInTwoGenerationsHasAProofForEach() throws Exception {
        mount.publish(mount.body(mount.first));
        TestKeys second = TestKeys.generate("ec-p256");
        Map<String, Object> rotation = mount.body(second);
        rotation.put("continuity", mount.first.continuityFor(second, 1));
        mount.engine.clock.advance(Duration.ofMinutes(31));
        mount.publish(rotation);

        Map<String, Object> answer = mount.discover();
        List<?> listed = (List<?>) claims(answer).get("instances");
        assertEquals(2, listed.size());
        List<?> proofs = (List<?>) ((Map<?, ?>) answer.get("log_proofs")).get("pod-1");
        assertEquals(2, proofs.size());
        for (int i = 0; i < 2; i++) {
            TlogProof proof = TlogProof.parse((String) proofs.get(i));
            assertEquals(((Number) ((Map<?, ?>) listed.get(i)).get("log_index")).longValue(), proof.index(), "in the record's order");
            proof.verify(proof.extra().orElseThrow(), log.checkpoint().checkpoint().origin(), log.keys());
        }
        assertNotEquals(proofs.get(0), proofs.get(1));
    }

    @Test
    void aKeptRecordKeepsItsCheckpointWhileTheLogGrowsElsewhere() throws Exception {
        mount.publish(mount.body(mount.first));
        Map<String, Object> before = mount.discover();
        publishMany(1); // another service's change: a larger tree
        Map<String, Object> after = mount.discover();
        assertEquals(before.get("record"), after.get("record"), "the service did not change: the record is reused");
        assertEquals(before.get("log_proofs"), after.get("log_proofs"));
        assertTrue(log.checkpoint().checkpoint().size() > SignedCheckpoint.open((String) after.get("log_checkpoint"),
                log.keys().getFirst().name(), log.keys()).checkpoint().size(), "the log grew meanwhile");
    }

    @Test
    void aRecordListingAPublicationMadeBeforeTheMountHadALogCarriesNoLogPart() {
        Publication unlogged = TestValues.publication("pod-1", 1, PublisherKeys.fromPublicKey(TestKeys.generate("ed25519").publicKeyPem()));
        assertEquals(Publication.NOT_LOGGED, unlogged.logIndex());
        assertTrue(RecordLog.of(List.of(unlogged), null).isEmpty(), "nothing to prove it with; a pinned client refuses it");
        assertFalse(unlogged.toRecordClaims().containsKey("log_index"));
    }

    @Test
    void aRecordOfMoreThanSixteenInstancesLeavesItsProofsToTheProofPath() {
        publishMany(RecordLog.MAX_PROOFS + 1);
        Map<String, Object> answer = mount.engine.send(Operation.READ, "discover/many", Map.of()).data();
        assertTrue(claims(answer).containsKey("log_checkpoint"));
        assertFalse(answer.containsKey("log_proofs"), "17 proofs would be ~37 KB at 10^6 leaves");
    }

    /** {@code count} instances published into the service "many". */
    private void publishMany(int count) {
        mount.engine.send(Operation.UPDATE, "roles/many", Map.of("services", "many", "instance", "*", "require_proof", false));
        for (int i = 0; i < count; i++) {
            Map<String, Object> body = new java.util.HashMap<>();
            body.put("role", "many");
            body.put("public_key", TestKeys.generate("ed25519").publicKeyPem());
            mount.engine.write("publish/many/pod-" + i, body, PublishingFixture.POD_CALLER);
        }
    }

    private static Map<String, Object> claims(Map<String, Object> answer) {
        String[] parts = ((String) answer.get("record")).split("\\.");
        return Json.parseObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }
}
