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
            .defaultValue("").check(s -> s.length() <= 1024, "be at most 1024 characters");

    static Path definition(Registry registry, Clock clock) {
        return Path.pattern("revoke/:service/:instance")
                .fields(PublishPath.SERVICE, PublishPath.INSTANCE, REASON)
                .update("Revoke every live publication of an instance now.", request -> revoke(registry, clock, request))
                .help("Emergency revocation of an instance's keys.", """
                        Ends every live publication of the instance at once, the current one and any
                        predecessor still in its overlap, with no overlap: the next record of the service
                        leaves them out and has a higher seq. The reason is kept in history. The
                        publications' leases remain until they end, but can no longer be renewed.
                        """);
    }

    private static Response revoke(Registry registry, Clock clock, Request request) {
        String service = request.get(PublishPath.SERVICE);
        String instance = request.get(PublishPath.INSTANCE);
        PublisherIdentity operator = PublisherIdentity.operator(request.caller());
        return registry.change(service, state -> {
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            ServiceState pruned = state.pruned(now);
            List<Publication> revoked = pruned.publications().stream()
                    .filter(p -> p.instance().equals(instance)).toList();
            if (revoked.isEmpty()) {
                throw VaultException.notFound("instance " + instance + " of service " + service
                        + " has no live publication to revoke");
            }
            List<Publication> next = new ArrayList<>(pruned.publications());
            next.removeAll(revoked);
            ServiceState changed = pruned.changed(next);
            List<History.Event> events = revoked.stream().map(p -> new History.Event("revoke", now, instance,
                    p.generation(), p.key().fingerprint(), operator, changed.seq(), request.get(REASON))).toList();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("service", service);
            data.put("instance", instance);
            data.put("revoked_generations", revoked.stream().map(Publication::generation).toList());
            data.put("sequence", changed.seq());
            return new Registry.Change<>(changed, events, Response.data(data));
        });
    }
}
