package dev.herald.client.cli;

import picocli.CommandLine.Command;

/** {@code herald log}: the mount's verifiable log (design-log §7.4). */
@Command(name = "log", mixinStandardHelpOptions = true,
        description = "Verify and watch the mount's verifiable log (C2SP tlog-tiles).",
        subcommands = {LogVerifyCommand.class, LogWatchCommand.class})
final class LogCommand {
}
