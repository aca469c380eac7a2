package dev.herald.client;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a client holds when a log turns out inconsistent (design-log §7.3): the statements that
 * cannot both be true, as the files written under the state directory.
 *
 * @param origin    the log's origin (its checkpoints' first line)
 * @param reason    what contradicts what, in one sentence
 * @param files     file name → content: {@code reason}, {@code stored-checkpoint}, {@code checkpoint},
 *                  {@code proof}, {@code record}, {@code leaf}, whichever apply
 * @param directory where they were written ({@code log/<origin>/evidence-<time>/}), if the client has
 *                  a state directory
 */
public record LogEvidence(String origin, String reason, Map<String, String> files, Optional<Path> directory) {
    public LogEvidence {
        files = Map.copyOf(files);
    }
}
