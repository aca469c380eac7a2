package dev.herald.client;

/**
 * A response-wrapped answer that may have been intercepted: the wrapping token's lookup failed (it
 * was already unwrapped, or never existed), it was made for another path than the one asked for,
 * or the unwrap failed. Distinct from every other failure, because it means someone else may hold
 * the answer: the application's {@link TamperHook} is told before this is thrown.
 */
public final class TamperException extends HeraldException {
    public TamperException(String message) {
        super(message);
    }

    public TamperException(String message, Throwable cause) {
        super(message, cause);
    }
}
