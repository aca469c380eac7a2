package dev.herald.client.cli;

import dev.herald.client.VerificationException;
import dev.herald.client.log.LogWire;
import dev.herald.client.log.WitnessPolicy;
import dev.herald.sdk.Durations;
import dev.herald.tlog.NoteVerifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The witness policy (design-log §8): options of the commands that rely on the mount's log. */
final class WitnessOptions {
    @Option(names = "--witness", paramLabel = "VKEY",
            description = "A witness's key (<name>+<id>+<key>, type 0x04) whose cosignature of the log's checkpoint counts"
                    + " (repeatable). With it, every checkpoint relied on must be covered by <mount>/log/witnessed.")
    List<String> witnesses = new ArrayList<>();

    @Option(names = "--witnesses-required", paramLabel = "K",
            description = "How many of the --witness keys must have cosigned (default: all of them).")
    Integer required;

    @Option(names = "--witness-wait", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long to wait for the witnesses to cosign a new checkpoint (default: ${DEFAULT-VALUE}).")
    String wait;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The policy, or null if no {@code --witness} was given. */
    WitnessPolicy policy() {
        if (witnesses.isEmpty()) {
            if (required != null) {
                throw usage("--witnesses-required needs --witness keys");
            }
            return null;
        }
        List<NoteVerifier> keys = new ArrayList<>();
        for (String text : witnesses) {
            try {
                keys.add(LogWire.witnessVkey(text.strip()));
            } catch (VerificationException e) {
                throw usage("--witness: " + e.getMessage());
            }
        }
        Duration waiting;
        try {
            waiting = Durations.parse(wait);
        } catch (RuntimeException e) {
            throw usage("--witness-wait: " + e.getMessage());
        }
        try {
            return new WitnessPolicy(keys, required == null ? keys.size() : required, waiting);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
