package dev.herald.engine;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Response;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code services/}: every service ever published, with its live instance count and sequence, in
 * pages: the details of each service listed cost a read of its state, so a mount of 100,000
 * services is not listed in one answer.
 */
final class ServicesPath {
    static final long DEFAULT_LIMIT = 1000;
    static final Field<Long> LIMIT = Field.integer("limit", "List at most this many services (default 1000).")
            .defaultValue(DEFAULT_LIMIT).between(1, 10_000);
    static final Field<String> AFTER = Field.string("after",
            "List the services whose names come after this one (the next of the page before).").defaultValue("")
            .matching("(?:" + Names.PATTERN + ")?", "be empty or a service name");

    private ServicesPath() {
    }

    static Path definition(MountState mount) {
        Registry registry = mount.registry();
        return Path.pattern("services/")
                .fields(LIMIT, AFTER)
                .list("List the services, with live instance counts and sequences.", request -> {
                    Instant now = mount.clock().instant();
                    List<String> all = registry.names(); // sorted
                    String after = request.get(AFTER);
                    int from = after.isEmpty() ? 0 : firstAfter(all, after);
                    int to = (int) Math.min(all.size(), from + request.get(LIMIT));
                    List<String> names = all.subList(from, to);
                    Map<String, Map<String, Object>> info = new LinkedHashMap<>();
                    for (String name : names) {
                        ServiceState state = registry.state(name);
                        Map<String, Object> details = new LinkedHashMap<>();
                        details.put("live_instances", state.instanceCountAt(now));
                        details.put("sequence", state.sequenceAt(now));
                        details.put("pending_rotations", state.awaitingRotations());
                        info.put(name, details);
                    }
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("keys", List.copyOf(names));
                    data.put("key_info", info);
                    String next = to < all.size() ? names.getLast() : "";
                    data.put("next", next);
                    Response response = Response.data(data);
                    return next.isEmpty() ? response : response.withWarning("services " + (from + 1) + "-" + to + " of "
                            + all.size() + " listed; list again with after=" + next);
                })
                .help("The services of this mount, in pages.", """
                        Lists every service that was ever published, also those with no live instance
                        now (their history remains), by name, at most limit (default 1000) per answer.
                        key_info (vault list -detailed) shows each one's live_instances, its current
                        sequence (the seq of its next record) and pending_rotations (its rotations that
                        await consumers' acknowledgements; consumers/:service has the details). next names the last service listed when
                        more follow (list again with after set to it; a warning says so), else it is
                        empty.
                        """);
    }

    /** The index of the first name that comes after {@code after} in the sorted {@code names}. */
    private static int firstAfter(List<String> names, String after) {
        int found = Collections.binarySearch(names, after);
        return found >= 0 ? found + 1 : -found - 1;
    }
}
