package dev.herald.engine;

import dev.herald.sdk.Log;
import dev.herald.sdk.Path;
import dev.herald.sdk.Response;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** {@code tidy}: drops expired publications from the live index. History is kept. Also run periodically. */
final class TidyPath {
    private static final Log LOG = Log.named("herald.engine");
    /** Services the periodic tidy looks at per tick (about a minute): expired ones are already left out of records. */
    private static final int PERIODIC_BATCH = 500;

    private TidyPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern("tidy")
                .update("Drop expired publications from the live index.", request -> {
                    Tally tally = tidy(mount.registry(), mount.clock().instant(), mount.registry().names());
                    return Response.data(Map.of("services_checked", tally.services(),
                            "publications_removed", tally.removed()));
                })
                .help("Remove expired publications from the live index.", """
                        Expired publications are already left out of records; tidy also removes them from
                        the stored index, service by service. It changes no sequence and keeps all history.
                        The engine does the same in the background about once a minute, for publications
                        that ended more than 10 minutes before.
                        """);
    }

    record Tally(long services, long removed) {
    }

    /**
     * How long the periodic tidy leaves an expired publication listed. Records leave it out at once
     * anyway; the grace makes an operator's tidy report exactly what had expired, whatever the
     * background tick did meanwhile.
     */
    static final Duration PERIODIC_GRACE = Duration.ofMinutes(10);

    /**
     * The periodic tidy: each run tidies the next {@value #PERIODIC_BATCH} services (in name order, from
     * the start again after the last), so that each tick's work stays small on mounts with many services.
     */
    static Runnable periodic(MountState mount) {
        AtomicReference<String> cursor = new AtomicReference<>("");
        return () -> {
            try {
                cursor.set(tidySome(mount.registry(), mount.clock(), cursor.get()));
            } catch (RuntimeException e) {
                // e.g. read-only storage on a standby, or a mount being removed: next time
                LOG.debug("periodic tidy skipped", "error", e.getMessage());
            }
        };
    }

    /** The next {@value #PERIODIC_BATCH} services after {@code after}; returns the last one it looked at. */
    private static String tidySome(Registry registry, Clock clock, String after) {
        List<String> names = registry.names();
        List<String> next = names.stream().filter(name -> name.compareTo(after) > 0).limit(PERIODIC_BATCH).toList();
        tidy(registry, clock.instant().minus(PERIODIC_GRACE), next);
        return next.isEmpty() ? "" : next.getLast();
    }

    /** Removes from the services' lists what had ended by {@code cutoff}. */
    private static Tally tidy(Registry registry, Instant cutoff, List<String> names) {
        long services = 0;
        long removed = 0;
        for (String service : names) {
            services++;
            removed += registry.change(service, state -> {
                ServiceState pruned = state.pruned(cutoff);
                int dropped = state.publicationCount() - pruned.publicationCount();
                return dropped == 0 ? Registry.Change.none(0) : new Registry.Change<>(pruned, List.<History.Event>of(), dropped);
            });
        }
        return new Tally(services, removed);
    }
}
