package dev.herald.client.cli;

import dev.herald.client.VaultClient;
import dev.herald.client.consumer.Consumer;
import dev.herald.client.consumer.DiscoveryRecord;
import dev.herald.sdk.json.Json;
import java.nio.file.Path;
import java.util.Map;
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
 *
 * <p>With {@code --follow} it is a consumer the engine counts (DESIGN §5.8): after each rewrite, and
 * once {@code --on-change} (if given) exited 0, it acknowledges the record, so that a rotation of the
 * service keeps the old key listed until the bundle's user has the new one; a hook that fails leaves
 * the record unacknowledged and the rewrite is tried again at the next refresh. It leaves on
 * SIGTERM. Without {@code --follow} it never acknowledges: a command that exits at once must not be
 * counted as a consumer for consumer_ttl.
 */
@Command(name = "trust", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write (and with --follow keep current) a PEM bundle of a service's live keys.")
final class TrustCommand implements Callable<Integer> {
    /** What the --on-change command finds in its environment. */
    static final String RECORD_VARIABLE = "HERALD_RECORD";
    static final String BUNDLE_VARIABLE = "HERALD_BUNDLE";
    static final String SEQ_VARIABLE = "HERALD_SEQ";

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The PEM bundle to write (atomically).")
    Path out;

    @Option(names = "--record-out", paramLabel = "FILE", description = "Where the JSON copy of the verified record goes (default: FILE.json).")
    Path recordOut;

    @Option(names = "--follow", description = "Keep running: refresh before each record expires; rewrite when seq changes;"
            + " acknowledge what was written (unless --no-ack); leave on SIGTERM.")
    boolean follow;

    @Option(names = "--on-change", paramLabel = "CMD", description = "With --follow: run CMD (sh -c) after each rewrite, with"
            + " HERALD_RECORD, HERALD_BUNDLE and HERALD_SEQ set; the record is acknowledged only once it exits 0.")
    String onChange;

    @Option(names = "--no-ack", description = "With --follow: never acknowledge (this process is not counted when the service rotates).")
    boolean noAck;

    @Mixin
    ConsumerOptions consumerOptions;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws InterruptedException {
        VaultClient client = connection.vaultClient();
        Consumer consumer = consumerOptions.consumer(connection, client, service, null,
                follow && !noAck ? Consumer.Acknowledging.BY_CALLER : Consumer.Acknowledging.NEVER);
        DiscoveryRecord record = consumer.refresh();
        boolean installed = install(record);
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
        CountDownLatch left = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            refreshing.close();
            stopped.countDown();
            try {
                left.await(10, TimeUnit.SECONDS); // the main thread leaves; the JVM must not end before
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "herald-trust-stop"));
        DiscoveryRecord written = installed ? record : null;
        DiscoveryRecord seen = record;
        if (written != null) {
            consumer.acknowledge(written);
        }
        try {
            while (!stopped.await(200, TimeUnit.MILLISECONDS)) {
                DiscoveryRecord current = consumer.current().orElse(null);
                if (current == null || current == seen) {
                    continue;
                }
                seen = current; // a refresh happened
                if (written == null || current.seq() != written.seq()) {
                    if (install(current)) {
                        written = current;
                    }
                }
                if (written != null) {
                    consumer.acknowledge(written); // acknowledges only what was installed: due or a heartbeat
                }
            }
        } finally {
            consumer.close();
            left.countDown();
        }
        return HeraldCli.OK;
    }

    /** Writes the record and its bundle, then runs --on-change; whether the record is now installed. */
    private boolean install(DiscoveryRecord record) {
        Path recordFile = recordOut != null ? recordOut : out.resolveSibling(out.getFileName() + ".json");
        Output.writeAtomically(recordFile, Json.write(record.toJson()) + "\n");
        Output.writeAtomically(out, ConsumerOptions.pem(record));
        System.err.println("herald: " + out + ": " + record.instances().size() + " keys of " + service + " at seq "
                + record.seq() + ", valid until " + record.expiresAt());
        if (onChange == null) {
            return true;
        }
        return Hooks.run(onChange, Map.of(RECORD_VARIABLE, recordFile.toString(), BUNDLE_VARIABLE, out.toString(),
                SEQ_VARIABLE, Long.toString(record.seq())));
    }
}
