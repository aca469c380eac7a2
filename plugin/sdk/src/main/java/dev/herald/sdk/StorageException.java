package dev.herald.sdk;

/**
 * The server's storage refused or failed an operation. The message is the server's text, verbatim:
 * the server recognises some failures by their text (for example a write on a standby node, which
 * it then forwards to the active node), so it must reach the server unchanged.
 */
public final class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure without an underlying exception.
     *
     * @param message the server's text, verbatim
     */
    public StorageException(String message) {
        super(message);
    }

    /**
     * A failure that an exception carried.
     *
     * @param message the server's text, verbatim
     * @param cause   the failure that carried it
     */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
