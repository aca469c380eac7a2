package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.RawBody;
import dev.herald.sdk.VaultException;
import dev.herald.tlog.EntryBundle;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.TileId;
import dev.herald.tlog.TlogProof;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogInclusionProofPathTest {
    private final ServedLog log = new ServedLog();

    @Test
    void everyLeafIsProvedUnderTheLatestCheckpointWithTheLeafInExtra() throws Exception {
        log.grow(270);
        List<NoteVerifier> keys = log.keys();
        SignedCheckpoint latest = log.checkpoint();
        long size = latest.checkpoint().size();
        List<byte[]> leaves = new java.util.ArrayList<>(EntryBundle.decode(TileId.entries(0, 256), log.tile(TileId.entries(0, 256))));
        leaves.addAll(EntryBundle.decode(TileId.entries(1, (int) size - 256), log.tile(TileId.entries(1, (int) size - 256))));
        for (long index : new long[] {0, 1, 127, 255, 256, size - 1}) {
            RawBody raw = log.raw("log/proof/inclusion", Map.of("index", Long.toString(index)));
            assertEquals("max-age=0", raw.cacheControl().orElseThrow());
            TlogProof proof = TlogProof.parse(ServedLog.text(raw));
            assertArrayEquals(leaves.get((int) index), proof.extra().orElseThrow());
            SignedCheckpoint under = proof.verify(proof.extra().orElseThrow(), latest.checkpoint().origin(), keys);
            assertEquals(latest.checkpoint(), under.checkpoint());
        }
    }

    @Test
    void anOlderSizeIsProvedUnderThatSizesCheckpointAsTheLogSignedIt() throws Exception {
        log.grow(5);
        String old = ServedLog.text(log.raw("log/checkpoint"));
        long oldSize = log.checkpoint().checkpoint().size();
        log.grow(260);
        RawBody raw = log.raw("log/proof/inclusion", Map.of("index", "2", "size", Long.toString(oldSize)));
        assertEquals("public, max-age=31536000, immutable", raw.cacheControl().orElseThrow());
        TlogProof proof = TlogProof.parse(ServedLog.text(raw));
        assertEquals(old, proof.checkpoint(), "the same note, signed again (Ed25519 is deterministic)");
        proof.verify(proof.extra().orElseThrow(), log.checkpoint().checkpoint().origin(), log.keys());
    }

    @Test
    void badParametersAreRefusedNamingTheProblem() throws Exception {
        log.grow(3);
        for (Map<String, Object> query : List.<Map<String, Object>>of(Map.of(), Map.of("index", "3"), Map.of("index", "-1"),
                Map.of("index", "x"), Map.of("index", "0", "size", "0"), Map.of("index", "2", "size", "2"),
                Map.of("index", "99999999999999999999"))) {
            VaultException e = assertThrows(VaultException.class,
                    () -> log.mount.engine.send(Operation.READ, "log/proof/inclusion", query), query.toString());
            assertEquals(400, e.status(), query + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("index") || e.getMessage().contains("size"), e.getMessage());
        }
        VaultException beyond = assertThrows(VaultException.class,
                () -> log.mount.engine.send(Operation.READ, "log/proof/inclusion", Map.of("index", "0", "size", "4")));
        assertEquals(404, beyond.status(), "a size beyond the checkpoint this node holds");
    }

    @Test
    void thePublishAnswerNamesItsLeafAndTheCheckpointThatHoldsIt() throws Exception {
        log.grow(4);
        dev.herald.sdk.Response answer = log.republish();
        @SuppressWarnings("unchecked")
        Map<String, Object> logged = (Map<String, Object>) answer.data().get("log");
        long index = ((Number) logged.get("index")).longValue();
        String checkpoint = (String) logged.get("checkpoint");
        assertTrue(answer.lease().isPresent(), "the lease is kept");
        assertEquals("pod-1", answer.data().get("instance"), "the other fields are kept");
        SignedCheckpoint opened = SignedCheckpoint.open(checkpoint, log.keys().getFirst().name(), log.keys());
        assertEquals(index + 1, opened.checkpoint().size(), "the revive is the last leaf");
        TlogProof proof = TlogProof.parse(ServedLog.text(log.raw("log/proof/inclusion",
                Map.of("index", Long.toString(index), "size", Long.toString(opened.checkpoint().size())))));
        assertEquals(checkpoint, proof.checkpoint());
        proof.verify(proof.extra().orElseThrow(), opened.checkpoint().origin(), log.keys());
        assertTrue(new String(proof.extra().orElseThrow(), java.nio.charset.StandardCharsets.UTF_8).contains("revive"));
        assertEquals(null, log.mount.publish(log.mount.body(log.mount.first)).data().get("log"),
                "an unchanged answer appends nothing");
    }
}
