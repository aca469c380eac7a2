package dev.herald.tlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Writes a static log to {@code target/tlog-interop} as a {@code tlog-tiles} server would serve
 * it: every tile and bundle of the tree, the cosigned checkpoint, the log's and the witness's vkeys,
 * and inclusion ({@code tlog-proof}) and consistency proofs, some at older sizes that end inside
 * tiles. {@code scripts/test.sh} then runs {@code test-it/go/tlogcheck verify} on it: golang.org/x/mod
 * must agree with every byte. This test first reads the directory back through the client's path
 * ({@link TileHashSource} over the files).
 */
class InteropDirectoryTest {
    static final Path DIR = Path.of("target", "tlog-interop");
    private static final String ORIGIN = "interop.herald.invalid/log";
    private static final int SIZE = 70_123;

    private static List<byte[]> leaves() {
        Random r = new Random(14);
        List<byte[]> out = new ArrayList<>(SIZE);
        for (int i = 0; i < SIZE; i++) {
            // Mostly small JSON, with an empty leaf and some over 255 bytes (two-byte length prefixes).
            String s = i == 5 ? "" : "{\"i\":" + i + ",\"pad\":\"" + "x".repeat(i % 97 == 0 ? 300 + r.nextInt(1800) : r.nextInt(20)) + "\"}";
            out.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void write(String relative, byte[] bytes) {
        try {
            Path p = DIR.resolve(relative);
            Files.createDirectories(p.getParent());
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(String relative, String text) {
        write(relative, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void writeAStaticLogForTheGoVerifier() throws Exception {
        if (Files.exists(DIR)) {
            try (var walk = Files.walk(DIR)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        KeyPair logKey = Ed25519Keys.generate(), witnessKey = Ed25519Keys.generate();
        NoteSigner signer = NoteSigner.ed25519(ORIGIN, logKey.getPrivate(), logKey.getPublic());
        String witness = "witness.herald.invalid/w1";
        List<byte[]> all = leaves();

        // Append in batches, as the writer does; keep every full tile and bundle, and the checkpoint
        // of a few sizes on the way (sizes that end inside tiles) for proofs against older trees.
        Random r = new Random(15);
        TreeTail tail = TreeTail.empty();
        Map<TileId, byte[]> stored = new HashMap<>();
        Map<Long, String> checkpoints = new HashMap<>();
        int at = 0;
        while (at < SIZE) {
            int n = Math.min(SIZE - at, 1 + r.nextInt(700));
            Appended a = tail.append(all.subList(at, at + n));
            for (TileData t : a.fullTiles()) {
                stored.put(t.id(), t.bytes());
            }
            for (TileData t : a.fullBundles()) {
                stored.put(t.id(), t.bytes());
            }
            tail = a.tail();
            at += n;
            if (checkpoints.size() < 12 && r.nextInt(10) == 0) {
                checkpoints.put(a.size(), SignedNote.sign(Checkpoint.of(ORIGIN, a.size(), a.root()).body(), signer).encode());
            }
        }
        Checkpoint latest = Checkpoint.of(ORIGIN, SIZE, tail.root());
        SignedNote note = SignedNote.sign(latest.body(), signer)
                .with(Cosignature.sign(witness, witnessKey.getPrivate(), witnessKey.getPublic(), latest, 1_767_225_600L));
        checkpoints.put((long) SIZE, SignedNote.sign(latest.body(), signer).encode());

        for (TileId id : TileId.allOf(SIZE)) {
            byte[] b = id.isFull() ? stored.get(id) : tail.read(id).orElseThrow();
            write(id.path(), b);
        }
        write("checkpoint", note.encode());
        write("log.vkey", signer.verifier().vkey() + "\n");
        write("witness.vkey", NoteVerifier.cosigner(witness, witnessKey.getPublic()).vkey() + "\n");

        // Proofs, computed the way a client would: from the files.
        TileReader files = id -> {
            try {
                return Files.readAllBytes(DIR.resolve(id.path()));
            } catch (IOException e) {
                throw new MalformedException("cannot read " + id, e);
            }
        };
        MemoryTree reference = MemoryTree.ofLeaves(all);
        HashSource fromFiles = new TileHashSource(SIZE, files);
        assertEquals(Proofs.root(SIZE, reference), Proofs.root(SIZE, fromFiles));
        for (var e : checkpoints.entrySet()) {
            long size = e.getKey();
            for (int k = 0; k < 6; k++) {
                long index = k == 0 ? size - 1 : k == 1 ? 0 : r.nextLong(size);
                List<Hash> proof = Proofs.inclusion(index, size, fromFiles);
                assertEquals(Proofs.inclusion(index, size, reference), proof);
                TlogProof p = new TlogProof(Optional.of(all.get((int) index)), index, proof, e.getValue());
                p.verify(all.get((int) index), ORIGIN, List.of(signer.verifier()));
                write("proofs/inclusion-" + index + "-at-" + size + ".tlog-proof", p.encode());
            }
            for (long from : new long[] {1, size / 3, size - 1, 256, 65_536}) {
                if (from < 1 || from > size) {
                    continue;
                }
                List<Hash> proof = Proofs.consistency(from, size, fromFiles);
                assertEquals(Proofs.consistency(from, size, reference), proof);
                Proofs.checkConsistency(from, Proofs.root(from, fromFiles), size, Proofs.root(size, fromFiles), proof);
                StringBuilder b = new StringBuilder();
                for (Hash h : proof) {
                    b.append(h.base64()).append('\n');
                }
                write("proofs/consistency-" + from + "-" + size, b.toString());
            }
        }
    }
}
