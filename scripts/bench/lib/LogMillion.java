// The verifiable log at 10^6 entries, in memory (docs/design-log.md §10.4): a tree of synthetic leaves
// of a realistic size, built with the tlog module as the engine builds it (TreeTail, full tiles kept,
// the proofs read from them), a checkpoint signed by a fresh log key; then the sizes a client
// receives and the time it takes to check them:
//   - bytes of one tlog-proof (leaf in extra, inclusion proof, checkpoint), of the discover answer's
//     log_proofs (instance -> tlog-proof, JSON) for 3 and for 1,000 instances, of a consistency proof;
//   - client verification of one record's proofs for 3 and for 1,000 instances: the checkpoint's
//     signature once, then per instance what LogClient.checkInstance does (parse the tlog-proof, the
//     same checkpoint, the leaf canonical and publishing exactly that instance's key, the inclusion
//     proof gives the root); and of one consistency proof (from an older checkpoint, as
//     LogClient.accept checks a newer one). Medians of many runs, after a JIT warm-up.
// Run with the JDK 25 source launcher on the client jar (it holds the tlog module and Leaf):
//
//   java -cp target/client/herald-client.jar scripts/bench/lib/LogMillion.java [--entries 1000000]
//
// Prints a table on stderr and one "RESULT key=value ..." line on stdout for the shell.
import dev.herald.client.log.Leaf;
import dev.herald.sdk.json.Json;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.Ed25519Keys;
import dev.herald.tlog.Hash;
import dev.herald.tlog.Jcs;
import dev.herald.tlog.NoteSigner;
import dev.herald.tlog.Proofs;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.SignedNote;
import dev.herald.tlog.TileData;
import dev.herald.tlog.TileHashSource;
import dev.herald.tlog.TileId;
import dev.herald.tlog.TlogProof;
import dev.herald.tlog.TreeHash;
import dev.herald.tlog.TreeTail;
import dev.herald.tlog.Appended;
import dev.herald.tlog.HashSource;
import dev.herald.tlog.NoteVerifier;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.IntStream;

public class LogMillion {
    static final String ORIGIN = "vault.bench.internal/v1/herald/log";
    static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    /** The facts for the shell, in order. */
    static final Map<String, String> result = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        long entries = 1_000_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--entries" -> entries = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("usage: LogMillion [--entries N]");
            }
        }
        if (entries < 2_000) {
            throw new IllegalArgumentException("--entries: at least 2,000 (a record of 1,000 instances, and an older checkpoint)");
        }

        // --- the tree: leaves appended in batches, full tiles kept as storage would keep them ---------
        for (long i = 0; i < entries; i += entries / 97) {
            if (!Arrays.equals(fastLeaf(i), leaf(i))) {
                throw new IllegalStateException("the leaf written directly differs from its JCS encoding at " + i);
            }
        }
        long t0 = System.nanoTime();
        Map<TileId, byte[]> fullTiles = new HashMap<>();
        TreeTail tail = TreeTail.empty();
        long leafBytes = 0;
        int batch = 256;
        Hash olderRoot = null;
        long older = entries - 1_000; // the client's last checkpoint: 1,000 entries ago
        // Leaves are made in parallel a chunk at a time (making one costs about what hashing it does),
        // and appended in order, a batch at a time, as the engine's writer appends them.
        int chunk = 1 << 16;
        for (long start = 0; start < entries; start += chunk) {
            long from = start;
            byte[][] made = IntStream.range(0, (int) Math.min(chunk, entries - start)).parallel()
                    .mapToObj(k -> fastLeaf(from + k)).toArray(byte[][]::new);
            for (int at = 0; at < made.length; ) {
                long next = start + at;
                int n = Math.min(batch, made.length - at);
                if (next < older && next + n > older) {
                    n = (int) (older - next); // stop at the older size once, to take its root
                }
                List<byte[]> leaves = Arrays.asList(made).subList(at, at + n);
                for (byte[] leaf : leaves) {
                    leafBytes += leaf.length;
                }
                Appended a = tail.append(leaves);
                for (TileData t : a.fullTiles()) {
                    fullTiles.put(t.id(), t.bytes());
                }
                tail = a.tail();
                at += n;
                if (start + at == older) {
                    olderRoot = tail.root();
                }
            }
        }
        final TreeTail built = tail;
        double buildSeconds = (System.nanoTime() - t0) / 1e9;

        KeyPair pair = Ed25519Keys.generate();
        NoteSigner signer = NoteSigner.ed25519(ORIGIN, pair.getPrivate(), pair.getPublic());
        List<NoteVerifier> logKeys = List.of(signer.verifier());
        String note = SignedNote.sign(Checkpoint.of(ORIGIN, entries, built.root()).body(), signer).encode();
        long size = entries;
        HashSource source = new TileHashSource(size, id -> {
            byte[] b = id.isFull() ? fullTiles.get(id) : built.read(id).orElse(null);
            if (b == null) {
                throw new dev.herald.tlog.MalformedException("no tile " + id.path());
            }
            return b;
        });
        System.err.printf(Locale.ROOT, "bench: %,d synthetic leaves (mean %d bytes) hashed into a tree in %.1f s%n",
                entries, leafBytes / entries, buildSeconds);

        // --- what a client receives -------------------------------------------------------------------
        Random random = new Random(14);
        long[] three = distinct(random, 3, size);
        long[] thousand = distinct(random, 1_000, size);
        Map<String, String> proofs3 = proofs(three, size, source, note);
        Map<String, String> proofs1000 = proofs(thousand, size, source, note);
        String oneProof = proofs3.values().iterator().next();
        int hashes = TlogProof.parse(oneProof).proof().size();
        List<Hash> consistency = Proofs.consistency(older, size, source);
        String consistencyBody = consistency.stream().map(h -> h.base64() + "\n").reduce("", String::concat);

        result.put("entries", Long.toString(entries));
        result.put("leaf_bytes_mean", Long.toString(leafBytes / entries));
        result.put("build_s", String.format(Locale.ROOT, "%.1f", buildSeconds));
        result.put("checkpoint_bytes", Integer.toString(utf8(note)));
        result.put("proof_hashes", Integer.toString(hashes));
        result.put("tlog_proof_bytes", Integer.toString(utf8(oneProof)));
        result.put("log_proofs_3_bytes", Integer.toString(utf8(Json.write(proofs3))));
        result.put("log_proofs_1000_bytes", Integer.toString(utf8(Json.write(proofs1000))));
        result.put("consistency_hashes", Integer.toString(consistency.size()));
        result.put("consistency_bytes", Integer.toString(utf8(consistencyBody)));

        // --- what checking them costs ----------------------------------------------------------------
        Record r3 = Record.of(three, note, proofs3), r1000 = Record.of(thousand, note, proofs1000);
        Hash oldRoot = olderRoot, newRoot = built.root();
        Runnable consistencyCheck = () -> {
            try {
                Proofs.checkConsistency(older, oldRoot, size, newRoot, consistency);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Runnable signatureCheck = () -> {
            try {
                SignedCheckpoint.open(note, ORIGIN, logKeys);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        // Warm-up: the JIT compiles the paths before anything is timed (the same code as measured).
        for (int i = 0; i < 1_000; i++) {
            r3.verify(logKeys);
            consistencyCheck.run();
        }
        for (int i = 0; i < 40; i++) {
            r1000.verify(logKeys);
        }
        double us3 = median(501, () -> r3.verify(logKeys));
        double us1000 = median(31, () -> r1000.verify(logKeys));
        double usConsistency = median(20_001, consistencyCheck);
        double usSignature = median(501, signatureCheck);
        result.put("verify_3_us", String.format(Locale.ROOT, "%.1f", us3));
        result.put("verify_1000_us", String.format(Locale.ROOT, "%.0f", us1000));
        result.put("verify_consistency_us", String.format(Locale.ROOT, "%.1f", usConsistency));
        result.put("verify_signature_us", String.format(Locale.ROOT, "%.1f", usSignature));

        System.err.printf(Locale.ROOT, "bench: at %,d entries (checkpoint note %s bytes):%n", entries, result.get("checkpoint_bytes"));
        row("one tlog-proof (leaf, " + hashes + " hashes, checkpoint)", result.get("tlog_proof_bytes") + " bytes", "");
        row("log_proofs of a record of 3 instances", result.get("log_proofs_3_bytes") + " bytes",
                result.get("verify_3_us") + " us to verify");
        row("log_proofs of a record of 1,000 instances", result.get("log_proofs_1000_bytes") + " bytes",
                String.format(Locale.ROOT, "%.2f ms to verify", us1000 / 1000));
        row("consistency proof, " + (size - older) + " entries later (" + consistency.size() + " hashes)",
                result.get("consistency_bytes") + " bytes", result.get("verify_consistency_us") + " us to verify");
        row("checkpoint signature (Ed25519, in each record check)", "", result.get("verify_signature_us") + " us");
        StringBuilder line = new StringBuilder("RESULT");
        result.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line);
    }

    /**
     * A leaf as the engine writes one for a publish (LogLeaf: RFC 8785 JSON of design-log §1.2), with
     * values of the real lengths: an Ed25519 key, a Kubernetes service account as the alias. The
     * hashes in it are random bytes (seeded by the index, so a leaf can be made again): what they
     * hash does not matter to the tree, and making them costs less.
     */
    static byte[] leaf(long i) {
        SplittableRandom r = new SplittableRandom(i);
        Map<String, Object> leaf = new LinkedHashMap<>();
        leaf.put("v", 1L);
        leaf.put("type", "publish");
        leaf.put("time", time(i));
        leaf.put("service", service(i));
        leaf.put("history_index", i % 7);
        leaf.put("instance", instance(i));
        leaf.put("generation", generation(i));
        leaf.put("seq", 1L + i % 11);
        leaf.put("fingerprint", "sha256:" + HexFormat.of().formatHex(random(r, 32)));
        leaf.put("spki", Base64.getEncoder().encodeToString(spki(i)));
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("entity_id", new UUID(r.nextLong(), r.nextLong()).toString());
        actor.put("alias_name", "system:serviceaccount:payments:" + service(i));
        actor.put("mount_accessor", "auth_kubernetes_3f9a1c2e");
        leaf.put("actor", actor);
        leaf.put("event", "sha256:" + HexFormat.of().formatHex(random(r, 32)));
        return Jcs.encode(leaf);
    }

    /**
     * The same bytes as {@link #leaf}, written directly in JCS order (members sorted; every value is
     * ASCII without anything to escape): the 10^6 leaves of the tree cost a fraction of the time.
     * Checked against {@link #leaf} on a sample before the tree is built.
     */
    static byte[] fastLeaf(long i) {
        SplittableRandom r = new SplittableRandom(i);
        String fingerprint = HexFormat.of().formatHex(random(r, 32));
        String entity = new UUID(r.nextLong(), r.nextLong()).toString();
        String event = HexFormat.of().formatHex(random(r, 32));
        String service = service(i);
        return new StringBuilder(600)
                .append("{\"actor\":{\"alias_name\":\"system:serviceaccount:payments:").append(service)
                .append("\",\"entity_id\":\"").append(entity)
                .append("\",\"mount_accessor\":\"auth_kubernetes_3f9a1c2e\"},\"event\":\"sha256:").append(event)
                .append("\",\"fingerprint\":\"sha256:").append(fingerprint)
                .append("\",\"generation\":").append(generation(i))
                .append(",\"history_index\":").append(i % 7)
                .append(",\"instance\":\"").append(instance(i))
                .append("\",\"seq\":").append(1L + i % 11)
                .append(",\"service\":\"").append(service)
                .append("\",\"spki\":\"").append(Base64.getEncoder().encodeToString(spki(i)))
                .append("\",\"time\":\"").append(time(i))
                .append("\",\"type\":\"publish\",\"v\":1}")
                .toString().getBytes(StandardCharsets.US_ASCII);
    }

    static String time(long i) {
        return Instant.ofEpochSecond(1_790_000_000L + i / 50, (i % 50) * 20_000_000L).toString();
    }

    static String service(long i) {
        return "checkout-" + (i / 1_000);
    }

    static String instance(long i) {
        return "pod-7d9f8b6c5d-" + Long.toString(i, 36);
    }

    static long generation(long i) {
        return 1L + i % 3;
    }

    static byte[] spki(long i) {
        byte[] raw = random(new SplittableRandom(~i), 32); // as an Ed25519 key's 32 bytes
        byte[] out = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + raw.length);
        System.arraycopy(raw, 0, out, SPKI_PREFIX.length, raw.length);
        return out;
    }

    static byte[] random(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** What a client knows of one listed instance before it checks its proof: from the signed record. */
    record Listed(long index, String service, String name, long generation, byte[] spki) {
        static Listed of(long index) {
            return new Listed(index, LogMillion.service(index), instance(index), LogMillion.generation(index), LogMillion.spki(index));
        }
    }

    /** The record's view of its instances and the answer's log_proofs (instance -> tlog-proof text). */
    record Record(List<Listed> listed, String note, Map<String, String> logProofs) {
        static Record of(long[] indices, String note, Map<String, String> logProofs) {
            return new Record(Arrays.stream(indices).mapToObj(Listed::of).toList(), note, logProofs);
        }

        /**
         * What the client checks of a record's log (LogClient.checkRecord, design-log §6.3): the
         * checkpoint opened once, then every instance's proof. Throws if anything fails.
         */
        void verify(List<NoteVerifier> logKeys) {
            try {
                SignedCheckpoint c = SignedCheckpoint.open(note, ORIGIN, logKeys);
                for (Listed l : listed) {
                    TlogProof proof = TlogProof.parse(logProofs.get(l.name()));
                    if (proof.index() != l.index() || !proof.checkpoint().equals(note)) {
                        throw new IllegalStateException("another proof");
                    }
                    byte[] bytes = proof.extra().orElseThrow();
                    Leaf leaf = Leaf.parse(bytes);
                    if (!Leaf.PUBLISHING.contains(leaf.type()) || !leaf.service().orElseThrow().equals(l.service())
                            || !leaf.instance().orElseThrow().equals(l.name()) || leaf.generation().getAsLong() != l.generation()
                            || !Arrays.equals(leaf.spki().orElseThrow(), l.spki())) {
                        throw new IllegalStateException("another leaf");
                    }
                    Proofs.checkInclusion(TreeHash.leaf(bytes), l.index(), c.checkpoint().size(), proof.proof(), c.checkpoint().root());
                }
            } catch (Exception e) {
                throw new IllegalStateException("the record's proofs do not verify: " + e.getMessage(), e);
            }
        }
    }

    static Map<String, String> proofs(long[] indices, long size, HashSource source, String note) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (long index : indices) {
            TlogProof p = new TlogProof(java.util.Optional.of(leaf(index)), index, Proofs.inclusion(index, size, source), note);
            out.put(instance(index), p.encode());
        }
        return out;
    }

    static long[] distinct(Random random, int n, long size) {
        TreeSet<Long> set = new TreeSet<>();
        while (set.size() < n) {
            set.add(Math.floorMod(random.nextLong(), size));
        }
        return set.stream().mapToLong(Long::longValue).toArray();
    }

    /** The median of {@code runs} timings of {@code task}, in microseconds. */
    static double median(int runs, Runnable task) {
        long[] ns = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            task.run();
            ns[i] = System.nanoTime() - t;
        }
        Arrays.sort(ns);
        return ns[runs / 2] / 1e3;
    }

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static void row(String what, String bytes, String time) {
        System.err.printf(Locale.ROOT, "bench:   %-58s %14s  %s%n", what, bytes, time);
    }
}
