package dev.herald.it;

import java.util.List;
import java.util.Map;

/** What a finished CLI (or script) run printed, and how it ended. */
public record CliResult(List<String> command, int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns this if the command exited 0, else fails the test showing the whole run. */
    public CliResult assertSuccess() {
        if (exitCode != 0) {
            throw new AssertionError("command failed: " + this);
        }
        return this;
    }

    /** Returns this if the command exited non-zero, else fails the test showing the whole run. */
    public CliResult assertFailure() {
        if (exitCode == 0) {
            throw new AssertionError("command was expected to fail but succeeded: " + this);
        }
        return this;
    }

    /** stdout parsed as a JSON object (use {@code -format=json}). */
    public Map<String, Object> json() {
        return Json.parseObject(stdout);
    }

    /** stdout and stderr together, for message checks. */
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
