package dev.herald.client;

/** What the application does when a wrapped answer looks intercepted (alert, page, stop). */
@FunctionalInterface
public interface TamperHook {
    /** Called once per detected interception, before the {@link TamperException} is thrown. */
    void tampered(TamperException event);

    /** The hook that does nothing beyond the exception. */
    TamperHook NONE = event -> { };
}
