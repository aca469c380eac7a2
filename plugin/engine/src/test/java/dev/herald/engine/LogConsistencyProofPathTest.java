package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.RawBody;
import dev.herald.sdk.VaultException;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.Hash;
import dev.herald.tlog.Proofs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LogConsistencyProofPathTest {
    private final ServedLog log = new ServedLog();

    @Test
    void theProofBetweenTwoCheckpointsChecks() throws Exception {
        List<Checkpoint> seen = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            log.grow(round == 2 ? 260 : 7);
            seen.add(log.checkpoint().checkpoint());
        }
        for (Checkpoint from : seen) {
            for (Checkpoint to : seen) {
                if (from.size() > to.size()) {
                    continue;
                }
                RawBody raw = log.raw("log/proof/consistency", Map.of("from", Long.toString(from.size()), "to", Long.toString(to.size())));
                assertEquals("public, max-age=31536000, immutable", raw.cacheControl().orElseThrow());
                List<Hash> proof = new ArrayList<>();
                for (String line : ServedLog.text(raw).split("\n")) {
                    if (!line.isEmpty()) {
                        proof.add(Hash.fromBase64(line));
                    }
                }
                Proofs.checkConsistency(from.size(), from.root(), to.size(), to.root(), proof);
            }
        }
    }

    @Test
    void badParametersAreRefusedNamingTheProblem() throws Exception {
        log.grow(5);
        for (Map<String, Object> query : List.<Map<String, Object>>of(Map.of(), Map.of("from", "1"), Map.of("to", "1"),
                Map.of("from", "3", "to", "2"), Map.of("from", "-1", "to", "2"), Map.of("from", "a", "to", "2"))) {
            VaultException e = assertThrows(VaultException.class,
                    () -> log.mount.engine.send(Operation.READ, "log/proof/consistency", query), query.toString());
            assertEquals(400, e.status(), query + ": " + e.getMessage());
        }
        VaultException beyond = assertThrows(VaultException.class,
                () -> log.mount.engine.send(Operation.READ, "log/proof/consistency", Map.of("from", "1", "to", "6")));
        assertEquals(404, beyond.status());
    }
}
