package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.RawBody;
import dev.herald.sdk.VaultException;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.TreeHash;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogCheckpointPathTest {
    private final ServedLog log = new ServedLog();

    @Test
    void theCheckpointIsSignedByTheLogKeyAndCoversEveryAcknowledgedChange() throws Exception {
        log.grow(3);
        RawBody raw = log.raw("log/checkpoint");
        assertEquals("text/plain; charset=utf-8", raw.contentType());
        assertEquals("no-cache, max-age=0", raw.cacheControl().orElseThrow());
        assertEquals(3, log.checkpoint().checkpoint().size(), "publish, lease end, revive");
        log.grow(2);
        assertEquals(5, log.checkpoint().checkpoint().size());
    }

    @Test
    void aMountWithoutALogKeyHasNoLogYetAndOneWithAKeyAnEmptyTree() throws Exception {
        for (String path : new String[] {"log/checkpoint", "log/key"}) {
            VaultException e = assertThrows(VaultException.class, () -> log.mount.engine.send(Operation.READ, path, Map.of()));
            assertEquals(404, e.status(), path);
            assertTrue(e.getMessage().contains("no log yet"), e.getMessage());
        }
        LogKey.create(log.mount.engine.storage, "example.com/log", Instant.EPOCH);
        SignedCheckpoint empty = log.checkpoint();
        assertEquals(0, empty.checkpoint().size());
        assertEquals(TreeHash.emptyRoot(), empty.checkpoint().root());
        assertEquals("example.com/log", empty.checkpoint().origin());
    }

    @Test
    void aStandbyServesTheLogFromStorageAndSeesANewCheckpointAfterItsInvalidation() throws Exception {
        log.grow(3);
        EngineFixture standby = new EngineFixture(Map.of(), log.mount.engine.storage, log.mount.engine.clock, true);
        RawBody first = standby.send(Operation.READ, "log/checkpoint", Map.of()).raw().orElseThrow();
        assertEquals(ServedLog.text(log.raw("log/checkpoint")), ServedLog.text(first));
        log.grow(300);
        String latest = ServedLog.text(log.raw("log/checkpoint"));
        assertEquals(ServedLog.text(first), ServedLog.text(standby.send(Operation.READ, "log/checkpoint", Map.of()).raw().orElseThrow()),
                "cached until the server says the key changed");
        standby.backend.invalidate("log/checkpoint");
        assertEquals(latest, ServedLog.text(standby.send(Operation.READ, "log/checkpoint", Map.of()).raw().orElseThrow()));
        // Its tiles are those of the active node, the partial ones read from the batch records and log/partial/1.
        long size = log.checkpoint().checkpoint().size();
        for (dev.herald.tlog.TileId id : dev.herald.tlog.TileId.allOf(size)) {
            assertEquals(java.util.HexFormat.of().formatHex(log.tile(id)), java.util.HexFormat.of().formatHex(
                    standby.send(Operation.READ, "log/" + id.path(), Map.of()).raw().orElseThrow().body()), id.path());
        }
        // Asked for a size beyond its checkpoint before the invalidation arrives, it reads the tree again.
        log.grow(4);
        long newer = log.checkpoint().checkpoint().size();
        dev.herald.tlog.TileId last = dev.herald.tlog.TileId.entries(newer / 256, (int) (newer % 256));
        assertEquals(java.util.HexFormat.of().formatHex(log.tile(last)), java.util.HexFormat.of().formatHex(
                standby.send(Operation.READ, "log/" + last.path(), Map.of()).raw().orElseThrow().body()));
        assertEquals(ServedLog.text(log.raw("log/checkpoint")),
                ServedLog.text(standby.send(Operation.READ, "log/checkpoint", Map.of()).raw().orElseThrow()));
        VaultException e = assertThrows(VaultException.class, () -> standby.send(Operation.READ, "discover/web", Map.of()));
        assertEquals(VaultException.Kind.FORWARD_TO_ACTIVE, e.kind(), "everything else still goes to the active node");
    }

    @Test
    void theLogsReadsNeedNoToken() {
        var unauthenticated = log.mount.engine.backend.specialPaths().unauthenticated();
        for (String path : new String[] {"log/checkpoint", "log/key", "log/tile/*", "log/proof/*"}) {
            assertTrue(unauthenticated.contains(path), path);
        }
        assertTrue(unauthenticated.stream().noneMatch(p -> p.startsWith("log/") && (p.contains("rotate") || p.contains("cosign"))));
    }
}
