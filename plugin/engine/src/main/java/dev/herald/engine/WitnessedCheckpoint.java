package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.VaultException;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.NoteSignature;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.SignedNote;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mount's witnessed checkpoint (docs/design-log.md §8): the largest checkpoint of the log that
 * configured witnesses cosigned, with the log's signature and their cosignatures, kept at
 * {@value #STORAGE_KEY}. Only {@link #offer} writes it, one offer at a time on the node (writes go to
 * the active node), so that two witnesses cosigning the same checkpoint both end up in it.
 */
final class WitnessedCheckpoint {
    static final String STORAGE_KEY = LogStore.PREFIX + "witnessed";

    private final Storage storage;
    private final Object writing = new Object();

    WitnessedCheckpoint(Storage storage) {
        this.storage = storage;
    }

    /** The stored note, if a witness ever cosigned (read from storage each time: standbys answer too). */
    Optional<String> note() {
        return storage.get(STORAGE_KEY).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * What an offer did.
     *
     * @param stored whether the offered cosignatures are now in the witnessed checkpoint
     * @param size the size of the witnessed checkpoint now stored
     * @param cosignatures how many cosignatures it carries
     */
    record Outcome(boolean stored, long size, int cosignatures) {
    }

    /**
     * Keeps the cosignatures of a checkpoint of the log, already checked (signed by the log key, one
     * of its tree's, each cosignature valid): a larger size than the stored one replaces it, the same
     * size merges them (a witness's newer line replacing its older one), a smaller one is dropped.
     *
     * @param checkpoint the checkpoint
     * @param logSignatures its lines by the log's keys
     * @param cosignatures the valid cosignature lines of configured witnesses
     * @param witnesses the configured witnesses: a stored line of another key is not kept on a merge
     * @throws VaultException 409 if the stored checkpoint of that size has another root (the tree
     *     changed under it: kept as evidence, never overwritten)
     */
    Outcome offer(Checkpoint checkpoint, List<NoteSignature> logSignatures, List<NoteSignature> cosignatures,
                  List<NoteVerifier> witnesses) {
        synchronized (writing) {
            Optional<SignedNote> stored = note().map(WitnessedCheckpoint::parse);
            List<NoteSignature> lines = new ArrayList<>(logSignatures);
            if (stored.isPresent()) {
                Checkpoint kept = checkpoint(stored.get());
                if (kept.size() > checkpoint.size()) {
                    return new Outcome(false, kept.size(), cosignatureCount(stored.get(), witnesses));
                }
                if (kept.size() == checkpoint.size()) {
                    if (!kept.root().equals(checkpoint.root())) {
                        throw VaultException.conflict("log/witnessed holds a checkpoint of size " + kept.size()
                                + " with another root than the log's tree has now; it is kept as it is");
                    }
                    lines.addAll(byWitnesses(stored.get(), witnesses));
                }
            }
            SignedNote merged = new SignedNote(checkpoint.body(), lines);
            for (NoteSignature c : cosignatures) {
                merged = merged.with(c);
            }
            storage.put(STORAGE_KEY, merged.bytes());
            return new Outcome(true, checkpoint.size(), cosignatureCount(merged, witnesses));
        }
    }

    private static List<NoteSignature> byWitnesses(SignedNote note, List<NoteVerifier> witnesses) {
        return note.signatures().stream().filter(s -> witnesses.stream().anyMatch(s::isBy)).toList();
    }

    private static int cosignatureCount(SignedNote note, List<NoteVerifier> witnesses) {
        return byWitnesses(note, witnesses).size();
    }

    private static SignedNote parse(String note) {
        try {
            return SignedNote.parse(note);
        } catch (MalformedException e) {
            throw new IllegalStateException("the stored " + STORAGE_KEY + " is damaged: " + e.getMessage(), e);
        }
    }

    private static Checkpoint checkpoint(SignedNote note) {
        try {
            return Checkpoint.parse(note.text());
        } catch (MalformedException e) {
            throw new IllegalStateException("the stored " + STORAGE_KEY + " is damaged: " + e.getMessage(), e);
        }
    }
}
