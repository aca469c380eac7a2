package dev.herald.client.cli;

import dev.herald.client.LogInconsistencyException;
import dev.herald.client.TamperException;
import dev.herald.client.VerificationException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code herald} command (DESIGN §6.1). Messages go to stderr; stdout carries only a command's
 * output. Exit codes: {@value #OK} success, {@value #ERROR} error (network, server, configuration),
 * {@value #USAGE} usage, {@value #VERIFICATION} verification failed, {@value #TAMPER} tamper,
 * {@value #LOG_INCONSISTENCY} log inconsistency, {@value #ROTATION_NOT_ACKNOWLEDGED} a rotation ended unacknowledged.
 */
@Command(name = "herald", mixinStandardHelpOptions = true, versionProvider = HeraldCli.Version.class,
        description = "Publish keys into Herald, and discover, verify and pin the keys of a service.",
        subcommands = {PublishCommand.class, DiscoverCommand.class, TrustCommand.class, VerifyCommand.class,
                JwksCommand.class, LogCommand.class, WitnessCommand.class, RotationCommand.class, ConsumersCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:error (network, server, configuration)", "2:usage",
                "3:verification failed (signature, chain, typ, iss, sub, scope, exp, seq rollback)",
                "4:tamper (the wrapping token's lookup or unwrap failed, or its creation_path differs)",
                "5:log inconsistency (a fork, a shrink, a failing proof, a rewritten entry, a key not at its log_index)",
                "6:a rotation ended forced or cancelled, not acknowledged (herald rotation --wait)"})
public final class HeraldCli {
    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int USAGE = 2;
    public static final int VERIFICATION = 3;
    public static final int TAMPER = 4;
    public static final int LOG_INCONSISTENCY = 5;
    public static final int ROTATION_NOT_ACKNOWLEDGED = 6;

    public static void main(String[] args) {
        // The library logs through System.Logger (java.util.logging here): one line per message on stderr.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "herald: %4$s: %5$s%6$s%n");
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests and embedding). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new HeraldCli());
        line.setExecutionExceptionHandler((failure, commandLine, parsed) -> {
            // the root's: a writer set on it (tests, embedding) is not always handed down to nested subcommands
            PrintWriter err = line.getErr();
            err.println("herald: " + failure.getMessage());
            err.flush();
            return exitCode(failure);
        });
        return line;
    }

    /** The exit code of a failure. */
    static int exitCode(Throwable failure) {
        return switch (failure) {
            case TamperException tamper -> TAMPER;
            case LogInconsistencyException inconsistency -> LOG_INCONSISTENCY;
            case VerificationException verification -> VERIFICATION;
            case CommandLine.ParameterException usage -> USAGE;
            default -> ERROR;
        };
    }

    /** The version in the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = HeraldCli.class.getPackage().getImplementationVersion();
            return new String[] {"herald " + (version == null ? "(development build)" : version)};
        }
    }
}
