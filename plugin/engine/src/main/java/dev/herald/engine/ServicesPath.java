package dev.herald.engine;

import dev.herald.sdk.Path;
import dev.herald.sdk.Response;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code services/}: every service ever published, with its live instance count and sequence. */
final class ServicesPath {
    private ServicesPath() {
    }

    static Path definition(MountState mount) {
        Registry registry = mount.registry();
        return Path.pattern("services/")
                .list("List the services, with live instance counts and sequences.", request -> {
                    Instant now = mount.clock().instant();
                    List<String> names = registry.names();
                    Map<String, Map<String, Object>> info = new LinkedHashMap<>();
                    for (String name : names) {
                        ServiceState state = registry.state(name);
                        Map<String, Object> details = new LinkedHashMap<>();
                        details.put("live_instances", state.instanceCountAt(now));
                        details.put("sequence", state.sequenceAt(now));
                        info.put(name, details);
                    }
                    return Response.list(names, info);
                })
                .help("The services of this mount.", """
                        Lists every service that was ever published, also those with no live instance
                        now (their history remains). key_info (vault list -detailed) shows each one's
                        live_instances and its current sequence, the seq of its next record.
                        """);
    }
}
