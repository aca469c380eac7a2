package dev.herald.client.log;

import dev.herald.client.HeraldException;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.Cosignature;
import dev.herald.tlog.Hash;
import dev.herald.tlog.Proofs;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.SignedNote;
import dev.herald.tlog.TileHashSource;
import dev.herald.tlog.TlogException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A minimal witness in pull mode (design-log §8): each {@link #round} reads the log's latest
 * checkpoint, checks the log's signature with the pinned log key, and, if the tree grew, checks
 * that the checkpoint it cosigned last is a prefix of it with a consistency proof it computes from
 * the log's tiles itself (it never trusts the proof paths). Then it cosigns, stores the cosigned
 * checkpoint (before handing it over: a witness must never cosign two views, even across a crash),
 * and posts it to {@code log/cosign}. A fork (same size, another root), a shrink or a failing proof
 * is refused with a {@link dev.herald.client.LogInconsistencyException}, the evidence written to
 * the state. Not thread-safe: one round at a time.
 */
public final class Witness {
    /** The log file holding the last checkpoint this witness cosigned, with its cosignature. */
    public static final String COSIGNED_FILE = "cosigned";

    /** Where a cosigned checkpoint goes: {@code POST <mount>/log/cosign} with the witness's token. */
    @FunctionalInterface
    public interface Poster {
        /** Hands the note to the log; returns the answer's data. */
        Map<String, Object> post(String note);
    }

    /** What a round did. */
    public enum Outcome {
        /** A larger checkpoint (or the first) was cosigned and posted. */
        COSIGNED,
        /** The checkpoint cosigned last was posted again (this process had not posted it yet). */
        POSTED_AGAIN,
        /** Nothing new. */
        UNCHANGED
    }

    private final LogClient log;
    private final WitnessKey key;
    private final Poster poster;
    private final Clock clock;
    /** Whether this process has posted the checkpoint in the state: after a restart it posts it once more. */
    private boolean posted;
    private Map<String, Object> lastAnswer = Map.of();

    /**
     * A witness of the log {@code log} reads (its state keeps the pinned log key and the cosigned checkpoint).
     *
     * @param clock the time cosignatures carry
     */
    public Witness(LogClient log, WitnessKey key, Poster poster, Clock clock) {
        this.log = Objects.requireNonNull(log, "log");
        this.key = Objects.requireNonNull(key, "key");
        this.poster = Objects.requireNonNull(poster, "poster");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The answer of the last post (e.g. {@code stored}, {@code witnessed_size}). */
    public Map<String, Object> lastAnswer() {
        return lastAnswer;
    }

    /**
     * One look at the log.
     *
     * @throws dev.herald.client.VerificationException if the checkpoint is malformed or not signed by the pinned key
     * @throws dev.herald.client.LogInconsistencyException on a fork, a shrink or a failing consistency proof
     */
    public Outcome round() {
        SignedCheckpoint latest = log.latest();
        Checkpoint next = latest.checkpoint();
        String origin = next.origin();
        Optional<String> stored = log.state().readLog(origin, COSIGNED_FILE);
        if (stored.isPresent()) {
            Checkpoint previous = log.open(stored.get()).checkpoint();
            Map<String, String> files = new LinkedHashMap<>();
            files.put("cosigned-checkpoint", stored.get());
            files.put("checkpoint", latest.note().encode());
            if (next.size() == previous.size()) {
                if (!next.root().equals(previous.root())) {
                    throw log.inconsistent(origin, "fork: the log's checkpoint of size " + next.size()
                            + " has another root than the one this witness cosigned", files);
                }
                if (posted) {
                    return Outcome.UNCHANGED;
                }
                post(stored.get());
                return Outcome.POSTED_AGAIN;
            }
            if (next.size() < previous.size()) {
                throw log.inconsistent(origin, "shrink: the log's checkpoint is of size " + next.size() + ", but this witness"
                        + " cosigned one of size " + previous.size(), files);
            }
            checkPrefix(origin, previous, next, files);
        }
        SignedNote cosigned = latest.note().with(Cosignature.sign(key.name(), key.privateKey(), key.publicKey(), next,
                clock.instant().getEpochSecond()));
        if (!log.state().replaceLog(origin, COSIGNED_FILE, stored, cosigned.encode())) {
            throw new HeraldException("the witness's state changed while it cosigned: is another witness process using it?");
        }
        posted = false;
        post(cosigned.encode());
        return Outcome.COSIGNED;
    }

    private void post(String note) {
        lastAnswer = poster.post(note);
        posted = true;
    }

    /** The tree of {@code previous} is a prefix of that of {@code next}: the proof computed from the log's tiles holds. */
    private void checkPrefix(String origin, Checkpoint previous, Checkpoint next, Map<String, String> files) {
        List<Hash> proof = List.of();
        try {
            proof = Proofs.consistency(previous.size(), next.size(),
                    new TileHashSource(next.size(), id -> log.source().get(LogWire.tile(id))));
            Proofs.checkConsistency(previous.size(), previous.root(), next.size(), next.root(), proof);
        } catch (TlogException e) {
            files.put("proof", proof.stream().map(h -> h.base64() + "\n").collect(Collectors.joining()));
            throw log.inconsistent(origin, "the log's tiles do not prove the tree of size " + previous.size()
                    + " this witness cosigned a prefix of the tree of size " + next.size() + ": " + e.getMessage(), files);
        }
    }
}
