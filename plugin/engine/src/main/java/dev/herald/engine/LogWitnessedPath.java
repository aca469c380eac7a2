package dev.herald.engine;

import dev.herald.sdk.Path;
import dev.herald.sdk.VaultException;

/** {@code log/witnessed}: the largest checkpoint of the mount's log that witnesses cosigned. Needs no token. */
final class LogWitnessedPath {
    static final String PATTERN = "log/witnessed";

    private LogWitnessedPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern(PATTERN)
                .read("Read the largest checkpoint of the mount's log that witnesses cosigned (a C2SP signed note).",
                        request -> LogAnswers.text(mount.witnessed().note().orElseThrow(() -> VaultException.notFound(
                                "no witnessed checkpoint yet: no witness has cosigned a checkpoint of this log")),
                                LogAnswers.CURRENT))
                .help("The largest checkpoint of the mount's log with the cosignatures of its witnesses.", """
                        A C2SP tlog-checkpoint as a signed note (text/plain), signed by the log key and
                        cosigned (C2SP tlog-cosignature v1) by the witnesses of config log_witnesses that
                        have handed in a cosignature through log/cosign. Clients that require k of n
                        witnesses read it (herald --witness, --witnesses-required). 404 until a witness
                        has cosigned. It needs no token, and is not to be cached (Cache-Control:
                        no-cache).
                        """);
    }
}
