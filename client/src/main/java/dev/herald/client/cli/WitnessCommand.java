package dev.herald.client.cli;

import dev.herald.client.AtomicFiles;
import dev.herald.client.HeraldException;
import dev.herald.client.LogInconsistencyException;
import dev.herald.client.TokenSource;
import dev.herald.client.VaultClient;
import dev.herald.client.VerificationException;
import dev.herald.client.consumer.StateDirectory;
import dev.herald.client.log.LogClient;
import dev.herald.client.log.LogSource;
import dev.herald.client.log.LogWire;
import dev.herald.client.log.Witness;
import dev.herald.client.log.WitnessKey;
import dev.herald.sdk.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code herald witness}: a witness of the mount's log in pull mode ({@link Witness}): every
 * {@code --interval} it reads the log's checkpoint and, when the tree grew consistently, cosigns it
 * and posts the cosignature to {@code <mount>/log/cosign} with its token. It refuses a fork, a
 * shrink or a tree its tiles do not prove consistent (exit 5, evidence in the state directory).
 */
@Command(name = "witness", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Witness the mount's log: cosign each consistent new checkpoint, refuse any other (exit 5).",
        subcommands = {WitnessCommand.Keygen.class})
final class WitnessCommand implements Callable<Integer> {
    @Option(names = "--key", paramLabel = "FILE", description = "The witness's key file (herald witness keygen).")
    Path key;

    @Option(names = "--state", paramLabel = "DIR",
            description = "Keep the pinned log key and the last checkpoint cosigned here (made on first use).")
    Path state;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
            description = "How often to read the log's checkpoint (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--once", description = "Look once and exit (for cron and tests).")
    boolean once;

    @Mixin
    LogKeyOptions logKey;

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (key == null || state == null) {
            throw new ParameterException(spec.commandLine(), "herald witness needs --key FILE and --state DIR");
        }
        Duration pause = Durations.parse(interval);
        PrintWriter err = spec.commandLine().getErr();
        WitnessKey witnessKey = WitnessKey.parse(read(key));
        VaultClient vault = connection.vaultClient();
        TokenSource tokens = connection.tokens(vault);
        LogClient.Builder log = LogClient.builder(LogSource.of(vault, connection.mount()), StateDirectory.open(state))
                .hook(logKey.hook(err));
        if (logKey.key() != null) {
            log.logKey(logKey.key());
        }
        String cosign = connection.mount().replaceAll("^/+|/+$", "") + "/" + LogWire.COSIGN;
        Witness witness = new Witness(log.build(), witnessKey,
                note -> vault.post(cosign, Map.of("checkpoint", note), tokens.token()).data(), Clock.systemUTC());
        while (true) {
            try {
                Witness.Outcome outcome = witness.round();
                if (outcome != Witness.Outcome.UNCHANGED) {
                    err.println("herald: witness " + witnessKey.name() + ": " + outcome.name().toLowerCase().replace('_', ' ')
                            + " " + witness.lastAnswer());
                    err.flush();
                }
            } catch (LogInconsistencyException | VerificationException refused) {
                throw refused; // exit 5 or 3: a witness never goes on past a view it cannot vouch for
            } catch (HeraldException trouble) {
                if (once) {
                    throw trouble;
                }
                err.println("herald: witness " + witnessKey.name() + ": " + trouble.getMessage() + " (trying again)");
                err.flush();
            }
            if (once) {
                return HeraldCli.OK;
            }
            Thread.sleep(pause);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new HeraldException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code herald witness keygen NAME --key FILE}: makes a witness key, prints its vkey. */
    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Make a witness key: write the private key file (0600) and print the witness's vkey.")
    static final class Keygen implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The witness's name (no spaces, no '+'), e.g. witness.example.com.")
        String name;

        @Option(names = "--key", paramLabel = "FILE", required = true, description = "Where to write the key (never overwritten).")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            WitnessKey generated;
            try {
                generated = WitnessKey.generate(name);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (!AtomicFiles.create(file, generated.encode(), AtomicFiles.Permissions.OWNER_ONLY)) {
                throw new HeraldException(file + " exists; a witness key is never overwritten");
            }
            Output.print(generated.verifier().vkey() + "\n", null);
            return HeraldCli.OK;
        }
    }
}
