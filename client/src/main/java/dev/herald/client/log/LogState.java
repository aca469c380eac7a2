package dev.herald.client.log;

import dev.herald.tlog.NoteVerifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a client keeps of a mount's log between checks (design-log §7.1), beside its pinned signer
 * keys and {@code seq}s: the pinned log keys, and per origin small named files (the largest verified
 * {@code checkpoint}, {@code verify}'s and {@code watch}'s progress). Implemented by the consumer's
 * state directory (files, shared by processes) and its memory state.
 */
public interface LogState {
    /** The pinned log verifier keys, if any (all of one origin). */
    Optional<List<NoteVerifier>> logKeys();

    /** Pins {@code keys} if none are pinned (first use); returns what is pinned now (another pin wins). */
    List<NoteVerifier> pinLogKeys(List<NoteVerifier> keys);

    /** The content of the log file {@code name} of {@code origin}, if there is one. */
    Optional<String> readLog(String origin, String name);

    /**
     * Replaces the log file {@code name} of {@code origin} with {@code content} if it still holds
     * {@code expected} (empty: no file), atomically with respect to other writers.
     *
     * @return whether it was replaced (false: someone else changed it since it was read)
     */
    boolean replaceLog(String origin, String name, Optional<String> expected, String content);

    /** Writes evidence files to a new directory {@code log/<origin>/evidence-<time>/}, if this state has a directory. */
    Optional<Path> writeEvidence(String origin, Map<String, String> files);
}
