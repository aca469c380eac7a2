package dev.herald.tlog;

/**
 * Well-formed data that does not verify: an inclusion or consistency proof that does not give
 * the expected root, a signature by a known key that fails, a note no known key signed.
 */
public final class VerificationException extends TlogException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what did not verify
     */
    public VerificationException(String message) {
        super(message);
    }
}
