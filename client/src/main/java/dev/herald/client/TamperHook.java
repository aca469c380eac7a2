package dev.herald.client;

/** What the application does when a wrapped answer looks intercepted, or the log inconsistent (alert, page, stop). */
@FunctionalInterface
public interface TamperHook {
    /** Called once per detected interception, before the {@link TamperException} is thrown. */
    void tampered(TamperException event);

    /**
     * Called once per log inconsistency, after its evidence is written and before the
     * {@link LogInconsistencyException} is thrown. Does nothing unless overridden.
     */
    default void logInconsistent(LogEvidence evidence) {
    }

    /** The hook that does nothing beyond the exception. */
    TamperHook NONE = event -> { };
}
