package dev.herald.tlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NotesTest {
    private static final String ORIGIN = "example.com/log";
    private static final KeyPair LOG = Ed25519Keys.generate(), WITNESS = Ed25519Keys.generate(), OTHER = Ed25519Keys.generate();
    private static final NoteSigner SIGNER = NoteSigner.ed25519(ORIGIN, LOG.getPrivate(), LOG.getPublic());
    private static final NoteVerifier V = SIGNER.verifier();
    private static final NoteVerifier W = NoteVerifier.cosigner("witness.example/w", WITNESS.getPublic());
    private static final Checkpoint C = Checkpoint.of(ORIGIN, 20852163, TreeHash.leaf(new byte[] {1}));

    @Test
    void aSignerMayUseAnotherImplementationOfItsKeyButNotAnotherKey() throws Exception {
        String body = C.body();
        NoteSigner same = NoteSigner.ed25519(ORIGIN, LOG.getPrivate(), LOG.getPublic(), message -> Ed25519Keys.sign(LOG.getPrivate(), message));
        assertEquals(SignedNote.sign(body, SIGNER).encode(), SignedNote.sign(body, same).encode(), "deterministic: the same note");
        assertThrows(IllegalArgumentException.class, () -> NoteSigner.ed25519(ORIGIN, LOG.getPrivate(), LOG.getPublic(),
                message -> Ed25519Keys.sign(OTHER.getPrivate(), message)));
    }

    @Test
    void keyIdsAndVkeysFollowSignedNote() throws Exception {
        // key id = SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4], written as 8 hex digits
        byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(Encoding.concat(
                (ORIGIN + "\n").getBytes(StandardCharsets.UTF_8), new byte[] {1}, Ed25519Keys.raw(LOG.getPublic())));
        assertEquals(java.util.HexFormat.of().formatHex(h, 0, 4), V.vkey().split("\\+")[1]);
        assertEquals(V, NoteVerifier.parse(V.vkey()));
        assertEquals(W, NoteVerifier.parse(W.vkey()));
        // same key and name, other type: another id (domain separation)
        assertTrue(new NoteVerifier(ORIGIN, NoteVerifier.COSIGNATURE_V1, V.publicKey()).keyId() != V.keyId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "a+b", "a+0000000+AQ==", "+00000000+AQ==", "a b+00000000+AQ==", "a+0000000g+AQ==",
            "a+ABCDEF01+AQ==", "a+00000000+", "a+00000000+AQ", "a+00000000+AQ=="})
    void malformedVkeysAreRefused(String vkey) {
        assertThrows(MalformedException.class, () -> NoteVerifier.parse(vkey));
    }

    @Test
    void vkeysWithAWrongIdOrTypeAreRefused() {
        String vkey = V.vkey();
        String[] p = vkey.split("\\+", 3);
        String otherId = p[0] + "+" + (p[1].charAt(0) == '0' ? '1' : '0') + p[1].substring(1) + "+" + p[2];
        assertThrows(MalformedException.class, () -> NoteVerifier.parse(otherId));
        byte[] key = java.util.Base64.getDecoder().decode(p[2]);
        key[0] = 2;
        assertThrows(MalformedException.class, () -> NoteVerifier.parse(p[0] + "+" + p[1] + "+" + java.util.Base64.getEncoder().encodeToString(key)));
    }

    @Test
    void signedCheckpointRoundTripAndVerification() throws Exception {
        String note = SignedNote.sign(C.body(), SIGNER).encode();
        assertTrue(note.startsWith("example.com/log\n20852163\n" + C.root().base64() + "\n\n\u2014 example.com/log "));
        SignedCheckpoint sc = SignedCheckpoint.open(note, ORIGIN, List.of(V));
        assertEquals(C, sc.checkpoint());
        assertEquals(List.of(V), sc.signedBy());
        // another origin, another key, a changed body
        assertThrows(VerificationException.class, () -> SignedCheckpoint.open(note, "example.com/other", List.of(V)));
        NoteVerifier other = NoteVerifier.ed25519(ORIGIN, OTHER.getPublic());
        assertThrows(VerificationException.class, () -> SignedCheckpoint.open(note, ORIGIN, List.of(other)));
        String changed = note.replace("20852163", "20852164");
        assertThrows(VerificationException.class, () -> SignedCheckpoint.open(changed, ORIGIN, List.of(V)));
        // a known key's failing signature rejects the note even if another known key verifies
        NoteSigner otherSigner = NoteSigner.ed25519(ORIGIN, OTHER.getPrivate(), OTHER.getPublic());
        SignedNote n = SignedNote.sign(C.body(), SIGNER);
        byte[] bad = otherSigner.sign(C.body()).signature();
        bad[0] ^= 1;
        SignedNote withBad = n.with(new NoteSignature(ORIGIN, otherSigner.verifier().keyId(), bad));
        assertThrows(VerificationException.class, () -> withBad.verify(List.of(V, otherSigner.verifier())));
        assertEquals(List.of(V), withBad.verify(List.of(V)));
        // two log keys (rotation): both verify
        SignedNote both = n.with(otherSigner.sign(C.body()));
        assertEquals(List.of(V, otherSigner.verifier()), both.verify(List.of(V, otherSigner.verifier())));
    }

    @Test
    void cosignaturesSignTheV1Message() throws Exception {
        SignedNote n = SignedNote.sign(C.body(), SIGNER);
        NoteSignature cos = Cosignature.sign(W.name(), WITNESS.getPrivate(), WITNESS.getPublic(), C, 1679315147);
        assertEquals(W.keyId(), cos.keyId());
        byte[] sig = cos.signature();
        assertEquals(72, sig.length);
        byte[] msg = "cosignature/v1\ntime 1679315147\nexample.com/log\n20852163\n".concat(C.root().base64()).concat("\n").getBytes(StandardCharsets.UTF_8);
        assertTrue(Ed25519Keys.verify(W.publicKey(), msg, java.util.Arrays.copyOfRange(sig, 8, 72)));
        SignedCheckpoint sc = SignedCheckpoint.open(n.with(cos).encode(), ORIGIN, List.of(V));
        assertEquals(List.of(new Cosignature(W, 1679315147)), sc.cosignatures(List.of(W)));
        assertEquals(List.of(), sc.cosignatures(List.of(NoteVerifier.cosigner("witness.example/w", OTHER.getPublic()))));
        // a cosignature of another checkpoint, a changed timestamp: refused
        Checkpoint other = Checkpoint.of(ORIGIN, 20852164, C.root());
        assertThrows(VerificationException.class, () -> Cosignature.verify(W, other, cos));
        sig[7] ^= 1;
        assertThrows(VerificationException.class, () -> Cosignature.verify(W, C, new NoteSignature(cos.name(), cos.keyId(), sig)));
        byte[] huge = cos.signature();
        huge[0] = (byte) 0x80;
        assertThrows(VerificationException.class, () -> Cosignature.verify(W, C, new NoteSignature(cos.name(), cos.keyId(), huge)));
        assertThrows(VerificationException.class, () -> Cosignature.verify(W, C, new NoteSignature(cos.name(), cos.keyId(), new byte[64])));
        // a log signature is not a cosignature, even under the same name
        assertThrows(VerificationException.class, () -> Cosignature.verify(W, C, SIGNER.sign(C.body())));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "a\n", "a\n\n", "a\n\n\n", "a\n\n— k AAAAAAE=", "a\n\n— k AAAAAAE=\n\n", "a\n\n- k AAAAAAE=\n", "a\n\n—k AAAAAAE=\n",
            "a\n\n— k\n", "a\n\n— k AAAAAA==\n", "a\n\n— k AAAAAAE\n", "a\n\n— k+x AAAAAAE=\n", "a\n\n—  AAAAAAE=\n",
            "a\n\n— k AAAAAAE= \n", "a\n\n— k\u00a0x AAAAAAE=\n", "a\tb\n\n— k AAAAAAE=\n", "a\rb\n\n— k AAAAAAE=\n",
            "a\n\n— k AAAAAAF=\n", "\ud800\n\n— k AAAAAAE=\n", "a\n\n— k AAAAAAE=\n— k AAAAAAE=\nx\n"})
    void malformedNotesAreRefused(String note) {
        assertThrows(MalformedException.class, () -> SignedNote.parse(note));
    }

    @Test
    void notesAreBoundedAndUtf8Strict() throws MalformedException {
        assertThrows(MalformedException.class, () -> SignedNote.parse(new byte[] {'a', '\n', '\n', (byte) 0xe2, (byte) 0x80, '\n'}));
        assertThrows(MalformedException.class, () -> SignedNote.parse(("a".repeat(70_000) + "\n\n— k AAAAAAE=\n").getBytes(StandardCharsets.UTF_8)));
        String many = "a\n\n" + "— k AAAAAAE=\n".repeat(101);
        assertThrows(MalformedException.class, () -> SignedNote.parse(many));
        // the text may hold empty lines: the last blank line separates
        SignedNote n = SignedNote.parse("a\n\nb\n\n— k AAAAAAE=\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("a\n\nb\n", n.text());
        assertEquals(0, n.signatures().get(0).keyId());
        assertEquals(1, n.signatures().get(0).signature()[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "o\n1\n", "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            "o\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "o\n1\nAAAA\n", "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n", "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n",
            "o\n99999999999999999999\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "o\n+1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"})
    void malformedCheckpointsAreRefused(String body) {
        assertThrows(MalformedException.class, () -> Checkpoint.parse(body));
    }

    @Test
    void checkpointExtensionLinesRoundTrip() throws MalformedException {
        Checkpoint c = new Checkpoint(ORIGIN, 0, TreeHash.emptyRoot(), List.of("ext one", "ext two"));
        assertEquals(c, Checkpoint.parse(c.body()));
        assertEquals("example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n", c.body());
    }

    @Test
    void tlogProofsRoundTripAndAreParsedStrictly() throws Exception {
        List<byte[]> leaves = TreeTailTest.leaves(1000);
        MemoryTree t = MemoryTree.ofLeaves(leaves);
        Checkpoint c = Checkpoint.of(ORIGIN, 1000, Proofs.root(1000, t));
        String note = SignedNote.sign(c.body(), SIGNER).encode();
        TlogProof p = new TlogProof(Optional.of(leaves.get(733)), 733, Proofs.inclusion(733, 1000, t), note);
        String text = p.encode();
        assertTrue(text.startsWith("c2sp.org/tlog-proof@v1\nextra "));
        TlogProof back = TlogProof.parse(text);
        assertEquals(p, back);
        assertEquals(c, back.verify(leaves.get(733), ORIGIN, List.of(V)).checkpoint());
        assertThrows(VerificationException.class, () -> back.verify(leaves.get(732), ORIGIN, List.of(V)));
        TlogProof noExtra = new TlogProof(Optional.empty(), 733, p.proof(), note);
        assertEquals(noExtra, TlogProof.parse(noExtra.encode()));

        String[] lines = text.split("\n", -1);
        for (String bad : List.of(text.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"), text.replace("index 733", "index 0733"),
                text.replace("index 733", "index -1"), text.replace("index ", "index  "), text.replace("\nextra ", "\nextra  "),
                text.replace("extra ", "Extra "), text.replace(lines[3], lines[3].substring(1)), text.substring(0, text.indexOf("\n\n")),
                text.replace("\n\n", "\n"), text.replace("\n\n", "\n\n\n"), text.replace(lines[1] + "\n" + lines[2] + "\n", lines[2] + "\n" + lines[1] + "\n"),
                "c2sp.org/tlog-proof@v1\nextra \nindex 1\n\n" + note, "c2sp.org/tlog-proof@v1\nindex 1\n" + (lines[3] + "\n").repeat(65) + "\n" + note,
                text.substring(0, text.length() - 1))) {
            assertThrows(MalformedException.class, () -> TlogProof.parse(bad), bad.length() > 300 ? bad.substring(0, 300) : bad);
        }
    }

    @Test
    void keysConvertBetweenRawAndTheJdk() throws MalformedException {
        byte[] raw = Ed25519Keys.raw(LOG.getPublic());
        assertEquals(32, raw.length);
        assertEquals(LOG.getPublic(), Ed25519Keys.publicKey(raw));
        assertThrows(MalformedException.class, () -> Ed25519Keys.publicKey(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> NoteSigner.ed25519(ORIGIN, LOG.getPrivate(), OTHER.getPublic()));
        assertTrue(!SIGNER.toString().contains(java.util.Base64.getEncoder().encodeToString(LOG.getPrivate().getEncoded())));
    }
}
