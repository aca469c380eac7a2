package dev.herald.tlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TileIdTest {
    @Test
    void pathsAsTlogTilesSpellsThem() throws MalformedException {
        // The examples of the specification: 1234067 is x001/x234/067.
        assertEquals("tile/0/x001/x234/067", TileId.hashes(0, 1234067, 256).path());
        assertEquals("tile/1/000", TileId.hashes(1, 0, 256).path());
        assertEquals("tile/1/005.p/17", TileId.hashes(1, 5, 17).path());
        assertEquals("tile/entries/x001/000.p/1", TileId.entries(1000, 1).path());
        assertEquals("tile/63/999", TileId.hashes(63, 999, 256).path());
        assertEquals("tile/0/x009/x223/x372/x036/x854/x775/807", TileId.hashes(0, Long.MAX_VALUE, 256).path());
        Random r = new Random(6);
        for (int i = 0; i < 10_000; i++) {
            long n = switch (i % 3) { case 0 -> r.nextInt(2000); case 1 -> r.nextLong(1L << 40); default -> r.nextLong() & Long.MAX_VALUE; };
            TileId t = r.nextBoolean() ? TileId.entries(n, 1 + r.nextInt(256)) : TileId.hashes(r.nextInt(64), n, 1 + r.nextInt(256));
            assertEquals(t, TileId.parse(t.path()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "tile", "tile/0", "tile/0/", "tiles/0/000", "tile/00/000", "tile/64/000", "tile/-1/000",
            "tile/0/00", "tile/0/0000", "tile/0/1", "tile/0/x000/001", "tile/0/001/002", "tile/0/x1/000", "tile/0/y001/000",
            "tile/0/x001/x002", "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/01", "tile/0/000.p/", "tile/0/000.p",
            "tile/0/000/", "tile/0/000.p/5/", "/tile/0/000", "tile/0/000.p/+5", "tile/0/x001/000.p/5/x", "tile/entries/000.p/300",
            "tile/entries/0", "tile/Entries/000", "tile/0/ 00", "tile/0/x010/x000/x000/x000/x000/x000/x000/000",
            "tile/0/x009/x223/x372/x036/x854/x775/808", "tile/0/x001//000", "tile/1/000.q/5", "tile/1/.p/5", "tile/١/000"})
    void refusesEveryNonCanonicalPath(String path) {
        assertThrows(MalformedException.class, () -> TileId.parse(path));
    }

    @Test
    void theTilesOfATreeOf70000LeavesAreTheSpecificationsExample() {
        // tlog-tiles: "273 full level 0 tiles, one partial level 0 tile of width 112, one full level 1
        // tile, one partial level 1 tile of width 17, and one partial level 2 tile of width 1".
        List<TileId> tiles = TileId.allOf(70_000).stream().filter(t -> t.kind() == TileId.Kind.HASHES).toList();
        assertEquals(273, tiles.stream().filter(t -> t.level() == 0 && t.isFull()).count());
        assertEquals(List.of(TileId.hashes(0, 273, 112)), tiles.stream().filter(t -> t.level() == 0 && !t.isFull()).toList());
        assertEquals(List.of(TileId.hashes(1, 0, 256), TileId.hashes(1, 1, 17)), tiles.stream().filter(t -> t.level() == 1).toList());
        assertEquals(List.of(TileId.hashes(2, 0, 1)), tiles.stream().filter(t -> t.level() == 2).toList());
        assertEquals(273 + 1 + 2 + 1, tiles.size());
        // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1"
        assertEquals(List.of(TileId.hashes(0, 0, 256), TileId.hashes(1, 0, 1), TileId.entries(0, 256)), TileId.allOf(256));
        assertEquals(List.of(), TileId.allOf(0));
    }

    @Test
    void aTreeHasOnlyItsOwnTilesAtItsOwnWidths() {
        for (long size : new long[] {1, 255, 256, 257, 70_000, 1L << 40, Long.MAX_VALUE}) {
            for (TileId t : size < 100_000 ? TileId.allOf(size) : List.<TileId>of()) {
                assertTrue(t.inTree(size), t + " in " + size);
            }
        }
        assertTrue(TileId.hashes(0, 273, 112).inTree(70_000));
        assertFalse(TileId.hashes(0, 273, 111).inTree(70_000));
        assertFalse(TileId.hashes(0, 273, 256).inTree(70_000));
        assertFalse(TileId.hashes(0, 274, 1).inTree(70_000));
        assertFalse(TileId.hashes(3, 0, 1).inTree(70_000));
        assertFalse(TileId.hashes(63, 0, 1).inTree(Long.MAX_VALUE));
        assertTrue(TileId.hashes(7, 0, 127).inTree(Long.MAX_VALUE));
        assertFalse(TileId.hashes(8, 0, 1).inTree(Long.MAX_VALUE));
    }
}
