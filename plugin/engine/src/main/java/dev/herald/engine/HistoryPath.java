package dev.herald.engine;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code history/:service}: the append-only record of everything done to a service (DESIGN §5.6),
 * in pages: each event is a storage read, and a service of 10,000 instances has tens of thousands.
 */
final class HistoryPath {
    static final Field<Long> FROM = Field.integer("from",
            "Index of the first event to read (0 for the oldest; the next of the page before).").defaultValue(0L)
            .atLeast(0);
    static final Field<Long> LIMIT = Field.integer("limit", "Read at most this many of the service's events (default 1000).")
            .defaultValue(1000L).between(1, 10_000);

    private HistoryPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern("history/:service")
                .fields(PublishPath.SERVICE, FROM, LIMIT)
                .read("Read every publication, rotation and revocation of a service.", request -> {
                    String service = request.get(PublishPath.SERVICE);
                    ServiceState state = mount.registry().state(service);
                    long from = request.get(FROM);
                    if (state.historyLength() > 0 && from >= state.historyLength()) {
                        throw VaultException.badRequest("invalid from: service " + service + " has "
                                + state.historyLength() + " events (0 to " + (state.historyLength() - 1) + ")");
                    }
                    History.Page page = mount.history(state, from, request.get(LIMIT));
                    if (page.events().isEmpty()) {
                        throw VaultException.notFound("service " + service + " has no history");
                    }
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("service", service);
                    data.put("sequence", state.sequenceAt(mount.clock().instant()));
                    data.put("events", page.events());
                    data.put("next", page.next());
                    Response response = Response.data(data);
                    return page.next() < 0 ? response : response.withWarning("more events follow; read again with from="
                            + page.next());
                })
                .help("Everything that happened to a service, oldest first, in pages.", """
                        Every publish, rotate, lease_end (the publication's lease expired or was revoked),
                        revoke (by an operator, with the reason) and signer_rotate (the mount's signing
                        key changed) event, with its time, the instance and generation, the key's
                        fingerprint, the sequence it produced, and the actor: entity_id, alias_name,
                        mount_accessor and token_accessor. Nothing edits or deletes history; tidy only
                        prunes the live index.

                        At most limit (default 1000) of the service's own events per answer, from the
                        index from (default 0), with the signer rotations among them. next is the from of
                        the next page, or -1 after the last event (a warning says when more follow).
                        """);
    }
}
