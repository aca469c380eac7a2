package dev.herald.engine;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code consumers/:service}: who consumes a service and what each last acknowledged
 * (docs/design-ack.md §6.3), with a summary an operator can graph.
 */
final class ConsumersPath {
    static final Field<Long> LIMIT = Field.integer("limit", "List at most this many sessions (default 1000).")
            .defaultValue(1000L).between(1, 10_000);
    static final Field<String> AFTER = Field.string("after",
            "List the sessions after this one (entity_id.session; the next of the page before).").defaultValue("");

    private ConsumersPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern("consumers/:service")
                .fields(PublishPath.SERVICE, LIMIT, AFTER)
                .read("Read the consumers of a service and what they acknowledged.", request -> read(mount, request))
                .help("The consumer sessions of a service.", """
                        Every consumer session of the service, in order of entity_id.session, with its
                        entity, aliases, the seq it last acknowledged and when, since when it has had that
                        seq, when it was first seen, and whether it counts now (acknowledged or heartbeat
                        within consumer_ttl). The summary counts the sessions, the counted ones, the
                        service's rotations awaiting consumers, and the age in seconds of the oldest
                        acknowledgement among the counted sessions behind them. At most limit (default
                        1000) sessions per answer, after the session named by after.
                        """);
    }

    private static Response read(MountState mount, Request request) {
        String service = request.get(PublishPath.SERVICE);
        Instant now = mount.clock().instant();
        Config config = mount.settings().get();
        List<Publication> awaited = RotationEnds.awaited(mount.registry().state(service), Long.MAX_VALUE, now);
        return mount.consumers().with(service, index -> {
            List<ConsumerEntry> all = index.all().stream().sorted(Comparator.comparing(ConsumerEntry::id)).toList();
            String after = request.get(AFTER);
            long limit = request.get(LIMIT);
            List<ConsumerEntry> page = all.stream().filter(e -> e.id().compareTo(after) > 0).limit(limit).toList();
            long oldest = 0;
            for (Publication old : awaited) {
                long s = old.overlap().orElseThrow().awaitingSequence();
                for (ConsumerEntry laggard : index.laggards(s, now, config.consumerTtl(), 1)) {
                    oldest = Math.max(oldest, now.getEpochSecond() - laggard.ackedAt().getEpochSecond());
                }
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("sessions", all.size());
            summary.put("counted", index.counted(now, config.consumerTtl()).size());
            summary.put("pending_rotations", awaited.size());
            summary.put("oldest_unacknowledged_seconds", oldest);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("service", service);
            data.put("summary", summary);
            data.put("consumers", page.stream().map(entry -> {
                Map<String, Object> one = describe(entry);
                one.put("counted", entry.countedAt(now, config.consumerTtl()));
                return one;
            }).toList());
            data.put("next", page.size() == limit && !page.isEmpty() ? page.getLast().id() : "");
            return Response.data(data);
        });
    }

    /** A session as answers show it: times in seconds since the epoch. */
    static Map<String, Object> describe(ConsumerEntry entry) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("entity_id", entry.entityId());
        one.put("session", entry.session());
        one.put("aliases", entry.aliases().stream().map(a -> Map.of("mount_accessor", a.mountAccessor(), "name", a.name())).toList());
        one.put("seq", entry.seq());
        one.put("acked_at", entry.ackedAt().getEpochSecond());
        one.put("seq_since", entry.seqSince().getEpochSecond());
        one.put("first_seen", entry.firstSeen().getEpochSecond());
        return one;
    }
}
