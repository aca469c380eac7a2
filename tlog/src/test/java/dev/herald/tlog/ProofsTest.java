package dev.herald.tlog;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProofsTest {
    private static final HexFormat HEX = HexFormat.of();

    // The reference leaves and roots of RFC 6962 implementations (certificate-transparency's and
    // transparency-dev/merkle's test data, the same values in both): data, not outputs of this code.
    private static final List<byte[]> CT_LEAVES = List.of("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f").stream().map(HEX::parseHex).toList();
    private static final List<String> CT_ROOTS = List.of(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    private static List<Hash> hashes(String... hex) {
        List<Hash> out = new ArrayList<>();
        for (String h : hex) {
            out.add(Hash.of(HEX.parseHex(h)));
        }
        return out;
    }

    @Test
    void rootsOfTheReferenceTreeAreTheReferenceRoots() throws TlogException {
        MemoryTree all = MemoryTree.ofLeaves(CT_LEAVES);
        RightEdge edge = RightEdge.EMPTY;
        for (int n = 0; n <= CT_LEAVES.size(); n++) {
            assertEquals(CT_ROOTS.get(n), edge.root().toString(), "appended, size " + n);
            assertEquals(CT_ROOTS.get(n), Proofs.root(n, all).toString(), "from stored hashes, size " + n);
            if (n < CT_LEAVES.size()) {
                edge = edge.append(TreeHash.leaf(CT_LEAVES.get(n)));
            }
        }
    }

    @Test
    void referenceInclusionAndConsistencyProofs() throws TlogException {
        MemoryTree t = MemoryTree.ofLeaves(CT_LEAVES);
        record Inc(int index, int size, List<Hash> proof) {}
        record Cons(int from, int to, List<Hash> proof) {}
        // Same source as the roots above.
        List<Inc> incs = List.of(
                new Inc(0, 8, hashes("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
                new Inc(5, 8, hashes("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")));
        for (Inc i : incs) {
            assertEquals(i.proof(), Proofs.inclusion(i.index(), i.size(), t));
            assertDoesNotThrow(() -> Proofs.checkInclusion(TreeHash.leaf(CT_LEAVES.get(i.index())), i.index(), i.size(), i.proof(),
                    Hash.of(HEX.parseHex(CT_ROOTS.get(i.size())))));
        }
        List<Cons> conss = List.of(
                new Cons(2, 8, hashes("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
                new Cons(6, 8, hashes("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
                new Cons(2, 5, hashes("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")));
        for (Cons c : conss) {
            assertEquals(c.proof(), Proofs.consistency(c.from(), c.to(), t));
            assertDoesNotThrow(() -> Proofs.checkConsistency(c.from(), Hash.of(HEX.parseHex(CT_ROOTS.get(c.from()))), c.to(),
                    Hash.of(HEX.parseHex(CT_ROOTS.get(c.to()))), c.proof()));
        }
    }

    private static List<Hash> leafHashes(int n, long seed) {
        Random r = new Random(seed);
        List<Hash> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] leaf = new byte[r.nextInt(40)];
            r.nextBytes(leaf);
            out.add(TreeHash.leaf(leaf));
        }
        return out;
    }

    @Test
    void everyProofOfEverySmallTreeMatchesTheNaiveDefinitionAndVerifies() throws TlogException {
        List<Hash> d = leafHashes(70, 1);
        MemoryTree t = new MemoryTree(d);
        for (int n = 1; n <= d.size(); n++) {
            List<Hash> prefix = d.subList(0, n);
            Hash root = NaiveTree.mth(prefix);
            assertEquals(root, Proofs.root(n, t), "root " + n);
            for (int m = 0; m < n; m++) {
                List<Hash> p = Proofs.inclusion(m, n, t);
                assertEquals(NaiveTree.path(m, prefix), p, "inclusion " + m + "/" + n);
                Proofs.checkInclusion(d.get(m), m, n, p, root);
            }
            for (int m = 0; m <= n; m++) {
                List<Hash> p = Proofs.consistency(m, n, t);
                assertEquals(NaiveTree.proof(m, prefix), p, "consistency " + m + "→" + n);
                Proofs.checkConsistency(m, NaiveTree.mth(d.subList(0, m)), n, root, p);
            }
        }
    }

    @Test
    void sampledProofsUpToAFewHundredAndRandomLargerTrees() throws TlogException {
        Random r = new Random(2);
        List<Hash> d = leafHashes(5000, 3);
        MemoryTree t = new MemoryTree(d);
        List<Integer> sizes = new ArrayList<>();
        for (int n = 71; n <= 400; n++) {
            sizes.add(n);
        }
        for (int n = 401; n <= 1100; n += 7) {
            sizes.add(n);
        }
        for (int i = 0; i < 20; i++) {
            sizes.add(401 + r.nextInt(d.size() - 401));
        }
        for (int n : sizes) {
            List<Hash> prefix = d.subList(0, n);
            Hash root = NaiveTree.mth(prefix);
            assertEquals(root, Proofs.root(n, t));
            for (int m : new int[] {0, n - 1, r.nextInt(n), r.nextInt(n)}) {
                List<Hash> p = Proofs.inclusion(m, n, t);
                assertEquals(NaiveTree.path(m, prefix), p);
                Proofs.checkInclusion(d.get(m), m, n, p, root);
                List<Hash> c = Proofs.consistency(m + 1, n, t);
                assertEquals(NaiveTree.proof(m + 1, prefix), c);
                Proofs.checkConsistency(m + 1, NaiveTree.mth(d.subList(0, m + 1)), n, root, c);
            }
        }
    }

    @Test
    void alteredInclusionProofsAreRefused() throws TlogException {
        List<Hash> d = leafHashes(37, 4);
        MemoryTree t = new MemoryTree(d);
        Hash other = TreeHash.leaf(new byte[] {42});
        for (int n = 1; n <= d.size(); n++) {
            Hash root = Proofs.root(n, t);
            for (int m = 0; m < n; m++) {
                List<Hash> p = Proofs.inclusion(m, n, t);
                int fm = m, fn = n;
                assertThrows(VerificationException.class, () -> Proofs.checkInclusion(other, fm, fn, p, root));
                if (n > 1) {
                    assertThrows(VerificationException.class, () -> Proofs.checkInclusion(d.get(fm), (fm + 1) % fn, fn, p, root));
                    for (int i = 0; i < p.size(); i++) {
                        List<Hash> bad = new ArrayList<>(p);
                        bad.set(i, other);
                        assertThrows(VerificationException.class, () -> Proofs.checkInclusion(d.get(fm), fm, fn, bad, root));
                    }
                    assertThrows(VerificationException.class, () -> Proofs.checkInclusion(d.get(fm), fm, fn, p.subList(0, p.size() - 1), root));
                }
                List<Hash> longer = new ArrayList<>(p);
                longer.add(root);
                assertThrows(VerificationException.class, () -> Proofs.checkInclusion(d.get(fm), fm, fn, longer, root));
                if (n < d.size()) {
                    Hash bigger = Proofs.root(n + 1, t);
                    assertThrows(VerificationException.class, () -> Proofs.checkInclusion(d.get(fm), fm, fn + 1, p, bigger));
                }
            }
            int size = n;
            assertThrows(VerificationException.class, () -> Proofs.checkInclusion(d.get(0), size, size, List.of(), root));
        }
    }

    @Test
    void alteredConsistencyProofsAreRefused() throws TlogException {
        List<Hash> d = leafHashes(40, 5);
        MemoryTree t = new MemoryTree(d);
        Hash other = TreeHash.leaf(new byte[] {42});
        for (int n = 1; n <= d.size(); n++) {
            Hash root = Proofs.root(n, t);
            for (int m = 1; m < n; m++) {
                Hash old = Proofs.root(m, t);
                List<Hash> p = Proofs.consistency(m, n, t);
                int fm = m, fn = n;
                assertThrows(VerificationException.class, () -> Proofs.checkConsistency(fm, other, fn, root, p));
                assertThrows(VerificationException.class, () -> Proofs.checkConsistency(fm, old, fn, other, p));
                for (int i = 0; i < p.size(); i++) {
                    List<Hash> bad = new ArrayList<>(p);
                    bad.set(i, other);
                    assertThrows(VerificationException.class, () -> Proofs.checkConsistency(fm, old, fn, root, bad));
                }
                if (!p.isEmpty()) {
                    assertThrows(VerificationException.class, () -> Proofs.checkConsistency(fm, old, fn, root, p.subList(0, p.size() - 1)));
                }
                List<Hash> longer = new ArrayList<>(p);
                longer.add(other);
                assertThrows(VerificationException.class, () -> Proofs.checkConsistency(fm, old, fn, root, longer));
                assertThrows(VerificationException.class, () -> Proofs.checkConsistency(fn, root, fm, old, p));
            }
            int fn = n;
            // same size: equal roots only, empty proof only
            assertDoesNotThrow(() -> Proofs.checkConsistency(fn, root, fn, root, List.of()));
            assertThrows(VerificationException.class, () -> Proofs.checkConsistency(fn, root, fn, other, List.of()));
            assertThrows(VerificationException.class, () -> Proofs.checkConsistency(fn, root, fn, root, List.of(root)));
            assertDoesNotThrow(() -> Proofs.checkConsistency(0, TreeHash.emptyRoot(), fn, root, List.of()));
            assertThrows(VerificationException.class, () -> Proofs.checkConsistency(0, other, fn, root, List.of()));
        }
    }

    @Test
    void aHugeProofIsRefusedBeforeHashing() {
        List<Hash> huge = java.util.Collections.nCopies(1000, TreeHash.emptyRoot());
        assertThrows(VerificationException.class, () -> Proofs.checkInclusion(TreeHash.emptyRoot(), 0, 2, huge, TreeHash.emptyRoot()));
        assertThrows(VerificationException.class, () -> Proofs.checkConsistency(1, TreeHash.emptyRoot(), 2, TreeHash.emptyRoot(), huge));
    }
}
