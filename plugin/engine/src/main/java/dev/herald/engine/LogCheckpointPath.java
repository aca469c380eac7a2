package dev.herald.engine;

import dev.herald.sdk.Path;

/** {@code log/checkpoint}: the latest checkpoint of the mount's log, a signed note. Needs no token. */
final class LogCheckpointPath {
    static final String PATTERN = "log/checkpoint";

    private LogCheckpointPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern(PATTERN)
                .read("Read the latest checkpoint of the mount's log (a C2SP signed note).",
                        request -> LogAnswers.text(mount.logReader().view().note(), LogAnswers.CURRENT))
                .help("The latest checkpoint of the mount's verifiable log, signed by the log key.", """
                        A C2SP tlog-checkpoint as a signed note (text/plain): the log's origin, its size
                        and the root hash of its Merkle tree, signed by the log key (log/key). Every
                        publication acknowledged before is in the tree it names. Before the first change
                        of a mount that has a log key it is a checkpoint of the empty tree; a mount that
                        never published has no log yet (404). It needs no token, and is not to be cached
                        (Cache-Control: no-cache).
                        """);
    }
}
