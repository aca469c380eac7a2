package dev.herald.engine;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.Cosignature;
import dev.herald.tlog.Hash;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.NoteSignature;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.SignedNote;
import dev.herald.tlog.VerificationException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code log/cosign}: a witness hands in its cosignature of one of the log's checkpoints
 * (docs/design-log.md §8). Authenticated: a policy grants {@code update} to the witness's token.
 */
final class LogCosignPath {
    static final String PATTERN = "log/cosign";
    /** A witness's clock may run ahead of the server's by this much; later timestamps are refused. */
    static final Duration SKEW = Duration.ofMinutes(1);

    static final Field<String> CHECKPOINT = Field.string("checkpoint",
            "The checkpoint note: the log's checkpoint with the log's signature and the witness's cosignature line(s).")
            .required();

    private LogCosignPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern(PATTERN)
                .fields(CHECKPOINT)
                .update("Hand in a witness's cosignature of a checkpoint of the mount's log.", request -> cosign(mount, request))
                .help("Collects witnesses' cosignatures of the log's checkpoints (log/witnessed serves them).", """
                        The body's checkpoint is a C2SP signed note: a checkpoint of this mount's log, with
                        the log key's signature and the cosignature (C2SP tlog-cosignature v1) of one or
                        more witnesses listed in config log_witnesses. The engine checks that the log key
                        signed it, that it is a checkpoint of the log's own tree (its root is the tree's
                        at that size), that each cosignature verifies and is not dated in the future,
                        then keeps it in log/witnessed if its size is at least the one there: a larger
                        size replaces it, the same size adds the cosignatures, a smaller one is dropped
                        (stored: false). Witnesses call this with their own token; it is not open to
                        anonymous requests.
                        """);
    }

    private static Response cosign(MountState mount, Request request) {
        SignedNote note;
        Checkpoint checkpoint;
        try {
            note = SignedNote.parse(request.get(CHECKPOINT));
            checkpoint = Checkpoint.parse(note.text());
        } catch (MalformedException e) {
            throw VaultException.badRequest("invalid checkpoint: " + e.getMessage());
        }
        LogReader reader = mount.logReader();
        List<NoteVerifier> logKeys = reader.keys();
        String origin = logKeys.getFirst().name();
        if (!checkpoint.origin().equals(origin)) {
            throw VaultException.badRequest("invalid checkpoint: it is of log " + checkpoint.origin() + ", not of this mount's ("
                    + origin + ")");
        }
        try {
            note.verify(logKeys);
        } catch (VerificationException e) {
            throw VaultException.badRequest("invalid checkpoint: not signed by this log's key: " + e.getMessage());
        }
        checkInTree(reader, checkpoint);
        List<NoteVerifier> witnesses = mount.settings().get().witnesses();
        if (witnesses.isEmpty()) {
            throw VaultException.badRequest("no witnesses are configured: set config log_witnesses to their keys first");
        }
        List<NoteSignature> logLines = new ArrayList<>(), cosignatures = new ArrayList<>();
        long latest = mount.clock().instant().plus(SKEW).getEpochSecond();
        for (NoteSignature line : note.signatures()) {
            if (logKeys.stream().anyMatch(line::isBy)) {
                logLines.add(line);
                continue;
            }
            NoteVerifier witness = witnesses.stream().filter(line::isBy).findFirst().orElseThrow(() -> VaultException.badRequest(
                    "invalid checkpoint: a signature line by " + line.name() + ", which is neither this log's key nor a witness"
                            + " of config log_witnesses"));
            Cosignature c;
            try {
                c = Cosignature.verify(witness, checkpoint, line);
            } catch (VerificationException e) {
                throw VaultException.badRequest("invalid checkpoint: " + e.getMessage());
            }
            if (c.timestamp() > latest) {
                throw VaultException.badRequest("invalid checkpoint: the cosignature by " + witness.name() + " is dated "
                        + c.timestamp() + " (seconds since the epoch), in the future of this server's clock");
            }
            cosignatures.add(line);
        }
        if (cosignatures.isEmpty()) {
            throw VaultException.badRequest("invalid checkpoint: it carries no cosignature by a witness of config log_witnesses");
        }
        WitnessedCheckpoint.Outcome outcome = mount.witnessed().offer(checkpoint, logLines, cosignatures, witnesses);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("stored", outcome.stored());
        data.put("size", checkpoint.size());
        data.put("witnessed_size", outcome.size());
        data.put("cosignatures", (long) outcome.cosignatures());
        if (!outcome.stored()) {
            data.put("reason", "log/witnessed holds a larger checkpoint (size " + outcome.size() + "); this one is dropped");
        }
        return Response.data(data);
    }

    /** The checkpoint names the root the log's tree has at its size (a log key may sign; only its tree counts). */
    private static void checkInTree(LogReader reader, Checkpoint checkpoint) {
        Hash root;
        try {
            root = reader.rootAt(checkpoint.size());
        } catch (VaultException e) {
            if (e.status() != 404) {
                throw e;
            }
            throw VaultException.badRequest("invalid checkpoint: its size " + checkpoint.size() + " is beyond the log's tree ("
                    + reader.view().size() + ")");
        }
        if (!root.equals(checkpoint.root())) {
            throw VaultException.badRequest("invalid checkpoint: its root is not the root of the log's tree of size "
                    + checkpoint.size());
        }
    }
}
