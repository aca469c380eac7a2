package dev.herald.engine;

import dev.herald.sdk.Log;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The active node's periodic look at rotations that await consumers (docs/design-ack.md §1.3,
 * §4.4): one whose counted consumers all stopped counting is completed, as acknowledged when the
 * last of them stopped; one past M gets its forced end recorded with the consumers that had not
 * moved. Neither is needed for safety (until then the old key just stays listed, at most until M,
 * where records drop it by its stored not_after): the sweep makes the end come sooner and the
 * history say why. At most {@value #SERVICES_PER_TICK} services a tick, in name order from where the
 * last tick stopped.
 */
final class RotationSweep {
    private static final Log LOG = Log.named("herald.engine");
    static final int SERVICES_PER_TICK = 100;
    /** How many unacknowledged consumers a forced end names. */
    static final int NAMED = 100;

    private RotationSweep() {
    }

    static Runnable periodic(MountState mount) {
        AtomicReference<String> cursor = new AtomicReference<>("");
        AtomicReference<String> consumersCursor = new AtomicReference<>("");
        return () -> {
            try {
                cursor.set(sweepSome(mount, mount.clock(), cursor.get()));
                consumersCursor.set(tidySome(mount, consumersCursor.get()));
            } catch (RuntimeException e) {
                // e.g. read-only storage on a standby, or a mount being removed: next time
                LOG.debug("rotation sweep skipped", "error", e.getMessage());
            }
        };
    }

    /** One tick: the services with awaiting rotations after {@code after}. Returns where the next starts. */
    static String sweepSome(MountState mount, Clock clock, String after) {
        List<String> services = mount.consumers().awaitingServices(mount.registry()::servicesAwaiting);
        List<String> next = services.stream().filter(s -> s.compareTo(after) > 0).limit(SERVICES_PER_TICK).toList();
        if (next.isEmpty()) {
            return "";
        }
        for (String service : next) {
            sweep(mount, service, clock.instant().truncatedTo(ChronoUnit.SECONDS));
        }
        return next.size() < SERVICES_PER_TICK ? "" : next.getLast();
    }

    /** Removes stale consumer sessions of the services after {@code after}, at most {@value #SERVICES_PER_TICK}. */
    static String tidySome(MountState mount, String after) {
        List<String> next = mount.consumers().services().stream().filter(s -> s.compareTo(after) > 0)
                .limit(SERVICES_PER_TICK).toList();
        Instant now = mount.clock().instant();
        for (String service : next) {
            mount.consumers().removeStale(service, now, mount.settings().get().consumerTtl());
        }
        return next.size() < SERVICES_PER_TICK ? "" : next.getLast();
    }

    /** Ends what waits in one service: completions for rotations nobody counted lags behind, forced ends past M. */
    static void sweep(MountState mount, String service, Instant now) {
        sweepOnce(mount, service, now);
        if (!mount.registry().state(service).awaitsConsumers()) {
            mount.consumers().awaitsNothing(service);
        }
    }

    private static void sweepOnce(MountState mount, String service, Instant now) {
        Config config = mount.settings().get();
        PublisherIdentity engine = PublisherIdentity.unbound("");
        ServiceState state = mount.registry().state(service);
        for (String instance : state.instanceNames()) {
            for (Publication old : state.of(instance)) {
                Overlap overlap = old.overlap().filter(o -> o.outcome() == Overlap.Outcome.PENDING).orElse(null);
                if (overlap == null) {
                    continue;
                }
                long s = overlap.awaitingSequence();
                if (!now.isBefore(overlap.maxEnd())) {
                    // Laggards at M: counted at M and still below S.
                    List<ConsumerEntry> laggards = mount.consumers().with(service,
                            index -> index.laggards(s, overlap.maxEnd(), config.consumerTtl(), NAMED));
                    RotationEnds.forced(mount.registry(), service, old, now, laggards, engine);
                    continue;
                }
                Instant stopped = mount.consumers().with(service, index -> {
                    return index.lagging(s, now, config.consumerTtl()) ? null
                            : index.lastLaggardStopped(s, config.consumerTtl()).orElse(overlap.startedAt());
                });
                if (stopped != null) {
                    Instant c = stopped.isBefore(overlap.startedAt()) ? overlap.startedAt() : stopped;
                    RotationEnds.acknowledged(mount.registry(), service, old, now, c, engine);
                }
            }
        }
    }
}
