package dev.herald.tlog;

/**
 * The root of this module's checked exceptions. Its two kinds matter to a client: a
 * {@link MalformedException} means bytes that are not what the formats allow (nothing was
 * proven either way), a {@link VerificationException} means well-formed data that does not verify
 * (a proof that does not reach the root, a signature that fails).
 */
public abstract sealed class TlogException extends Exception permits MalformedException, VerificationException {
    private static final long serialVersionUID = 1L;

    TlogException(String message) {
        super(message);
    }

    TlogException(String message, Throwable cause) {
        super(message, cause);
    }
}
