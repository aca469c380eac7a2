package dev.herald.engine;

import dev.herald.sdk.Log;
import dev.herald.sdk.Path;
import dev.herald.sdk.Response;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** {@code tidy}: drops expired publications from the live index. History is kept. Also run periodically. */
final class TidyPath {
    private static final Log LOG = Log.named("herald.engine");
    /** Services the periodic tidy looks at per tick (about a minute): expired ones are already left out of records. */
    private static final int PERIODIC_BATCH = 500;
    /**
     * Of those, services it may read from storage (not in the registry's cache) per tick. Tidying a
     * cached service costs no read, and a write only if something expired; one that is not cached
     * costs a {@code list} and a {@code get} per instance entry, usually to find nothing to drop: on a
     * mount of 100,000 publications in 1,000 services, 500 of those a minute were 50,000 reads in the
     * background, competing with requests. Uncached services are tidied anyway by their next change.
     */
    private static final int PERIODIC_READS = 20;

    private TidyPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern("tidy")
                .update("Drop expired publications from the live index.", request -> {
                    Tally tally = tidy(mount.registry(), mount.clock().instant(), mount.registry().names());
                    Duration consumerTtl = mount.settings().get().consumerTtl();
                    long consumersRemoved = 0;
                    for (String service : mount.consumers().services()) {
                        consumersRemoved += mount.consumers().removeStale(service, mount.clock().instant(), consumerTtl);
                    }
                    return Response.data(Map.of("services_checked", tally.services(),
                            "publications_removed", tally.removed(), "consumers_removed", consumersRemoved));
                })
                .help("Remove expired publications from the live index.", """
                        Expired publications are already left out of records; tidy also removes them from
                        the stored index, service by service. It changes no sequence and keeps all history.
                        The engine does the same in the background about once a minute, for publications
                        that ended more than 10 minutes before: in the services it holds in memory, and in
                        up to 20 others each time (a service is also tidied by its next change).

                        It also removes consumer sessions (consumers/) that stopped counting a day or more
                        before (consumers_removed): processes that went away without leaving.
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

    /**
     * The next services after {@code after}: at most {@value #PERIODIC_BATCH}, of which at most
     * {@value #PERIODIC_READS} not cached. Returns the last one it looked at.
     */
    static String tidySome(Registry registry, Clock clock, String after) {
        List<String> next = new ArrayList<>();
        int reads = 0;
        for (String name : registry.names()) {
            if (name.compareTo(after) <= 0) {
                continue;
            }
            if (next.size() == PERIODIC_BATCH || (!registry.isCached(name) && reads++ == PERIODIC_READS)) {
                break;
            }
            next.add(name);
        }
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
