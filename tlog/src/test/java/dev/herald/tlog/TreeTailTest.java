package dev.herald.tlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TreeTailTest {
    static List<byte[]> leaves(int n) {
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(("{\"leaf\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Every stored resource by path: what storage would hold after appending. */
    private static final class Store {
        final Map<TileId, byte[]> full = new HashMap<>();
        final Map<Integer, PartialTile> partials = new HashMap<>();

        void put(Appended a) {
            for (TileData t : a.fullTiles()) {
                assertEquals(null, full.put(t.id(), t.bytes()), "a full tile written twice: " + t.id());
            }
            for (TileData t : a.fullBundles()) {
                assertEquals(null, full.put(t.id(), t.bytes()), "a full bundle written twice: " + t.id());
            }
            for (PartialTile p : a.changedPartials()) {
                partials.put(p.level(), p);
            }
        }

        /** A server's answer: full tiles from storage, partial ones from the tail or the full tile since. */
        byte[] serve(TileId id, TreeTail tail) throws MalformedException {
            if (id.isFull()) {
                byte[] b = full.get(id);
                if (b == null) {
                    throw new MalformedException("no " + id);
                }
                return b;
            }
            var fromTail = tail.read(id);
            if (fromTail.isPresent()) {
                return fromTail.get();
            }
            byte[] b = full.get(id.full());
            if (b == null) {
                throw new MalformedException("no " + id);
            }
            return new TileData(id.full(), b).prefix(id.width()).bytes();
        }
    }

    @Test
    void incrementalEqualsWholeIncludingThe70000LeafExample() throws TlogException {
        List<byte[]> all = leaves(70_000);
        Appended whole = TreeTail.empty().append(all);
        Store wholeStore = new Store();
        wholeStore.put(whole);

        Random r = new Random(7);
        TreeTail tail = TreeTail.empty();
        Store store = new Store();
        int at = 0;
        while (at < all.size()) {
            int n = Math.min(all.size() - at, switch (r.nextInt(4)) { case 0 -> 1; case 1 -> r.nextInt(10); case 2 -> r.nextInt(300); default -> r.nextInt(3000); });
            Appended a = tail.append(all.subList(at, at + n));
            store.put(a);
            tail = a.tail();
            at += n;
            assertEquals(at, a.size());
        }
        assertEquals(whole.root(), tail.root());
        assertEquals(whole.edge(), tail.edge());
        assertEquals(wholeStore.full.keySet(), store.full.keySet());
        for (TileId id : store.full.keySet()) {
            assertArrayEquals(wholeStore.full.get(id), store.full.get(id), id.path());
        }
        assertEquals(wholeStore.partials, store.partials);

        // The specification's shape: 273 full level-0 tiles and bundles, one full level-1 tile,
        // stored partials of width 17 (level 1) and 1 (level 2); level 0's 112 come from the leaves.
        assertEquals(273 + 1 + 273, store.full.size());
        assertEquals(17, store.partials.get(1).hashes().size());
        assertEquals(1, store.partials.get(2).hashes().size());
        assertEquals(112, tail.leavesSinceFullBundle().size());

        // Every tile's hashes are the subtree hashes RFC 6962 defines.
        MemoryTree t = MemoryTree.ofLeaves(all);
        assertEquals(NaiveTree.mth(t.leafHashes()), tail.root());
        for (TileId id : TileId.allOf(all.size())) {
            byte[] served = store.serve(id, tail);
            if (id.kind() == TileId.Kind.ENTRIES) {
                List<byte[]> entries = EntryBundle.decode(id, served);
                for (int i = 0; i < entries.size(); i++) {
                    assertArrayEquals(all.get((int) (id.index() * 256 + i)), entries.get(i));
                }
                continue;
            }
            List<Hash> hashes = Tiles.decode(id, served);
            for (int i = 0; i < hashes.size(); i++) {
                assertEquals(t.hash(8 * id.level(), id.index() * 256 + i), hashes.get(i), id + " #" + i);
            }
        }
    }

    @Test
    void restoredFromStorageContinuesIdentically() throws TlogException {
        List<byte[]> all = leaves(66_000);
        Random r = new Random(8);
        TreeTail tail = TreeTail.empty();
        Store store = new Store();
        int at = 0;
        while (at < all.size()) {
            int n = Math.min(all.size() - at, r.nextInt(900));
            Appended a = tail.append(all.subList(at, at + n));
            store.put(a);
            at += n;
            // What a new writer would load: the checkpoint's edge, the partial tiles, the recent leaves.
            long size = a.size();
            tail = TreeTail.restore(a.edge(), List.copyOf(store.partials.values()), all.subList((int) (size - size % 256), (int) size));
            assertEquals(a.tail().root(), tail.root());
            assertEquals(a.tail().partials(), tail.partials());
        }
        assertEquals(TreeTail.empty().append(all).root(), tail.root());
    }

    @Test
    void restoreRefusesStateThatDoesNotDescribeOneTree() throws TlogException {
        List<byte[]> all = leaves(600);
        Appended a = TreeTail.empty().append(all);
        List<PartialTile> partials = a.tail().partials();
        List<byte[]> recent = all.subList(512, 600);
        TreeTail.restore(a.edge(), partials, recent);
        assertThrows(MalformedException.class, () -> TreeTail.restore(a.edge(), partials, all.subList(513, 600)));
        List<byte[]> altered = new ArrayList<>(recent);
        altered.set(5, "x".getBytes(StandardCharsets.UTF_8));
        assertThrows(MalformedException.class, () -> TreeTail.restore(a.edge(), partials, altered));
        assertThrows(MalformedException.class, () -> TreeTail.restore(a.edge(), List.of(), recent));
        assertThrows(MalformedException.class, () -> TreeTail.restore(a.edge(),
                List.of(new PartialTile(1, 0, List.of(TreeHash.emptyRoot(), TreeHash.emptyRoot()))), recent));
        assertThrows(MalformedException.class, () -> TreeTail.restore(a.edge(),
                List.of(partials.get(0), new PartialTile(2, 0, List.of(TreeHash.emptyRoot()))), recent));
        RightEdge other = TreeTail.empty().append(leaves(601).subList(1, 601)).edge();
        assertThrows(MalformedException.class, () -> TreeTail.restore(other, partials, recent));
    }

    @Test
    void proofsFromServedTilesForSizesEndingInsideTiles() throws TlogException {
        List<byte[]> all = leaves(70_000);
        MemoryTree t = MemoryTree.ofLeaves(all);
        Random r = new Random(9);
        TreeTail tail = TreeTail.empty();
        Store store = new Store();
        long[] sizes = {1, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 65_600, 69_999, 70_000};
        long at = 0;
        for (long size : sizes) {
            Appended a = tail.append(all.subList((int) at, (int) size));
            store.put(a);
            tail = a.tail();
            at = size;
            TreeTail now = tail;
            HashSource tiles = new TileHashSource(size, id -> store.serve(id, now));
            assertEquals(Proofs.root(size, t), Proofs.root(size, tiles));
            for (int k = 0; k < 5; k++) {
                long m = k == 0 ? size - 1 : r.nextLong(size);
                assertEquals(Proofs.inclusion(m, size, t), Proofs.inclusion(m, size, tiles), "inclusion " + m + " of " + size);
                assertEquals(Proofs.consistency(m + 1, size, t), Proofs.consistency(m + 1, size, tiles));
            }
            // An older tree size served from the current state: its partial tiles are prefixes.
            long older = size / 2 + 1;
            HashSource old = new TileHashSource(older, id -> store.serve(id, now));
            assertEquals(Proofs.root(older, t), Proofs.root(older, old), "root of " + older + " served at " + size);
            assertEquals(Proofs.inclusion(older - 1, older, t), Proofs.inclusion(older - 1, older, old));
        }
    }

    @Test
    void partialTilesOfOlderSizesArePrefixesOfTheFullTile() throws TlogException {
        List<byte[]> all = leaves(600);
        Appended a = TreeTail.empty().append(all);
        TileData tile = a.fullTiles().get(0), bundle = a.fullBundles().get(0);
        TreeTail at100 = TreeTail.empty().append(all.subList(0, 100)).tail();
        assertArrayEquals(at100.read(TileId.hashes(0, 0, 100)).orElseThrow(), tile.prefix(100).bytes());
        assertArrayEquals(at100.read(TileId.entries(0, 100)).orElseThrow(), bundle.prefix(100).bytes());
        assertEquals(TileId.entries(0, 100), bundle.prefix(100).id());
        assertThrows(MalformedException.class, () -> new TileData(TileId.hashes(0, 0, 256), new byte[5]).prefix(3));
        assertThrows(MalformedException.class, () -> RightEdge.of(3, List.of(TreeHash.emptyRoot())));
        assertEquals(a.edge(), RightEdge.of(600, a.edge().hashes()));
    }

    @Test
    void theTailServesOnlyTheRightmostPartialTilesUpToTheirWidth() throws TlogException {
        TreeTail tail = TreeTail.empty().append(leaves(70_000)).tail();
        assertTrue(tail.read(TileId.hashes(0, 273, 112)).isPresent());
        assertTrue(tail.read(TileId.hashes(0, 273, 5)).isPresent());
        assertTrue(tail.read(TileId.hashes(0, 273, 113)).isEmpty());
        assertTrue(tail.read(TileId.hashes(0, 272, 5)).isEmpty());
        assertTrue(tail.read(TileId.hashes(0, 273, 256)).isEmpty());
        assertTrue(tail.read(TileId.hashes(1, 1, 17)).isPresent());
        assertTrue(tail.read(TileId.hashes(2, 0, 1)).isPresent());
        assertTrue(tail.read(TileId.hashes(2, 0, 2)).isEmpty());
        assertTrue(tail.read(TileId.hashes(3, 0, 1)).isEmpty());
        byte[] bundle = tail.read(TileId.entries(273, 112)).orElseThrow();
        assertEquals(112, EntryBundle.decode(TileId.entries(273, 112), bundle).size());
        assertTrue(tail.read(TileId.entries(273, 113)).isEmpty());
    }

    @Test
    void aLeafTooLargeForABundleIsRefusedAndNothingAppended() throws MalformedException {
        TreeTail tail = TreeTail.empty().append(leaves(3)).tail();
        assertThrows(MalformedException.class, () -> tail.append(List.of(new byte[1], new byte[65_536])));
        assertEquals(3, tail.size());
        assertEquals(65_535, EntryBundle.decode(TileId.entries(0, 1), EntryBundle.encode(List.of(new byte[65_535]))).get(0).length);
    }

    @Test
    void bundlesAndTilesAreDecodedStrictly() {
        byte[] ok = EntryBundle.encode(List.of(new byte[] {1, 2}, new byte[0]));
        assertThrows(MalformedException.class, () -> EntryBundle.decode(TileId.entries(0, 1), ok));
        assertThrows(MalformedException.class, () -> EntryBundle.decode(TileId.entries(0, 3), ok));
        assertThrows(MalformedException.class, () -> EntryBundle.decode(TileId.entries(0, 2), java.util.Arrays.copyOf(ok, ok.length + 1)));
        assertThrows(MalformedException.class, () -> EntryBundle.decode(TileId.entries(0, 2), java.util.Arrays.copyOf(ok, ok.length - 1)));
        assertThrows(MalformedException.class, () -> EntryBundle.decode(TileId.entries(0, 1), new byte[] {0, 5, 1}));
        assertThrows(MalformedException.class, () -> EntryBundle.decode(TileId.entries(0, 1), new byte[] {0}));
        assertThrows(MalformedException.class, () -> EntryBundle.decode(TileId.entries(0, 1), new byte[0]));
        assertThrows(MalformedException.class, () -> EntryBundle.decode(TileId.hashes(0, 0, 1), ok));
        assertThrows(MalformedException.class, () -> Tiles.decode(TileId.hashes(0, 0, 2), new byte[63]));
        assertThrows(MalformedException.class, () -> Tiles.decode(TileId.hashes(0, 0, 2), new byte[96]));
        assertThrows(MalformedException.class, () -> Tiles.decode(TileId.entries(0, 2), new byte[64]));
        assertThrows(MalformedException.class, () -> PartialTile.parse(1, 0, new byte[33]));
        assertThrows(MalformedException.class, () -> PartialTile.parse(1, 0, new byte[8192]));
    }

    @Test
    void aTileSourceRefusesHashesTheTreeDoesNotHave() {
        HashSource s = new TileHashSource(300, id -> new byte[id.hashBytes()]);
        assertThrows(MalformedException.class, () -> s.hash(0, 300));
        assertThrows(MalformedException.class, () -> s.hash(8, 1));
        assertThrows(MalformedException.class, () -> s.hash(9, 0));
        assertThrows(MalformedException.class, () -> s.hash(-1, 0));
        assertThrows(MalformedException.class, () -> s.hash(64, 0));
        HashSource shortTiles = new TileHashSource(300, id -> new byte[5]);
        assertThrows(MalformedException.class, () -> shortTiles.hash(0, 1));
    }
}
