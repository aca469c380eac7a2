package dev.herald.plugin.testkit;

import java.util.List;

/**
 * How a finished command (the server's CLI, or any program run with its client environment) ended
 * and what it printed.
 *
 * @param command  the command line
 * @param exitCode its exit code
 * @param stdout   what it wrote to stdout
 * @param stderr   what it wrote to stderr
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

    /**
     * The canonical constructor.
     *
     * @param command  the command line
     * @param exitCode its exit code
     * @param stdout   what it wrote to stdout
     * @param stderr   what it wrote to stderr
     */
    public CommandResult {
        command = List.copyOf(command);
    }

    /**
     * Whether the command succeeded.
     *
     * @return true if it exited 0
     */
    public boolean succeeded() {
        return exitCode == 0;
    }

    /**
     * Checks that the command succeeded.
     *
     * @return this result
     * @throws AssertionError showing the whole run if it exited non-zero
     */
    public CommandResult assertSuccess() {
        if (exitCode != 0) {
            throw new AssertionError("command failed: " + this);
        }
        return this;
    }

    /**
     * Checks that the command failed.
     *
     * @return this result
     * @throws AssertionError showing the whole run if it exited 0
     */
    public CommandResult assertFailure() {
        if (exitCode == 0) {
            throw new AssertionError("command was expected to fail but succeeded: " + this);
        }
        return this;
    }

    /**
     * Both outputs, for checks of a message that may be on either.
     *
     * @return stdout then stderr
     */
    public String output() {
        return stdout + stderr;
    }

    @Override
    public String toString() {
        return String.join(" ", command) + "\n  exit code: " + exitCode + "\n  stdout: " + indent(stdout)
                + "\n  stderr: " + indent(stderr);
    }

    private static String indent(String text) {
        return text.strip().replace("\n", "\n          ");
    }
}
