package dev.herald.client.cli;

import dev.herald.client.LogEvidence;
import dev.herald.client.TamperException;
import dev.herald.client.TamperHook;
import dev.herald.client.log.LogWire;
import dev.herald.tlog.NoteVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The log's key and inconsistency hook: options of every command that checks the mount's log. */
final class LogKeyOptions {
    /** The variable that tells a {@code --log-hook} command where the evidence is. */
    static final String EVIDENCE_VARIABLE = "HERALD_LOG_EVIDENCE";

    @Option(names = "--log-key", paramLabel = "VKEY",
            description = "The mount's log key (<origin>+<id>+<key>), known out of band; checkpoints must be signed by it."
                    + " Without it, <mount>/log/key is pinned on first use.")
    String logKey;

    @Option(names = "--log-hook", paramLabel = "CMD",
            description = "Run CMD (sh -c) on a log inconsistency, with $" + EVIDENCE_VARIABLE + " the evidence directory.")
    String logHook;

    /** The given key, or null. */
    NoteVerifier key() {
        return logKey == null ? null : LogWire.vkey(logKey);
    }

    /** A hook that reports a tamper or log inconsistency on {@code err}, and runs {@code --log-hook} on the latter. */
    TamperHook hook(PrintWriter err) {
        String command = logHook;
        return new TamperHook() {
            @Override
            public void tampered(TamperException event) {
                err.println("herald: TAMPER: " + event.getMessage());
                err.flush();
            }

            @Override
            public void logInconsistent(LogEvidence evidence) {
                err.println("herald: LOG INCONSISTENCY: " + evidence.reason());
                err.flush();
                if (command != null) {
                    Hooks.run(command, Map.of(EVIDENCE_VARIABLE, evidence.directory().map(Path::toString).orElse("")));
                }
            }
        };
    }
}
