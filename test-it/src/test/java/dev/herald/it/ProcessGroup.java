package dev.herald.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The client processes a test starts (the {@code herald} launcher, library programs), each by a
 * name, its stdout and stderr in {@code NAME.out} and {@code NAME.err} of the test's directory; all
 * are killed when the group closes. Pausing and resuming are signals to the process's own id.
 */
final class ProcessGroup implements AutoCloseable {
    private final Path dir;
    private final Map<String, Process> processes = new LinkedHashMap<>();

    ProcessGroup(Path dir) {
        this.dir = dir;
    }

    /** {@code a} then {@code b}. */
    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The herald launcher's command with {@code args}. */
    static List<String> herald(List<String> args) {
        List<String> command = new ArrayList<>(List.of(Project.root().resolve("target/client/herald").toString()));
        command.addAll(args);
        return command;
    }

    /** The command that runs {@code main} of this module's test classes with the client jar. */
    static List<String> java(Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", Project.root().resolve("target/client/herald-client.jar") + java.io.File.pathSeparator
                        + Project.root().resolve("test-it/target/test-classes"), main.getName()));
        command.addAll(args);
        return command;
    }

    Process start(String name, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        builder.environment().keySet().removeIf(ServerKind::isServerVariable);
        builder.environment().put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
        // the launcher's log lines with the time of day, to line them up with the others (no spaces:
        // the launcher splits HERALD_JAVA_OPTS into words)
        builder.environment().put("HERALD_JAVA_OPTS", "-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL_herald:_%4$s:_%5$s%6$s%n");
        try {
            Process process = builder.start();
            processes.put(name, process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Process get(String name) {
        return processes.get(name);
    }

    /** The lines the process wrote to stdout so far. */
    List<String> out(String name) {
        return lines(dir.resolve(name + ".out"));
    }

    /** What it wrote to stderr so far. */
    String err(String name) {
        return String.join("\n", lines(dir.resolve(name + ".err")));
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGSTOP (pause) or SIGCONT (resume) to the process (the launcher's JVM is the process itself: it execs java). */
    void signal(String name, String signal) {
        long pid = processes.get(name).pid();
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, then waits for it to end; whether it did within {@code seconds}. */
    boolean terminate(String name, long seconds) throws InterruptedException {
        Process process = processes.get(name);
        process.destroy();
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        for (Process process : processes.values()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
