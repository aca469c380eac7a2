package dev.herald.client.cli;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an operator's hook command ({@code --log-hook}, {@code log watch --hook}) through {@code sh -c}. */
final class Hooks {
    /** How long a hook may run before the command goes on without it. */
    private static final long TIMEOUT_SECONDS = 60;

    private Hooks() {
    }

    /**
     * Runs {@code command} with {@code environment} added to this process's, its output on this
     * process's stderr, and waits for it (at most a minute). A hook that fails is reported, not fatal:
     * the exit code says what happened either way.
     *
     * @return whether it ran and exited 0 within the minute
     */
    static boolean run(String command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            process.getOutputStream().close(); // the hook reads nothing from us
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                System.err.println("herald: the hook is still running after " + TIMEOUT_SECONDS + " s; going on without it");
                return false;
            }
            if (process.exitValue() != 0) {
                System.err.println("herald: the hook exited with " + process.exitValue());
                return false;
            }
            return true;
        } catch (IOException e) {
            System.err.println("herald: cannot run the hook: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
