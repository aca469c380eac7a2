package dev.herald.tlog;

/**
 * Input that is not in the format it claims (a tile path, tile bytes, a note, a proof, a leaf):
 * refused before anything is computed from it. The message names the problem, never the secret
 * material of a key.
 */
public final class MalformedException extends TlogException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what is wrong with the input
     */
    public MalformedException(String message) {
        super(message);
    }

    /**
     * Makes the exception, with its cause.
     *
     * @param message what is wrong with the input
     * @param cause the lower-level failure (e.g. storage that could not be read)
     */
    public MalformedException(String message, Throwable cause) {
        super(message, cause);
    }
}
