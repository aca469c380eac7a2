package dev.herald.client.cli;

import dev.herald.client.LogEvidence;
import dev.herald.client.TamperException;
import dev.herald.client.TamperHook;
import dev.herald.client.consumer.MemoryState;
import dev.herald.client.consumer.StateDirectory;
import dev.herald.client.log.LogClient;
import dev.herald.client.log.LogSource;
import dev.herald.client.log.LogState;
import dev.herald.client.log.LogWire;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** What {@code herald log} commands share: the state directory, the log key, and the inconsistency hook. */
final class LogOptions {
    /** The variable that tells a {@code --log-hook} command where the evidence is. */
    static final String EVIDENCE_VARIABLE = "HERALD_LOG_EVIDENCE";

    @Option(names = "--state", paramLabel = "DIR",
            description = "Keep the pinned log key, the last verified checkpoint and the progress here (made on first use)."
                    + " Without it, nothing is kept between runs.")
    Path state;

    @Option(names = "--log-key", paramLabel = "VKEY",
            description = "The log's verifier key (<origin>+<id>+<key>), known out of band; without it, "
                    + "<mount>/log/key is pinned on first use.")
    String logKey;

    @Option(names = "--log-hook", paramLabel = "CMD",
            description = "Run CMD (sh -c) on a log inconsistency, with $" + EVIDENCE_VARIABLE + " the evidence directory.")
    String logHook;

    /** The client of the mount's log; messages go to {@code err}. */
    LogClient client(ConnectionOptions connection, PrintWriter err) {
        LogState logState = state == null ? new MemoryState() : StateDirectory.open(state);
        LogClient.Builder builder = LogClient.builder(LogSource.of(connection.vaultClient(), connection.mount()), logState)
                .hook(hook(logHook, err));
        if (logKey != null) {
            builder.logKey(LogWire.vkey(logKey));
        }
        return builder.build();
    }

    /** A hook that reports a tamper or log inconsistency on {@code err} and runs {@code command} (if not null) on the latter. */
    static TamperHook hook(String command, PrintWriter err) {
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
