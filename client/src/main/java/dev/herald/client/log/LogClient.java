package dev.herald.client.log;

import dev.herald.client.HeraldException;
import dev.herald.client.LogEvidence;
import dev.herald.client.LogInconsistencyException;
import dev.herald.client.TamperHook;
import dev.herald.client.VaultException;
import dev.herald.client.VerificationException;
import dev.herald.client.consumer.DiscoveryRecord;
import dev.herald.client.consumer.Instance;
import dev.herald.client.consumer.MemoryState;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.Hash;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.Proofs;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.SignedNote;
import dev.herald.tlog.TileHashSource;
import dev.herald.tlog.TlogException;
import dev.herald.tlog.TlogProof;
import dev.herald.tlog.TreeHash;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The client's side of a mount's verifiable log (design-log §6.3, §7): the pinned log keys, the
 * checkpoints it has verified, and the checks that tie records and checkpoints to them.
 *
 * <ul>
 *   <li>Keys: {@code --log-key} ({@link Builder#logKey}), else those pinned in the state, else
 *       {@code <mount>/log/key} read and pinned on first use.</li>
 *   <li>{@link #open}: a checkpoint note of the pinned origin signed by a pinned key, else a
 *       {@link VerificationException}.</li>
 *   <li>{@link #accept}: consistency with the stored checkpoint (§7.2); a larger one is stored, a
 *       fork, shrink or failing proof is a {@link LogInconsistencyException}.</li>
 *   <li>{@link #checkRecord}: every listed instance's leaf at its {@code log_index} under the
 *       record's {@code log_checkpoint} (§6.3), then {@link #accept} of that checkpoint.</li>
 * </ul>
 * On an inconsistency the evidence is written to the state ({@link LogState#writeEvidence}), the
 * {@link TamperHook#logInconsistent hook} is told, and the stored checkpoint stays as it was.
 * Thread-safe as far as its state is.
 */
public final class LogClient {
    /** The log file holding the largest verified checkpoint note. */
    public static final String CHECKPOINT_FILE = "checkpoint";

    /** At most this many leaves are remembered as proved (about 100 bytes each); then the memory starts again. */
    static final int MAX_REMEMBERED = 50_000;

    private final LogSource source;
    private final LogState state;
    private final NoteVerifier givenKey;
    private final TamperHook hook;
    /**
     * Leaves proved to publish an instance's key under a checkpoint that was then accepted: index →
     * what the leaf was matched to (service, instance, generation, key). Every accepted checkpoint is
     * consistent with every other (that is what {@link #accept} checks), so a leaf proved under one
     * is at the same index, unchanged, in every accepted tree of more than its index leaves: a
     * record that lists it again under a larger (or smaller) checkpoint needs no new proof, only
     * the consistency that {@link #accept} checks anyway. This keeps a consumer of a large service
     * from fetching a proof per instance on every refresh.
     */
    private final Map<Long, String> proved = new java.util.concurrent.ConcurrentHashMap<>();

    private LogClient(Builder builder) {
        this.source = builder.source;
        this.state = builder.state;
        this.givenKey = builder.logKey;
        this.hook = builder.hook;
    }

    /** A client of the log read from {@code source}, keeping what it learns in {@code state}. */
    public static Builder builder(LogSource source, LogState state) {
        return new Builder(source, state);
    }

    /** Whether this mount's log is pinned (keys in the state, or given): its records must then carry a checkpoint. */
    public boolean pinned() {
        return givenKey != null || state.logKeys().isPresent();
    }

    /**
     * The log's verifier keys: pinned (checked against a given key), or the given key pinned, or on
     * first use those of {@code log/key}, pinned.
     *
     * @throws VerificationException if the given key is not among the pinned ones, or {@code log/key} is malformed
     */
    public List<NoteVerifier> keys() {
        Optional<List<NoteVerifier>> pinned = state.logKeys();
        if (pinned.isPresent()) {
            if (givenKey != null && !pinned.get().contains(givenKey)) {
                throw new VerificationException("the log key given (" + givenKey.vkey() + ") is not the one pinned in the state ("
                        + pinned.get().stream().map(NoteVerifier::vkey).collect(Collectors.joining(", ")) + ")");
            }
            return pinned.get();
        }
        if (givenKey != null) {
            return state.pinLogKeys(List.of(givenKey));
        }
        return state.pinLogKeys(LogWire.keys(source.get(LogWire.KEY)));
    }

    /** The log's origin: the name of its keys. */
    public String origin() {
        return keys().getFirst().name();
    }

    /**
     * Opens a checkpoint note: parsed, of the pinned origin, signed by a pinned key.
     *
     * @throws VerificationException if it is malformed or not so signed (nothing contradicts anything yet: exit 3)
     */
    public SignedCheckpoint open(String note) {
        List<NoteVerifier> keys = keys();
        try {
            return SignedCheckpoint.open(note, keys.getFirst().name(), keys);
        } catch (TlogException e) {
            throw new VerificationException("log checkpoint: " + e.getMessage(), e);
        }
    }

    /** The log's latest checkpoint ({@code log/checkpoint}), opened. */
    public SignedCheckpoint latest() {
        return open(LogWire.utf8(source.get(LogWire.CHECKPOINT), "log/checkpoint"));
    }

    /** The source the log is read from. */
    public LogSource source() {
        return source;
    }

    /** The state the log's files are kept in. */
    public LogState state() {
        return state;
    }

    /**
     * Checks {@code checkpoint} against the stored one (design-log §7.2) and stores it if it is larger:
     * same size, the roots must be equal; larger, the consistency proof from the stored one must hold;
     * smaller, the proof from it to the stored one must hold, and then only if it is not the log's
     * latest ({@code latest}: a log that serves a smaller checkpoint than one it signed has shrunk).
     *
     * @param context more evidence files for an inconsistency (e.g. the record)
     * @throws LogInconsistencyException on a fork, a shrink or a failing proof
     */
    public void accept(SignedCheckpoint checkpoint, boolean latest, Map<String, String> context) {
        Checkpoint next = checkpoint.checkpoint();
        String origin = next.origin();
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<String> storedNote = state.readLog(origin, CHECKPOINT_FILE);
            if (storedNote.isEmpty()) {
                if (state.replaceLog(origin, CHECKPOINT_FILE, storedNote, checkpoint.note().encode())) {
                    return;
                }
                continue;
            }
            SignedCheckpoint stored = storedCheckpoint(storedNote.get());
            Checkpoint kept = stored.checkpoint();
            Map<String, String> files = new LinkedHashMap<>(context);
            files.put("stored-checkpoint", storedNote.get());
            files.put("checkpoint", checkpoint.note().encode());
            if (next.size() == kept.size()) {
                if (!next.root().equals(kept.root())) {
                    throw inconsistent(origin, "fork: two checkpoints of size " + next.size() + " with different roots", files);
                }
                return;
            }
            if (next.size() < kept.size()) {
                if (latest) {
                    throw inconsistent(origin, "shrink: the log's checkpoint is of size " + next.size() + ", but one of size "
                            + kept.size() + " was verified before", files);
                }
                checkConsistency(origin, next, kept, files);
                return;
            }
            checkConsistency(origin, kept, next, files);
            if (state.replaceLog(origin, CHECKPOINT_FILE, storedNote, checkpoint.note().encode())) {
                return;
            }
        }
        throw new HeraldException("the stored checkpoint of log " + origin + " keeps changing while it is checked");
    }

    private SignedCheckpoint storedCheckpoint(String note) {
        try {
            return open(note);
        } catch (VerificationException e) {
            throw new VerificationException("the stored log checkpoint is not valid: " + e.getMessage(), e);
        }
    }

    /** The consistency proof from {@code older} to {@code newer}, fetched (or computed from tiles), checked. */
    private void checkConsistency(String origin, Checkpoint older, Checkpoint newer, Map<String, String> files) {
        List<Hash> proof = consistencyProof(older.size(), newer.size());
        try {
            Proofs.checkConsistency(older.size(), older.root(), newer.size(), newer.root(), proof);
        } catch (dev.herald.tlog.VerificationException e) {
            files.put("proof", proof.stream().map(h -> h.base64() + "\n").collect(Collectors.joining()));
            throw inconsistent(origin, "the consistency proof from size " + older.size() + " to " + newer.size() + " fails: "
                    + e.getMessage(), files);
        }
    }

    /** {@code log/proof/consistency}, or when the engine does not serve it, the proof computed from its tiles. */
    List<Hash> consistencyProof(long from, long to) {
        if (from == 0 || from == to) {
            return List.of();
        }
        try {
            return LogWire.proofHashes(source.get(LogWire.consistency(from, to)));
        } catch (VaultException e) {
            if (e.status() != 404 && e.status() != 405) {
                throw e;
            }
        }
        try {
            return Proofs.consistency(from, to, new TileHashSource(to, id -> source.get(LogWire.tile(id))));
        } catch (TlogException e) {
            throw new VerificationException("cannot compute the consistency proof from " + from + " to " + to
                    + " from the log's tiles: " + e.getMessage(), e);
        }
    }

    /**
     * Checks a verified record's inclusion in the log (design-log §6.3): its {@code log_checkpoint}
     * opened; for every listed instance, the proof in {@code logProofs} (the discover answer's
     * {@value LogWire#PROOFS_MEMBER}; for an instance it has none for, {@code log/proof/inclusion})
     * for its {@code log_index} holds the same checkpoint, its leaf is
     * canonical and publishes exactly this instance's key, and the inclusion proof gives the root;
     * then the checkpoint is {@link #accept accepted}. A record without a checkpoint passes only while
     * no log is pinned (an engine without a log).
     *
     * @param record a single verified record or page (not one combined from pages)
     * @throws VerificationException if the checkpoint does not verify, or a pinned log's record has none
     * @throws LogInconsistencyException if a listed instance is not in the log at its index
     */
    public void checkRecord(DiscoveryRecord record, Object logProofs) {
        Optional<String> note = record.logCheckpoint();
        if (note.isEmpty()) {
            if (pinned()) {
                throw new VerificationException("record of service " + record.service() + " carries no " + LogWire.CHECKPOINT_CLAIM
                        + ", but the log of this mount (" + origin() + ") is pinned: a mount with a log does not drop it");
            }
            return;
        }
        SignedCheckpoint checkpoint = open(note.get());
        Map<String, String> context = new LinkedHashMap<>();
        context.put("record", record.compact());
        Map<Long, String> provedNow = new LinkedHashMap<>();
        for (Instance instance : record.instances()) {
            String publication = publication(record, instance);
            OptionalLong index = instance.logIndex();
            if (index.isPresent() && index.getAsLong() < checkpoint.checkpoint().size()
                    && publication.equals(proved.get(index.getAsLong()))) {
                continue; // proved under an accepted checkpoint: accept() below ties this one to it
            }
            checkInstance(record, instance, checkpoint, LogWire.proofsOf(logProofs, instance.name()), context);
            provedNow.put(index.getAsLong(), publication);
        }
        accept(checkpoint, false, context);
        if (proved.size() + provedNow.size() > MAX_REMEMBERED) {
            proved.clear();
        }
        proved.putAll(provedNow);
    }

    /** What a leaf is matched to for an instance: its service, name, generation and key. */
    private static String publication(DiscoveryRecord record, Instance instance) {
        return record.service() + "\n" + instance.name() + "\n" + instance.generation() + "\n" + instance.fingerprint();
    }

    /**
     * Checks a saved record's inclusion offline (design-log §6.3), as {@code herald verify} does: its
     * checkpoint signed by {@code logKey} (known out of band), and every listed instance's leaf at
     * its {@code log_index} by the proofs saved beside it ({@link DiscoveryRecord#logProofs}).
     * Nothing is fetched and nothing kept.
     *
     * @throws VerificationException     if the record has no checkpoint, was saved in pages, or lacks a proof
     * @throws LogInconsistencyException if a saved proof contradicts the signed checkpoint
     */
    public static void checkSaved(DiscoveryRecord record, NoteVerifier logKey, TamperHook hook) {
        if (!record.pages().isEmpty()) {
            throw new VerificationException("a record saved in pages carries no proofs to check offline: check each page"
                    + " as herald discover printed it");
        }
        if (record.logCheckpoint().isEmpty()) {
            throw new VerificationException("the saved record carries no " + LogWire.CHECKPOINT_CLAIM + " to check the log key against");
        }
        LogSource offline = path -> {
            throw new VerificationException("the saved record lacks what an offline check needs (log/" + path
                    + "): save it with herald discover, which keeps " + LogWire.PROOFS_MEMBER);
        };
        LogClient client = builder(offline, new MemoryState()).logKey(logKey).hook(hook).build();
        client.checkRecord(record, record.logProofs());
    }

    private void checkInstance(DiscoveryRecord record, Instance instance, SignedCheckpoint checkpoint, List<String> proofs,
                               Map<String, String> context) {
        String origin = checkpoint.checkpoint().origin();
        String which = "instance " + instance.name() + " generation " + instance.generation();
        Map<String, String> files = new LinkedHashMap<>(context);
        files.put("checkpoint", checkpoint.note().encode());
        if (instance.logIndex().isEmpty()) {
            throw inconsistent(origin, "the record lists " + which + " without " + LogWire.INDEX_CLAIM + " under a log checkpoint", files);
        }
        long index = instance.logIndex().getAsLong();
        TlogProof proof = null;
        for (String text : proofs) {
            try {
                TlogProof parsed = TlogProof.parse(text);
                if (parsed.index() == index) {
                    proof = parsed;
                    files.put("proof", text);
                    break;
                }
            } catch (MalformedException e) {
                files.put("proof", text);
            }
        }
        boolean fetched = false;
        if (proof == null) {
            proof = fetchInclusion(index, checkpoint.checkpoint().size(), files);
            fetched = true;
        }
        if (proof == null) {
            throw inconsistent(origin, "no inclusion proof of " + which + " at its log_index " + index, files);
        }
        // A proof beside the record holds its checkpoint byte for byte; one fetched later may carry other
        // (e.g. witness) signatures on the same checkpoint, so there the signed text must be the same.
        if (fetched ? !sameText(proof.checkpoint(), note(record)) : !proof.checkpoint().equals(note(record))) {
            throw inconsistent(origin, "the inclusion proof of " + which + " is against another checkpoint than the record's", files);
        }
        byte[] bytes = proof.extra().orElse(null);
        if (bytes == null) {
            throw inconsistent(origin, "the inclusion proof of " + which + " carries no leaf", files);
        }
        files.put("leaf", new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        String mismatch = mismatch(record, instance, bytes);
        if (mismatch != null) {
            throw inconsistent(origin, "the leaf at log_index " + index + " of " + which + " " + mismatch, files);
        }
        Checkpoint c = checkpoint.checkpoint();
        try {
            Proofs.checkInclusion(TreeHash.leaf(bytes), index, c.size(), proof.proof(), c.root());
        } catch (dev.herald.tlog.VerificationException e) {
            throw inconsistent(origin, "the leaf of " + which + " is not at its log_index " + index + " in the tree of size "
                    + c.size() + ": " + e.getMessage(), files);
        }
    }

    /** {@code log/proof/inclusion} of the leaf, or null if the log has no such proof (404) or serves a malformed one. */
    private TlogProof fetchInclusion(long index, long size, Map<String, String> files) {
        byte[] body;
        try {
            body = source.get(LogWire.inclusion(index, size));
        } catch (VaultException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
        String text = LogWire.utf8(body, "inclusion proof");
        files.put("proof", text);
        try {
            TlogProof proof = TlogProof.parse(text);
            return proof.index() == index ? proof : null;
        } catch (MalformedException e) {
            return null;
        }
    }

    private static boolean sameText(String note, String other) {
        try {
            return SignedNote.parse(note).text().equals(SignedNote.parse(other).text());
        } catch (MalformedException e) {
            return false;
        }
    }

    private static String note(DiscoveryRecord record) {
        return record.logCheckpoint().orElseThrow();
    }

    /** Why the leaf does not publish this instance's key, or null if it does. */
    private static String mismatch(DiscoveryRecord record, Instance instance, byte[] bytes) {
        Leaf leaf;
        try {
            leaf = Leaf.parse(bytes);
        } catch (MalformedException e) {
            return "is not a valid leaf: " + e.getMessage();
        }
        if (!Leaf.PUBLISHING.contains(leaf.type())) {
            return "is a " + leaf.type() + ", not a publication";
        }
        if (!leaf.service().orElseThrow().equals(record.service())) {
            return "is of service " + leaf.service().orElseThrow();
        }
        if (!leaf.instance().orElseThrow().equals(instance.name()) || leaf.generation().getAsLong() != instance.generation()) {
            return "is of instance " + leaf.instance().orElseThrow() + " generation " + leaf.generation().getAsLong();
        }
        if (!Arrays.equals(leaf.spki().orElseThrow(), instance.publicKey().getEncoded())) {
            return "publishes another key";
        }
        return null;
    }

    /** Writes the evidence, tells the hook, and returns the exception to throw. */
    public LogInconsistencyException inconsistent(String origin, String reason, Map<String, String> files) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("reason", reason + "\n");
        all.putAll(files);
        LogEvidence evidence = new LogEvidence(origin, reason, all, state.writeEvidence(origin, all));
        try {
            hook.logInconsistent(evidence);
        } catch (RuntimeException hookFailure) {
            // the hook's own trouble must not hide the inconsistency
        }
        return new LogInconsistencyException(evidence);
    }

    /** Builds a {@link LogClient}. */
    public static final class Builder {
        private final LogSource source;
        private final LogState state;
        private NoteVerifier logKey;
        private TamperHook hook = TamperHook.NONE;

        private Builder(LogSource source, LogState state) {
            this.source = Objects.requireNonNull(source, "source");
            this.state = Objects.requireNonNull(state, "state");
        }

        /**
         * The log's key, known out of band ({@code --log-key}): stronger than trust on first use of
         * {@code log/key}. Pinned if nothing is; if other keys are pinned, every check fails.
         */
        public Builder logKey(NoteVerifier logKey) {
            this.logKey = logKey;
            return this;
        }

        /** Told of every inconsistency ({@link TamperHook#logInconsistent}). */
        public Builder hook(TamperHook hook) {
            this.hook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        public LogClient build() {
            return new LogClient(this);
        }
    }
}
