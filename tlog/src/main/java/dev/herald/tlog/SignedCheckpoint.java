package dev.herald.tlog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A checkpoint in its signed note, opened: the note parsed, its body parsed as a checkpoint of the
 * expected origin, and the log's signature verified.
 *
 * @param checkpoint the checkpoint
 * @param note the note (with every signature line, cosignatures included)
 * @param signedBy the log keys whose signatures verified
 */
public record SignedCheckpoint(Checkpoint checkpoint, SignedNote note, List<NoteVerifier> signedBy) {
    /** Copies the list. */
    public SignedCheckpoint {
        signedBy = List.copyOf(signedBy);
    }

    /**
     * {@return the opened checkpoint}
     *
     * @param note a checkpoint note as received
     * @param origin the origin the client expects (a log is known by its origin)
     * @param logKeys the log's verifier keys (type 0x01) the client trusts
     * @throws MalformedException if the note or its body is malformed
     * @throws VerificationException if the origin differs, no trusted key signed, or a trusted key's
     *     signature fails
     */
    public static SignedCheckpoint open(String note, String origin, Collection<NoteVerifier> logKeys) throws TlogException {
        SignedNote n = SignedNote.parse(note);
        Checkpoint c = Checkpoint.parse(n.text());
        if (!c.origin().equals(origin)) {
            throw new VerificationException("the checkpoint is of origin " + TileId.quote(c.origin()) + ", not " + TileId.quote(origin));
        }
        return new SignedCheckpoint(c, n, n.verify(logKeys));
    }

    /**
     * The cosignatures of known witnesses that verify. A witness's line that fails is an error (it
     * names a trusted key); lines of unknown keys are ignored, as signed-note requires.
     *
     * @param witnesses the trusted witness keys (type 0x04)
     * @return one verified cosignature per distinct witness key
     * @throws VerificationException if a trusted witness's cosignature fails
     */
    public List<Cosignature> cosignatures(Collection<NoteVerifier> witnesses) throws VerificationException {
        List<Cosignature> out = new ArrayList<>();
        Set<NoteVerifier> seen = new HashSet<>();
        for (NoteSignature s : note.signatures()) {
            for (NoteVerifier w : witnesses) {
                if (w.type() != NoteVerifier.COSIGNATURE_V1 || !s.isBy(w)) {
                    continue;
                }
                Cosignature c = Cosignature.verify(w, checkpoint, s);
                if (seen.add(w)) {
                    out.add(c);
                }
            }
        }
        return List.copyOf(out);
    }
}
