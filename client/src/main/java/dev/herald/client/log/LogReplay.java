package dev.herald.client.log;

import dev.herald.client.VerificationException;
import dev.herald.sdk.json.Json;
import dev.herald.sdk.json.JsonException;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.EntryBundle;
import dev.herald.tlog.Hash;
import dev.herald.tlog.HashSource;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.Proofs;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.TileHashSource;
import dev.herald.tlog.TileId;
import dev.herald.tlog.Tiles;
import dev.herald.tlog.TlogException;
import dev.herald.tlog.TreeHash;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replays a log from its tiles ({@code herald log verify}, {@code herald log watch}; design-log
 * §7.4): reads the latest checkpoint, then every entry bundle and tile from where the last run
 * stopped up to its size, and checks that
 * <ul>
 *   <li>each leaf hashes to its level-0 tile entry, parses, is canonical and of format 1;</li>
 *   <li>every tile read equals the hashes recomputed from the full tiles below it;</li>
 *   <li>the tiles give the checkpoint's root, and the tree verified last time is a prefix of this one;</li>
 *   <li>per service, {@code history_index} runs 0, 1, 2… without gap or repeat, {@code seq} never goes
 *       down, and an (instance, generation) is never published with two keys (unless a {@code reset}
 *       of the instance came between: a revive publishes the same key again);</li>
 * </ul>
 * then {@link LogClient#accept accepts} the checkpoint and keeps its progress in a log file of the
 * state ({@code verified} for verify, {@code watch-<service>} for watch). Anything wrong under a
 * validly signed checkpoint is a log inconsistency; a checkpoint that does not verify, a
 * {@link VerificationException}.
 */
public final class LogReplay {
    /** Told of each new leaf, in index order. */
    @FunctionalInterface
    public interface Listener {
        void leaf(long index, Leaf leaf);
    }

    /**
     * What a run did.
     *
     * @param checkpoint the checkpoint verified
     * @param from       the index the run started at (leaves before it were verified by an earlier run)
     */
    public record Result(Checkpoint checkpoint, long from) {
        /** How many leaves were read and checked. */
        public long read() {
            return checkpoint.size() - from;
        }
    }

    private final LogClient client;
    private final String progressFile;
    private final Map<TileId, byte[]> tiles = new HashMap<>();

    private LogReplay(LogClient client, String progressFile) {
        this.client = client;
        this.progressFile = progressFile;
    }

    /**
     * Runs once.
     *
     * @param progressFile the log file that keeps where it stopped ("verified", "watch-SERVICE")
     * @param fromScratch  start from leaf 0 whatever the progress says
     */
    public static Result run(LogClient client, String progressFile, boolean fromScratch, Listener listener) {
        return new LogReplay(client, progressFile).run(fromScratch, listener);
    }

    private Result run(boolean fromScratch, Listener listener) {
        SignedCheckpoint signed = client.latest();
        Checkpoint checkpoint = signed.checkpoint();
        String origin = checkpoint.origin();
        long size = checkpoint.size();
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("checkpoint", signed.note().encode());
        client.state().readLog(origin, LogClient.CHECKPOINT_FILE).ifPresent(note -> evidence.put("stored-checkpoint", note));
        Optional<String> stored = client.state().readLog(origin, progressFile);
        Progress progress = fromScratch || stored.isEmpty() ? new Progress() : Progress.parse(stored.get(), progressFile);
        long from = progress.size;
        if (from > size) {
            client.accept(signed, true, evidence);
            throw client.inconsistent(origin, "shrink: the log's checkpoint is of size " + size + ", but " + from
                    + " leaves were verified before", evidence);
        }
        // Level 0: each new leaf against its tile entry, and its own rules.
        for (long t = from / TileId.FULL; t * TileId.FULL < size; t++) {
            int width = (int) Math.min(TileId.FULL, size - t * TileId.FULL);
            List<Hash> hashes = tile(origin, TileId.hashes(0, t, width), evidence);
            TileId bundleId = TileId.entries(t, width);
            List<byte[]> leaves;
            try {
                leaves = EntryBundle.decode(bundleId, client.source().get(LogWire.tile(bundleId)));
            } catch (MalformedException e) {
                throw client.inconsistent(origin, "entry bundle " + bundleId + " is malformed: " + e.getMessage(), evidence);
            }
            for (int j = 0; j < width; j++) {
                long index = t * TileId.FULL + j;
                byte[] bytes = leaves.get(j);
                if (!TreeHash.leaf(bytes).equals(hashes.get(j))) {
                    evidence.put("leaf", Base64.getEncoder().encodeToString(bytes) + "\n");
                    throw client.inconsistent(origin, "rewrite: leaf " + index + " in " + bundleId
                            + " does not hash to its entry in tile " + TileId.hashes(0, t, width), evidence);
                }
                if (index < from) {
                    continue;
                }
                Leaf leaf;
                try {
                    leaf = Leaf.parse(bytes);
                } catch (MalformedException e) {
                    evidence.put("leaf", Base64.getEncoder().encodeToString(bytes) + "\n");
                    throw client.inconsistent(origin, "leaf " + index + " is not a valid leaf: " + e.getMessage(), evidence);
                }
                String broken = progress.check(leaf);
                if (broken != null) {
                    evidence.put("leaf", new String(bytes, java.nio.charset.StandardCharsets.UTF_8) + "\n");
                    throw client.inconsistent(origin, "leaf " + index + ": " + broken, evidence);
                }
                listener.leaf(index, leaf);
            }
        }
        // Levels above: each tile read equals the hashes of the full tiles below it that were read.
        for (int level = 1; level <= TileId.MAX_LEVEL && shift(size, 8 * level) > 0; level++) {
            long count = shift(size, 8 * level);
            for (long t = shift(from, 8 * (level + 1)); t * TileId.FULL < count; t++) {
                int width = (int) Math.min(TileId.FULL, count - t * TileId.FULL);
                TileId id = TileId.hashes(level, t, width);
                List<Hash> hashes = tile(origin, id, evidence);
                for (int j = 0; j < width; j++) {
                    TileId below = TileId.hashes(level - 1, t * TileId.FULL + j, TileId.FULL);
                    byte[] belowBytes = tiles.get(below);
                    if (belowBytes != null && !Tiles.subtree(decode(below, belowBytes)).equals(hashes.get(j))) {
                        throw client.inconsistent(origin, "tile " + id + " entry " + j + " is not the hash of tile " + below,
                                evidence);
                    }
                }
            }
        }
        // The root, and the tree verified before as a prefix of this one.
        HashSource source = new TileHashSource(size, id -> {
            byte[] bytes = tiles.get(id);
            return bytes != null ? bytes : client.source().get(LogWire.tile(id));
        });
        try {
            Hash root = Proofs.root(size, source);
            if (!root.equals(checkpoint.root())) {
                throw client.inconsistent(origin, "the tiles do not hash to the checkpoint's root", evidence);
            }
            if (from > 0) {
                List<Hash> proof = Proofs.consistency(from, size, source);
                try {
                    Proofs.checkConsistency(from, progress.root, size, root, proof);
                } catch (dev.herald.tlog.VerificationException e) {
                    throw client.inconsistent(origin, "the tree of size " + from + " verified before is not a prefix of this one: "
                            + e.getMessage(), evidence);
                }
            }
        } catch (TlogException e) {
            throw client.inconsistent(origin, "the tiles do not give the checkpoint's tree: " + e.getMessage(), evidence);
        }
        client.accept(signed, true, evidence);
        progress.size = size;
        progress.root = checkpoint.root();
        client.state().replaceLog(origin, progressFile, client.state().readLog(origin, progressFile), progress.write());
        return new Result(checkpoint, from);
    }

    /** A tile read and decoded; one that is not a tile of its width is an inconsistency (the tree is signed). */
    private List<Hash> tile(String origin, TileId id, Map<String, String> evidence) {
        byte[] bytes = client.source().get(LogWire.tile(id));
        try {
            List<Hash> hashes = Tiles.decode(id, bytes);
            tiles.put(id, bytes);
            return hashes;
        } catch (MalformedException e) {
            throw client.inconsistent(origin, "tile " + id + " is malformed: " + e.getMessage(), evidence);
        }
    }

    private static List<Hash> decode(TileId id, byte[] bytes) {
        try {
            return Tiles.decode(id, bytes);
        } catch (MalformedException e) {
            throw new IllegalStateException(e); // decoded once already
        }
    }

    private static long shift(long x, int bits) {
        return bits >= 64 ? 0 : x >>> bits;
    }

    /** Where a replay stopped, and the per-service state its checks carry on from. */
    private static final class Progress {
        long size;
        Hash root = TreeHash.emptyRoot();
        /** service → the next history_index. */
        final Map<String, Long> next = new LinkedHashMap<>();
        /** service → the highest seq. */
        final Map<String, Long> seq = new LinkedHashMap<>();
        /** "service/instance/generation" → the base64 SPKI published. */
        final Map<String, String> published = new LinkedHashMap<>();

        /** Why the leaf breaks a service's history, or null. Records it otherwise. */
        String check(Leaf leaf) {
            if (leaf.service().isEmpty()) {
                return null;
            }
            String service = leaf.service().get();
            long expected = next.getOrDefault(service, 0L);
            long index = leaf.historyIndex().getAsLong();
            if (index != expected) {
                return "service " + service + " has history_index " + index + " where " + expected + " comes next";
            }
            if (leaf.seq() > 0 && leaf.seq() < seq.getOrDefault(service, 0L)) {
                return "service " + service + " has seq " + leaf.seq() + " after " + seq.get(service);
            }
            String instance = service + "/" + leaf.instance().orElse("") + "/";
            if (leaf.type().equals("reset")) {
                published.keySet().removeIf(key -> key.startsWith(instance));
            }
            if (Leaf.PUBLISHING.contains(leaf.type())) {
                String key = instance + leaf.generation().getAsLong();
                String spki = Base64.getEncoder().encodeToString(leaf.spki().orElseThrow());
                String before = published.get(key);
                if (before != null && !before.equals(spki)) {
                    return "service " + service + " instance " + leaf.instance().get() + " generation " + leaf.generation().getAsLong()
                            + " is published again with another key";
                }
                published.put(key, spki);
            }
            next.put(service, expected + 1);
            seq.merge(service, leaf.seq(), Math::max);
            return null;
        }

        String write() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("size", size);
            json.put("root", root.base64());
            json.put("next", next);
            json.put("seq", seq);
            json.put("published", published);
            return Json.write(json) + "\n";
        }

        static Progress parse(String text, String name) {
            Progress p = new Progress();
            try {
                Map<String, Object> json = Json.parseObject(text);
                p.size = (Long) json.get("size");
                p.root = Hash.fromBase64((String) json.get("root"));
                ((Map<?, ?>) json.get("next")).forEach((k, v) -> p.next.put((String) k, (Long) v));
                ((Map<?, ?>) json.get("seq")).forEach((k, v) -> p.seq.put((String) k, (Long) v));
                ((Map<?, ?>) json.get("published")).forEach((k, v) -> p.published.put((String) k, (String) v));
                return p;
            } catch (JsonException | MalformedException | ClassCastException | NullPointerException e) {
                throw new VerificationException("the log state file " + name + " is not valid (run with --from-scratch): " + e, e);
            }
        }
    }
}
