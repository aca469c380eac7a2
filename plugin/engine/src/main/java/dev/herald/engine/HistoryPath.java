package dev.herald.engine;

import dev.herald.sdk.Path;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code history/:service}: the append-only record of everything done to a service (DESIGN §5.6). */
final class HistoryPath {
    private HistoryPath() {
    }

    static Path definition(MountState mount) {
        return Path.pattern("history/:service")
                .fields(PublishPath.SERVICE)
                .read("Read every publication, rotation and revocation of a service.", request -> {
                    String service = request.get(PublishPath.SERVICE);
                    ServiceState state = mount.registry().state(service);
                    List<Map<String, Object>> events = mount.history(state);
                    if (events.isEmpty()) {
                        throw VaultException.notFound("service " + service + " has no history");
                    }
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("service", service);
                    data.put("sequence", state.sequenceAt(mount.clock().instant()));
                    data.put("events", events);
                    return Response.data(data);
                })
                .help("Everything that happened to a service, oldest first.", """
                        Every publish, rotate, lease_end (the publication's lease expired or was revoked),
                        revoke (by an operator, with the reason) and signer_rotate (the mount's signing
                        key changed) event, with its time, the instance and generation, the key's
                        fingerprint, the sequence it produced, and the actor: entity_id, alias_name,
                        mount_accessor and token_accessor. Nothing edits or deletes history; tidy only
                        prunes the live index.
                        """);
    }
}
