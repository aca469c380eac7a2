package dev.herald.client.cli;

import dev.herald.client.log.LogClient;
import dev.herald.client.log.LogReplay;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/**
 * {@code herald log verify}: replays the mount's log from its tiles up to its latest checkpoint
 * ({@link LogReplay}) and checks the checkpoint's consistency with the one kept in the state.
 * Incremental from where the last run stopped, unless {@code --from-scratch}.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Replay the mount's log from its tiles and check every entry, the tree and the checkpoint.")
final class LogVerifyCommand implements Callable<Integer> {
    /** The log file that keeps how far verify got. */
    static final String PROGRESS = "verified";

    @Option(names = "--from-scratch", description = "Verify from the first entry, not from where the last run stopped.")
    boolean fromScratch;

    @Mixin
    LogOptions log;

    @Mixin
    WitnessOptions witnesses;

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        LogClient client = log.client(connection, err, witnesses.policy());
        LogReplay.Result result = LogReplay.run(client, PROGRESS, fromScratch, (index, leaf) -> { });
        // The tree just replayed must be the one the witnesses saw (or a prefix of it).
        client.requireWitnessed(result.checkpoint(), java.util.Map.of());
        err.println("herald: log " + result.checkpoint().origin() + ": " + result.checkpoint().size() + " entries verified ("
                + result.read() + " read now), root " + result.checkpoint().root().base64());
        err.flush();
        return HeraldCli.OK;
    }
}
