package dev.herald.client.cli;

import dev.herald.client.consumer.MemoryState;
import dev.herald.client.consumer.StateDirectory;
import dev.herald.client.log.LogClient;
import dev.herald.client.log.LogSource;
import dev.herald.client.log.LogState;
import dev.herald.client.log.WitnessPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code herald log} commands share: the state directory, the log key, and the inconsistency hook. */
final class LogOptions {
    @Option(names = "--state", paramLabel = "DIR",
            description = "Keep the pinned log key, the last verified checkpoint and the progress here (made on first use)."
                    + " Without it, nothing is kept between runs.")
    Path state;

    @Mixin
    LogKeyOptions key;

    /** The client of the mount's log; messages go to {@code err}. */
    LogClient client(ConnectionOptions connection, PrintWriter err) {
        return client(connection, err, null);
    }

    /** The client of the mount's log, requiring witnessed checkpoints if {@code witnesses} is not null. */
    LogClient client(ConnectionOptions connection, PrintWriter err, WitnessPolicy witnesses) {
        LogState logState = state == null ? new MemoryState() : StateDirectory.open(state);
        LogClient.Builder builder = LogClient.builder(LogSource.of(connection.vaultClient(), connection.mount()), logState)
                .hook(key.hook(err));
        if (key.key() != null) {
            builder.logKey(key.key());
        }
        if (witnesses != null) {
            builder.witnesses(witnesses);
        }
        return builder.build();
    }
}
