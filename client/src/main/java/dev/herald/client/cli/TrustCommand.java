package dev.herald.client.cli;

import dev.herald.client.VaultClient;
import dev.herald.client.consumer.Consumer;
import dev.herald.client.consumer.DiscoveryRecord;
import dev.herald.sdk.json.Json;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald trust}: writes the PEM public keys of a service's live instances (a trust bundle for
 * a proxy that does not speak Java) and a JSON copy of the verified record, each atomically; with
 * {@code --follow}, keeps them current, rewriting them only when {@code seq} changes.
 */
@Command(name = "trust", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write (and with --follow keep current) a PEM bundle of a service's live keys.")
final class TrustCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The PEM bundle to write (atomically).")
    Path out;

    @Option(names = "--record-out", paramLabel = "FILE", description = "Where the JSON copy of the verified record goes (default: FILE.json).")
    Path recordOut;

    @Option(names = "--follow", description = "Keep running: refresh before each record expires; rewrite when seq changes.")
    boolean follow;

    @Mixin
    ConsumerOptions consumerOptions;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws InterruptedException {
        VaultClient client = connection.vaultClient();
        Consumer consumer = consumerOptions.consumer(connection, client, service, null);
        DiscoveryRecord record = consumer.refresh();
        write(record);
        if (!follow) {
            return HeraldCli.OK;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "herald-trust-refresh");
            thread.setDaemon(true);
            return thread;
        });
        Consumer.Refreshing refreshing = consumer.startRefreshing(executor,
                failure -> System.err.println("herald: refresh of " + service + " failed (the last good record stays"
                        + " in force until it expires): " + failure.getMessage()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            refreshing.close();
            stopped.countDown();
        }, "herald-trust-stop"));
        long written = record.seq();
        while (!stopped.await(500, TimeUnit.MILLISECONDS)) {
            DiscoveryRecord current = consumer.current().orElse(null);
            if (current != null && current.seq() != written) {
                write(current);
                written = current.seq();
            }
        }
        return HeraldCli.OK;
    }

    private void write(DiscoveryRecord record) {
        Output.writeAtomically(recordOut != null ? recordOut : out.resolveSibling(out.getFileName() + ".json"),
                Json.write(record.toJson()) + "\n");
        Output.writeAtomically(out, ConsumerOptions.pem(record));
        System.err.println("herald: " + out + ": " + record.instances().size() + " keys of " + service + " at seq "
                + record.seq() + ", valid until " + record.expiresAt());
    }
}
