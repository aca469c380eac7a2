package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.RawBody;
import dev.herald.sdk.VaultException;
import dev.herald.tlog.EntryBundle;
import dev.herald.tlog.Proofs;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.TileHashSource;
import dev.herald.tlog.TileId;
import dev.herald.tlog.TreeHash;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogTilePathTest {
    private final ServedLog log = new ServedLog();

    @Test
    void theTilesOfTheCurrentSizeGiveTheCheckpointsRootAndTheBundlesItsLeaves() throws Exception {
        log.grow(300); // a full bundle and level-0 tile, then partial ones, and a level-1 partial tile
        SignedCheckpoint checkpoint = log.checkpoint();
        long size = checkpoint.checkpoint().size();
        assertTrue(size > 256, "size " + size);
        assertEquals(checkpoint.checkpoint().root(), Proofs.root(size, new TileHashSource(size, log::tile)));
        TileHashSource hashes = new TileHashSource(size, log::tile);
        long index = 0;
        for (TileId id : TileId.allOf(size)) {
            RawBody raw = log.raw("log/" + id.path());
            assertEquals("application/octet-stream", raw.contentType());
            assertEquals("public, max-age=31536000, immutable", raw.cacheControl().orElseThrow());
            if (id.kind() == TileId.Kind.ENTRIES) {
                for (byte[] leaf : EntryBundle.decode(id, raw.body())) {
                    assertEquals(hashes.hash(0, index++), TreeHash.leaf(leaf), "leaf " + index);
                }
            }
        }
        assertEquals(size, index, "the bundles hold every leaf");
    }

    @Test
    void aPartialTileOfAnOlderSizeIsThePrefixOfTheTileThatFilledSince() throws Exception {
        log.grow(10);
        long before = log.checkpoint().checkpoint().size();
        byte[] partial = log.tile(TileId.hashes(0, 0, (int) before));
        log.grow(300);
        long after = log.checkpoint().checkpoint().size();
        assertTrue(after >= 256);
        assertArrayEquals(partial, log.tile(TileId.hashes(0, 0, (int) before)), "the same bytes, from the full tile now");
        byte[] full = log.tile(TileId.hashes(0, 0, 256));
        assertArrayEquals(partial, java.util.Arrays.copyOf(full, partial.length));
        // Older sizes still verify against their own roots: a client's consistency proof reads them.
        assertEquals(Proofs.root(before, new TileHashSource(before, log::tile)),
                Proofs.root(before, new TileHashSource(after, log::tile)));
    }

    @Test
    void nothingBeyondTheCheckpointIsServed() throws Exception {
        log.grow(5);
        long size = log.checkpoint().checkpoint().size();
        for (TileId beyond : List.of(TileId.hashes(0, 0, (int) size + 1), TileId.hashes(0, 0, 256),
                TileId.entries(0, (int) size + 1), TileId.entries(1, 1), TileId.hashes(0, 1, 1), TileId.hashes(1, 0, 1))) {
            VaultException e = assertThrows(VaultException.class, () -> log.tile(beyond), beyond.path());
            assertEquals(404, e.status(), beyond.path());
        }
    }

    @Test
    void malformedTilePathsAreNotFoundNeverAServerError() {
        log.grow(300);
        for (String path : List.of("x1/2", "0/001", "0/1", "0/x001/x234/067", "0/x001", "0/x000/001", "0/001.p/0",
                "0/001.p/256", "0/000.p/0", "0/000.p/01", "0/000.p/", "64/000", "-1/000", "0/000/", "0/000/extra",
                "0/../000", "0/..", "..", "entries/x1/000", "entries", "0", "0/00a", "0/0000", "entries/000.p/1/2",
                "0/x001/234.p/17/x", "1/000.p/1.p/1", "00/000", "0/x999/x999/x999/x999/x999/x999/999",
                "0/x" + "9".repeat(200))) {
            VaultException e = assertThrows(VaultException.class,
                    () -> log.mount.engine.send(Operation.READ, "log/tile/" + path, Map.of()), path);
            assertTrue(e.status() == 404 || e.status() == 400, path + ": " + e.status() + " " + e.getMessage());
        }
        assertFalse(log.tile(TileId.hashes(0, 0, 256)).length == 0);
    }

    @Test
    void aMountThatNeverPublishedHasNoTiles() {
        VaultException e = assertThrows(VaultException.class,
                () -> log.mount.engine.send(Operation.READ, "log/tile/0/000.p/1", Map.of()));
        assertEquals(404, e.status());
    }

    @Test
    void theSmallestTreeWithATileIsWhereItsLastHashOrEntryEnds() {
        assertEquals(1, LogReader.smallestTreeWith(TileId.entries(0, 1)));
        assertEquals(256, LogReader.smallestTreeWith(TileId.hashes(0, 0, 256)));
        assertEquals(256 * 256 + 3 * 256, LogReader.smallestTreeWith(TileId.hashes(1, 1, 3)));
        assertEquals(Long.MAX_VALUE, LogReader.smallestTreeWith(TileId.hashes(8, 0, 1)));
        assertEquals(Long.MAX_VALUE, LogReader.smallestTreeWith(TileId.hashes(0, Long.MAX_VALUE / 2, 1)));
        for (TileId id : TileId.allOf(70_000)) {
            assertTrue(LogReader.covered(id, LogReader.smallestTreeWith(id)), id.path());
            assertFalse(LogReader.covered(id, LogReader.smallestTreeWith(id) - 1), id.path());
        }
    }
}
