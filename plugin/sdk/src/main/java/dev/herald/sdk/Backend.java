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
     * @param request the request, its fields not yet checked
     * @return the response (for the caller, or {@link Response#none()} for an empty one)
     * @throws VaultException for failures the caller should see with their status
     */
    Response handle(Request request);

    /**
     * Whether what a write addresses exists, which the server asks before the write.
     *
     * @param request the write about to be made
     * @return whether it exists; empty if the path has no existence check
     */
    Optional<Boolean> exists(Request request);

    /** {@return the paths the server treats specially for this mount} */
    SpecialPaths specialPaths();

    /** Called once storage is writable (after mounting or unsealing). */
    default void initialize() {
    }

    /**
     * A storage key changed outside this process (replication, standby): drop what is cached of it.
     *
     * @param key the storage key that changed
     */
    default void invalidate(String key) {
    }

    /** The mount is going away (unmount, seal, reload): release what it holds. */
    default void cleanup() {
    }
}
