package dev.herald.client.cli;

import dev.herald.client.HeraldException;
import dev.herald.client.Pem;
import dev.herald.client.log.Leaf;
import dev.herald.client.log.LogClient;
import dev.herald.client.log.LogReplay;
import dev.herald.sdk.Durations;
import dev.herald.sdk.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald log watch SERVICE}: reads the log's new entries (verified as {@code log verify}
 * does, from where the last run stopped) and prints each of the service's as one JSON line. With
 * expectations, a publication by another entity or of another key is reported on stderr as
 * {@code unexpected} and runs the hook: the owner's answer to "was a key published for my service
 * that I did not publish?".
 */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print every change of a service as it appears in the log; report unexpected publications.")
final class LogWatchCommand implements Callable<Integer> {
    /** The variable that gives a {@code --hook} command the unexpected leaf (its JSON line). */
    static final String LEAF_VARIABLE = "HERALD_LOG_LEAF";

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Option(names = "--once", description = "Read up to the current checkpoint and exit (for cron and tests).")
    boolean once;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "How often to read the log without --once (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--expect-entity", paramLabel = "ID", description = "An entity id allowed to publish for the service (repeatable).")
    List<String> expectEntities = new ArrayList<>();

    @Option(names = "--expect-key", paramLabel = "FILE", description = "A PEM public key the service may publish (repeatable).")
    List<Path> expectKeys = new ArrayList<>();

    @Option(names = "--hook", paramLabel = "CMD", description = "Run CMD (sh -c) on an unexpected publication, with $"
            + LEAF_VARIABLE + " its JSON line.")
    String hook;

    @Mixin
    LogOptions log;

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        List<byte[]> keys = new ArrayList<>();
        for (Path file : expectKeys) {
            keys.add(Pem.decode(read(file), "PUBLIC KEY", file.toString()));
        }
        PrintWriter err = spec.commandLine().getErr();
        LogClient client = log.client(connection, err);
        Duration pause = Durations.parse(interval);
        while (true) {
            LogReplay.run(client, "watch-" + service, false, (index, leaf) -> {
                if (leaf.service().filter(service::equals).isPresent()) {
                    show(index, leaf, keys, err);
                }
            });
            if (once) {
                return HeraldCli.OK;
            }
            Thread.sleep(pause);
        }
    }

    private void show(long index, Leaf leaf, List<byte[]> keys, PrintWriter err) {
        String line = Json.write(leaf.summary(index));
        System.out.println(line);
        System.out.flush();
        if (!Leaf.PUBLISHING.contains(leaf.type())) {
            return;
        }
        List<String> why = new ArrayList<>();
        if (!expectEntities.isEmpty() && !expectEntities.contains(leaf.entityId().orElse(""))) {
            why.add("by entity " + leaf.entityId().orElse("(none)"));
        }
        byte[] spki = leaf.spki().orElseThrow();
        if (!keys.isEmpty() && keys.stream().noneMatch(key -> Arrays.equals(key, spki))) {
            why.add("of key " + Base64.getEncoder().encodeToString(spki));
        }
        if (!why.isEmpty()) {
            err.println("herald: unexpected: " + leaf.type() + " " + String.join(", ", why) + ": " + line);
            err.flush();
            if (hook != null) {
                Hooks.run(hook, Map.of(LEAF_VARIABLE, line));
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new HeraldException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
