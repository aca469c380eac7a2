package dev.herald.tlog;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Everything a malicious server or witness can send, mutated at random: every parser and verifier
 * either accepts or throws this module's checked exceptions, never an unchecked one (no index out
 * of bounds, no number format, no allocation from an untrusted length). A cheap stand-in for the
 * fuzzing the other modules get (this one depends on JUnit only).
 */
class HostileInputTest {
    private static final Random R = new Random(17);
    /** Bytes that mean something to the formats, and the em dash's three bytes. */
    private static final byte[] SPECIAL = "\n+/.x0= {}\"\\:,-9\u2014".getBytes(StandardCharsets.UTF_8);

    private interface Target {
        void run(byte[] input) throws TlogException;
    }

    private static void survive(String what, byte[] seed, Target t) {
        for (int i = 0; i < 3000; i++) {
            byte[] in = mutate(seed);
            try {
                t.run(in);
            } catch (TlogException expected) {
                // refused with a clear, checked exception: what we want
            } catch (RuntimeException e) {
                fail(what + " threw " + e + " on " + new String(in, StandardCharsets.UTF_8).replace("\n", "\\n"), e);
            }
        }
    }

    private static byte[] mutate(byte[] seed) {
        List<Byte> b = new ArrayList<>();
        for (byte x : seed) {
            b.add(x);
        }
        for (int k = 1 + R.nextInt(4); k > 0; k--) {
            int at = b.isEmpty() ? 0 : R.nextInt(b.size());
            switch (R.nextInt(6)) {
                case 0 -> { if (!b.isEmpty()) {
                    b.set(at, (byte) R.nextInt(256));
                }
                }
                case 1 -> { if (!b.isEmpty()) {
                    b.remove(at);
                }
                }
                case 2 -> b.add(at, SPECIAL[R.nextInt(SPECIAL.length)]);
                case 3 -> { while (b.size() > at) {
                    b.remove(b.size() - 1);
                }
                }
                case 4 -> { if (!b.isEmpty()) {
                    b.set(at, (byte) (b.get(at) ^ (1 << R.nextInt(8))));
                }
                }
                default -> { int n = Math.min(b.size() - at, R.nextInt(40)); for (int i = 0; i < n; i++) {
                    b.add(at, b.get(at + i));
                }
                }
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void everyParserRefusesMutatedInputWithACheckedException() throws Exception {
        KeyPair kp = Ed25519Keys.generate(), wk = Ed25519Keys.generate();
        NoteSigner signer = NoteSigner.ed25519("example.com/log", kp.getPrivate(), kp.getPublic());
        NoteVerifier witness = NoteVerifier.cosigner("w.example/1", wk.getPublic());
        List<byte[]> leaves = TreeTailTest.leaves(600);
        MemoryTree t = MemoryTree.ofLeaves(leaves);
        Checkpoint c = Checkpoint.of("example.com/log", 600, Proofs.root(600, t));
        String note = SignedNote.sign(c.body(), signer).with(Cosignature.sign("w.example/1", wk.getPrivate(), wk.getPublic(), c, 5)).encode();
        TlogProof proof = new TlogProof(Optional.of(leaves.get(300)), 300, Proofs.inclusion(300, 600, t), note);
        List<NoteVerifier> keys = List.of(signer.verifier(), witness);

        survive("TileId.parse", "tile/1/x001/234.p/17".getBytes(StandardCharsets.UTF_8), b -> TileId.parse(s(b)));
        survive("TileId.parse entries", "tile/entries/x123/x456/789".getBytes(StandardCharsets.UTF_8), b -> TileId.parse(s(b)));
        survive("NoteVerifier.parse", witness.vkey().getBytes(StandardCharsets.UTF_8), b -> NoteVerifier.parse(s(b)));
        survive("SignedNote.parse", note.getBytes(StandardCharsets.UTF_8), SignedNote::parse);
        survive("Checkpoint.parse", c.body().getBytes(StandardCharsets.UTF_8), b -> Checkpoint.parse(s(b)));
        survive("SignedCheckpoint.open", note.getBytes(StandardCharsets.UTF_8),
                b -> SignedCheckpoint.open(s(b), "example.com/log", keys).cosignatures(keys));
        survive("TlogProof", proof.bytes(), b -> TlogProof.parse(s(b)).verify(leaves.get(300), "example.com/log", keys));
        survive("Jcs.parseCanonical", Jcs.encode(java.util.Map.of("v", 1, "type", "publish", "actor", java.util.Map.of("entity_id", "e\u00e9\n"))),
                Jcs::parseCanonical);
        byte[] bundle = EntryBundle.encode(leaves.subList(0, 5));
        survive("EntryBundle.decode", bundle, b -> EntryBundle.decode(TileId.entries(0, 5), b));
        byte[] tile = Tiles.encode(t.leafHashes().subList(0, 3));
        survive("Tiles.decode", tile, b -> Tiles.decode(TileId.hashes(0, 0, 3), b));
        survive("PartialTile.parse", tile, b -> PartialTile.parse(1, 0, b));
        // A tile server that answers with garbage: proofs fail with checked exceptions.
        survive("proofs over hostile tiles", tile, b -> {
            HashSource hostile = new TileHashSource(600, id -> b.length == id.hashBytes() ? b : mutate(b));
            Proofs.checkInclusion(TreeHash.leaf(leaves.get(1)), 1, 600, Proofs.inclusion(1, 600, hostile), c.root());
        });
    }
}
