package dev.herald.sdk;

import java.util.Optional;

/**
 * One mount of a plugin, as the runtime drives it. {@link Router} implements it from a list of
 * {@link Path}s; a plugin normally builds a Router rather than implementing this itself.
 */
public interface Backend {
    /**
     * Handles a request.
     *
     * @throws VaultException for failures the caller should see with their status
     */
    Response handle(Request request);

    /** Whether what the write addresses exists; empty if the path has no existence check. */
    Optional<Boolean> exists(Request request);

    SpecialPaths specialPaths();

    /** Called once storage is writable (after mounting or unsealing). */
    default void initialize() {
    }

    /** A storage key changed outside this process (replication, standby): drop what is cached of it. */
    default void invalidate(String key) {
    }

    /** The mount is going away (unmount, seal, reload): release what it holds. */
    default void cleanup() {
    }
}
