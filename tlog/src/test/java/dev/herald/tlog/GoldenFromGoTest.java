package dev.herald.tlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Reads what golang.org/x/mod made (src/test/resources/golden-go, see its README): the same tree,
 * keys and texts must come out of the Java code byte for byte, and everything Go signed verifies.
 */
class GoldenFromGoTest {
    private static final String ORIGIN = "golden.herald.invalid/log";
    private static final String WITNESS = "witness.herald.invalid/w1";
    private static final int SIZE = 300;

    private static String read(String name) throws IOException {
        try (InputStream in = GoldenFromGoTest.class.getResourceAsStream("/golden-go/" + name)) {
            if (in == null) {
                throw new IOException("no golden file " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] seed(String what) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(("herald tlog golden: " + what).getBytes(StandardCharsets.UTF_8));
    }

    private static MemoryTree tree() {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            leaves.add(leaf(i));
        }
        return MemoryTree.ofLeaves(leaves);
    }

    private static byte[] leaf(int i) {
        return ("golden leaf " + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theLogKeyAndCheckpointAreTheSameBytesInJava() throws Exception {
        NoteVerifier v = NoteVerifier.parse(read("log.vkey").strip());
        assertEquals(read("log.vkey").strip(), v.vkey());
        String note = read("checkpoint");
        SignedCheckpoint c = SignedCheckpoint.open(note, ORIGIN, List.of(v));
        assertEquals(SIZE, c.checkpoint().size());
        assertEquals(Proofs.root(SIZE, tree()), c.checkpoint().root());
        // Ed25519 is deterministic: the same key signing the same body gives x/mod's exact note.
        PrivateKey priv = Ed25519Keys.privateKey(seed("log key"));
        NoteSigner signer = NoteSigner.ed25519(ORIGIN, priv, Ed25519Keys.publicKey(v.publicKey()));
        assertEquals(v, signer.verifier());
        assertEquals(note, SignedNote.sign(Checkpoint.of(ORIGIN, SIZE, c.checkpoint().root()).body(), signer).encode());
        assertEquals(note, SignedNote.parse(note).encode());
    }

    @Test
    void aSignatureByAnUnknownKeyIsIgnored() throws Exception {
        NoteVerifier v = NoteVerifier.parse(read("log.vkey").strip());
        String multi = read("checkpoint-multi");
        SignedCheckpoint c = SignedCheckpoint.open(multi, ORIGIN, List.of(v));
        assertEquals(2, c.note().signatures().size());
        assertEquals(List.of(v), c.signedBy());
        assertEquals(multi, c.note().encode());
    }

    @Test
    void theCosignatureVerifiesAndJavaMakesTheSameLine() throws Exception {
        NoteVerifier log = NoteVerifier.parse(read("log.vkey").strip());
        NoteVerifier w = NoteVerifier.parse(read("witness.vkey").strip());
        assertEquals(NoteVerifier.COSIGNATURE_V1, w.type());
        SignedCheckpoint c = SignedCheckpoint.open(read("checkpoint-cosigned"), ORIGIN, List.of(log, w));
        List<Cosignature> cos = c.cosignatures(List.of(w));
        assertEquals(List.of(new Cosignature(w, 1_700_000_000L)), cos);
        NoteSignature mine = Cosignature.sign(WITNESS, Ed25519Keys.privateKey(seed("witness key")), Ed25519Keys.publicKey(w.publicKey()),
                c.checkpoint(), 1_700_000_000L);
        assertEquals(c.note().signatures().get(1), mine);
        assertEquals(read("checkpoint-cosigned"), SignedNote.parse(read("checkpoint")).with(mine).encode());
    }

    @Test
    void inclusionProofsAreTheSameTlogProofTexts() throws Exception {
        NoteVerifier v = NoteVerifier.parse(read("log.vkey").strip());
        MemoryTree t = tree();
        for (int i : new int[] {0, 1, 255, 256, 299}) {
            String text = read("inclusion-" + i + ".tlog-proof");
            TlogProof p = TlogProof.parse(text);
            assertEquals(i, p.index());
            p.verify(p.extra().orElseThrow(), ORIGIN, List.of(v));
            TlogProof mine = new TlogProof(Optional.of(leaf(i)), i, Proofs.inclusion(i, SIZE, t), read("checkpoint"));
            assertEquals(text, mine.encode());
            assertEquals(p, mine);
        }
    }

    @Test
    void consistencyProofsAreTheSameHashes() throws Exception {
        MemoryTree t = tree();
        for (int from : new int[] {1, 100, 256, 299}) {
            List<Hash> go = new ArrayList<>();
            for (String line : read("consistency-" + from + "-" + SIZE).lines().toList()) {
                go.add(Hash.fromBase64(line));
            }
            assertEquals(go, Proofs.consistency(from, SIZE, t));
            Proofs.checkConsistency(from, Proofs.root(from, t), SIZE, Proofs.root(SIZE, t), go);
        }
    }
}
