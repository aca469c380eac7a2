package dev.herald.engine;

import dev.herald.sdk.Path;
import dev.herald.tlog.NoteVerifier;

import java.util.stream.Collectors;

/** {@code log/key}: the verifier keys of the mount's log, one signed-note vkey per line. Needs no token. */
final class LogKeyPath {
    static final String PATTERN = "log/key";
    /** Keys change only by rotation, which keeps the old key beside the new one for a while. */
    static final String CACHE_CONTROL = "max-age=300";

    private LogKeyPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern(PATTERN)
                .read("Read the verifier keys of the mount's log (signed-note vkeys, one per line).", request ->
                        LogAnswers.text(mount.logReader().keys().stream().map(NoteVerifier::vkey)
                                .collect(Collectors.joining("\n", "", "\n")), CACHE_CONTROL))
                .help("The public keys that verify the log's checkpoints.", """
                        One C2SP signed-note verifier key per line (<origin>+<key id>+<base64 key>), the
                        current one first: what clients check log/checkpoint with. A client pins it on first
                        use, or is given it (herald --log-key). The log key is made at the mount's first
                        change: before, 404. It needs no token.
                        """);
    }
}
