package dev.herald.sdk;

/**
 * Tells whether the thing a write addresses exists already. The server asks before a write: if it
 * does not exist, the write is a {@code create}, else an {@code update}, and each needs its own
 * capability in the caller's policy. Must have no side effects (it runs before the policy check).
 */
@FunctionalInterface
public interface ExistenceCheck {
    /**
     * Tells whether the thing a write addresses exists.
     *
     * @param request the write about to be made
     * @return true if it exists (the write is an update), false if not (a create)
     */
    boolean exists(Request request);
}
