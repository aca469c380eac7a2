package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Entity;
import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.SystemView;
import dev.herald.sdk.VaultException;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ack/:service}: a consumer reports the highest seq of a service it has verified and
 * installed (docs/design-ack.md §3, §6.1). The consumer is the identity entity of the caller's
 * token (never a name in the body) and a session its process made; it proves the seq was served
 * to it with the answer's {@code ack_token}. Acknowledgements never go down; the same seq again
 * is a heartbeat. A delete is a leave.
 */
final class AckPath {
    // Not required() by the router: a leave (delete) carries only the session. An acknowledgement
    // without them is refused by ack() with the same 400.
    static final Field<Long> SEQ = Field.integer("seq", "The seq of the service's record the consumer installed.")
            .between(1, Long.MAX_VALUE);
    static final Field<String> ACK_TOKEN = Field.string("ack_token",
            "The ack.token of the discover answer that served that seq.")
            .matching("[A-Za-z0-9_-]{22}", "be 22 characters of base64url");
    static final Field<String> SESSION = Field.string("session",
            "The consumer process's session: 32 lowercase hex digits it made once (kept across restarts).")
            .required().matching("[0-9a-f]{32}", "be 32 lowercase hex digits");

    private AckPath() {
    }

    static Path definition(MountState mount, SystemView system) {
        return Path.pattern("ack/:service")
                .fields(PublishPath.SERVICE, SEQ, ACK_TOKEN, SESSION)
                .update("Acknowledge a seq of the service's record, or heartbeat.", request -> ack(mount, system, request))
                .delete("Leave: the session stops counting at once.", request -> leave(mount, system, request))
                .help("A consumer's acknowledgement of the service records it installed.", """
                        A consumer reports the highest seq of the service whose record it verified and
                        installed, with the ack_token its discover answer carried for that seq, and the
                        session id its process made (32 lowercase hex digits). The consumer is the
                        identity entity of the caller's token: a root or orphan token has none and is
                        refused. Acknowledgements never go down (409); the same seq again is a heartbeat,
                        and a consumer counts for consumer_ttl (config) after its last one. A rotated-out
                        key stays listed until every counted consumer has acknowledged a seq that lists
                        its successor, at most max_overlap. A delete with the session leaves.
                        """);
    }

    private static Response ack(MountState mount, SystemView system, Request request) {
        String service = request.get(PublishPath.SERVICE);
        long seq = request.find(SEQ).orElseThrow(() -> missing(SEQ));
        String token = request.find(ACK_TOKEN).orElseThrow(() -> missing(ACK_TOKEN));
        String session = request.get(SESSION);
        Entity entity = consumer(request, system);
        if (!mount.ackTokens().valid(service, seq, token)) {
            throw VaultException.forbidden("seq " + seq + " of service " + service + " was not served with this ack_token");
        }
        Config config = mount.settings().get();
        Instant now = mount.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        String id = ConsumerEntry.id(entity.id(), session);
        ConsumerEntry stored = mount.consumers().store(service, id, index -> {
            Optional<ConsumerEntry> before = index.entry(id);
            if (before.isPresent() && before.get().seq() > seq) {
                throw VaultException.conflict("seq " + seq + " is lower than seq " + before.get().seq()
                        + " this session acknowledged before: acknowledgements never go down");
            }
            if (before.isEmpty() && index.size() >= config.maxConsumers()) {
                throw VaultException.conflict("service " + service + " has max_consumers (" + config.maxConsumers()
                        + ") sessions; tidy removes those that stopped counting a day before");
            }
            if (before.isEmpty() && index.sessionsOf(entity.id()) >= config.maxConsumerSessions()) {
                throw VaultException.conflict("entity " + entity.id() + " has max_consumer_sessions ("
                        + config.maxConsumerSessions() + ") sessions of service " + service
                        + "; leave with old sessions, or tidy removes those that stopped counting a day before");
            }
            return ConsumerEntry.builder()
                    .service(service)
                    .entityId(entity.id())
                    .session(session)
                    .aliases(entity.aliases().stream().map(a -> new ConsumerEntry.Alias(a.mountAccessor(), a.name())).toList())
                    .seq(seq)
                    .ackedAt(now)
                    .seqSince(before.filter(b -> b.seq() == seq).map(ConsumerEntry::seqSince).orElse(now))
                    .firstSeen(before.map(ConsumerEntry::firstSeen).orElse(now))
                    .build();
        });
        PublisherIdentity actor = PublisherIdentity.builder().entityId(entity.id()).noAlias()
                .tokenAccessor(request.caller().tokenAccessor()).build();
        List<Map<String, Object>> completed = completeAcknowledged(mount, service, stored.seq(), now, config, actor);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("service", service);
        data.put("session", session);
        data.put("entity_id", stored.entityId());
        data.put("seq", stored.seq());
        data.put("acked_at", stored.ackedAt().getEpochSecond());
        data.put("counted_until", stored.ackedAt().plus(config.consumerTtl()).getEpochSecond());
        data.put("heartbeat_seconds", Math.max(1, config.consumerTtl().toSeconds() / 4));
        data.put("completed", completed);
        ServiceState after = mount.registry().state(service);
        data.put("pending", after.awaitsConsumers() ? RotationEnds.awaited(after, Long.MAX_VALUE, now).size() : 0);
        return Response.data(data);
    }

    /**
     * Completes each rotation this acknowledgement may have been the last one awaited for: one whose
     * sequence it reached and behind which no counted session lags any more (docs/design-ack.md
     * §4.3: the acknowledgement is stored first; a completion is a change of the service, whole or
     * not at all, and re-checks under the service's lock that the rotation still waits). Returns
     * those it completed.
     */
    private static List<Map<String, Object>> completeAcknowledged(MountState mount, String service, long seq, Instant now,
                                                                  Config config, PublisherIdentity actor) {
        List<Map<String, Object>> completed = new ArrayList<>();
        ServiceState state = mount.registry().state(service);
        if (!state.awaitsConsumers()) {
            return completed; // O(1): most acknowledgements are heartbeats of a service nothing awaits in
        }
        for (Publication old : RotationEnds.awaited(state, seq, now)) {
            long s = old.overlap().orElseThrow().awaitingSequence();
            boolean lagging = mount.consumers().with(service, index -> index.lagging(s, now, config.consumerTtl()));
            if (!lagging && RotationEnds.acknowledged(mount.registry(), service, old, now, now, actor)) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("instance", old.instance());
                one.put("generation", old.generation());
                completed.add(one);
            }
        }
        return completed;
    }

    private static Response leave(MountState mount, SystemView system, Request request) {
        String service = request.get(PublishPath.SERVICE);
        Entity entity = consumer(request, system);
        String session = request.get(SESSION);
        if (!mount.consumers().remove(service, ConsumerEntry.id(entity.id(), session))) {
            throw VaultException.notFound("no session " + session + " of entity " + entity.id() + " consumes service " + service);
        }
        // A leave can be what every awaited rotation waited for, as an acknowledgement can.
        PublisherIdentity actor = PublisherIdentity.builder().entityId(entity.id()).noAlias()
                .tokenAccessor(request.caller().tokenAccessor()).build();
        completeAcknowledged(mount, service, Long.MAX_VALUE, mount.clock().instant().truncatedTo(ChronoUnit.SECONDS),
                mount.settings().get(), actor);
        return Response.none();
    }

    private static VaultException missing(Field<?> field) {
        return VaultException.badRequest("missing " + field.name() + ": " + field.description());
    }

    /** The caller's identity entity, as the server's identity store knows it. */
    private static Entity consumer(Request request, SystemView system) {
        Caller caller = request.caller();
        if (!caller.hasEntity()) {
            throw VaultException.forbidden("acknowledging needs an identity entity: a root or orphan token has none");
        }
        Entity entity = system.entity(caller.entityId()).orElseThrow(() -> VaultException.forbidden(
                "the caller's identity entity " + caller.entityId() + " is unknown to the server"));
        if (entity.disabled()) {
            throw VaultException.forbidden("the caller's identity entity " + entity.id() + " is disabled");
        }
        return entity;
    }
}
