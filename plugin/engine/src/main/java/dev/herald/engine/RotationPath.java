package dev.herald.engine;

import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rotation/:service/:instance}: how the instance's rotations that awaited consumers stand
 * (docs/design-ack.md §6.2), for its publisher (when to present the new key, when the old one
 * leaves) and for operators (who has not moved).
 */
final class RotationPath {
    /** How many unacknowledged consumers an answer names, oldest acknowledgement first. */
    static final int NAMED = 20;

    private RotationPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern("rotation/:service/:instance")
                .fields(PublishPath.SERVICE, PublishPath.INSTANCE)
                .read("Read the progress of the instance's rotations that await consumers.", request -> read(mount, request))
                .help("Whether a rotation's consumers have moved to the new key.", """
                        For each listed old key of the instance whose rotation awaited consumers: its
                        state (pending, acknowledged, forced, cancelled, old_ended), the seq consumers must
                        reach (awaiting_sequence), when the rotation started, min_end and max_end, when it
                        was acknowledged, serve_new_from (from when the publisher may present the new key)
                        and old_listed_until (when the old key leaves the records), the counts of counted,
                        acknowledged and unacknowledged consumers, the first unacknowledged ones by their
                        oldest acknowledgement, and poll_seconds (how often to read this again). Times are
                        seconds since the epoch. 404 when no listed rotation of the instance awaited anyone.
                        """);
    }

    private static Response read(MountState mount, Request request) {
        String service = request.get(PublishPath.SERVICE);
        String instance = request.get(PublishPath.INSTANCE);
        Instant now = mount.clock().instant();
        Config config = mount.settings().get();
        ServiceState state = mount.registry().state(service);
        List<Publication> listed = state.of(instance);
        List<Map<String, Object>> rotations = new ArrayList<>();
        for (Publication old : listed) {
            if (old.overlap().isEmpty() || !old.liveAt(now)) {
                continue;
            }
            Overlap overlap = old.overlap().get();
            Optional<Publication> successor = listed.stream().filter(p -> p.generation() > old.generation())
                    .min(java.util.Comparator.comparingLong(Publication::generation));
            long s = overlap.awaitingSequence();
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("from_generation", old.generation());
            one.put("to_generation", successor.map(Publication::generation).orElse(0L));
            one.put("fingerprint_old", old.key().fingerprint());
            one.put("fingerprint_new", successor.map(p -> p.key().fingerprint()).orElse(""));
            one.put("state", overlap.outcomeAt(now).name().toLowerCase(java.util.Locale.ROOT));
            one.put("awaiting_sequence", s);
            one.put("started_at", overlap.startedAt().getEpochSecond());
            one.put("min_end", overlap.minEnd().getEpochSecond());
            one.put("max_end", overlap.maxEnd().getEpochSecond());
            one.put("acknowledged_at", overlap.outcome() == Overlap.Outcome.ACKNOWLEDGED
                    ? overlap.at().orElseThrow().getEpochSecond() : 0L);
            one.put("serve_new_from", overlap.serveNewFrom().getEpochSecond());
            one.put("old_listed_until", overlap.oldListedUntil().getEpochSecond());
            mount.consumers().with(service, index -> {
                List<ConsumerEntry> counted = index.counted(now, config.consumerTtl());
                List<ConsumerEntry> behind = index.laggards(s, now, config.consumerTtl(), Integer.MAX_VALUE);
                one.put("counted", counted.size());
                one.put("acknowledged", counted.size() - behind.size());
                one.put("unacknowledged", behind.size());
                one.put("unacknowledged_consumers", behind.stream().limit(NAMED).map(ConsumersPath::describe).toList());
                return null;
            });
            one.put("poll_seconds", Math.max(1, overlap.recordTtl().toSeconds() / 4));
            rotations.add(one);
        }
        if (rotations.isEmpty()) {
            throw VaultException.notFound("no listed rotation of " + service + "/" + instance + " awaited consumers");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("service", service);
        data.put("instance", instance);
        data.put("rotations", rotations);
        return Response.data(data);
    }
}
