package dev.herald.engine;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code revoke/:service/:instance}: an operator ends an instance's publications at once. */
final class RevokePath {
    private RevokePath() {
    }

    static final Field<String> REASON = Field.string("reason", "Why the publication is revoked; kept in history.")
            .defaultValue("").length(0, 1024);
    static final Field<Boolean> RESET = Field.bool("reset",
            "Also clear the instance's tombstone (its last key), so that any key may be published for it again.")
            .defaultValue(false);

    static Path definition(MountState mount) {
        return Path.pattern("revoke/:service/:instance")
                .fields(PublishPath.SERVICE, PublishPath.INSTANCE, REASON, RESET)
                .update("Revoke every live publication of an instance now.", request -> revoke(mount.registry(), mount.clock(), request))
                .help("Emergency revocation of an instance's keys.", """
                        Ends every live publication of the instance at once, the current one and any
                        predecessor still in its overlap, with no overlap: the next record of the service
                        leaves them out and has a higher seq. The reason is kept in history. The
                        publications' leases remain until they end, but can no longer be renewed.

                        The instance keeps its last key as a tombstone: a new key for it still needs a
                        continuity signature by that key. With reset=true the tombstone is cleared too (and
                        the reset recorded in history), so that a workload that lost its key can publish a
                        new one; this also works on an instance whose publication has already ended.
                        """);
    }

    private static Response revoke(Registry registry, Clock clock, Request request) {
        String service = request.get(PublishPath.SERVICE);
        String instance = request.get(PublishPath.INSTANCE);
        PublisherIdentity operator = PublisherIdentity.operator(request.caller());
        boolean reset = request.get(RESET);
        return registry.change(service, state -> {
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            ServiceState pruned = state.pruned(now);
            List<Publication> revoked = pruned.of(instance);
            boolean hasTombstone = pruned.tombstone(instance).isPresent();
            if (revoked.isEmpty() && !(reset && hasTombstone)) {
                throw VaultException.notFound("instance " + instance + " of service " + service
                        + " has no live publication to revoke" + (reset ? " and no last key to reset" : ""));
            }
            ServiceState changed = revoked.isEmpty() ? pruned : pruned.changed(instance, List.of());
            List<History.Event> events = new ArrayList<>(revoked.stream().map(p -> History.Event.builder()
                    .type("revoke").time(now).about(p).actor(operator).sequence(changed.seq()).detail(request.get(REASON))
                    .build()).toList());
            // An operator's revoke never waits for consumers (docs/design-ack.md §1.2).
            revoked.stream().filter(RotationEnds::awaiting).forEach(old -> events.add(RotationEnds.endedEvent(old,
                    old.overlap().orElseThrow().oldEndedAt(now), now, operator, changed.seq())));
            ServiceState result = changed;
            if (reset) {
                Publication last = changed.last(instance).orElseThrow();
                result = changed.withoutTombstone(instance);
                // no sequence: the live set is unchanged
                events.add(History.Event.builder().type("reset").time(now).about(last).actor(operator)
                        .detail(request.get(REASON)).build());
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("service", service);
            data.put("instance", instance);
            data.put("revoked_generations", revoked.stream().map(Publication::generation).toList());
            data.put("reset", reset);
            data.put("sequence", result.sequenceAt(now));
            return new Registry.Change<>(result, events, Response.data(data));
        });
    }
}
