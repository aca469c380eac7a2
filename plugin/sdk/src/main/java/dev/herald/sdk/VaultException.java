package dev.herald.sdk;

/**
 * A failure that reaches the caller as an HTTP status and a message, as {@code {"errors": [message]}}.
 *
 * <p>Handlers throw these for anything the caller did wrong (4xx). Any other exception escaping a
 * handler is an internal fault (500) whose details are logged, not returned.
 */
public class VaultException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Statuses with a meaning of their own to the server; the others travel as plain status codes. */
    public enum Kind {
        /** The operation is not supported on this path: 405. */
        UNSUPPORTED_OPERATION,
        /** No path matches: 404. */
        UNSUPPORTED_PATH,
        /** Any other status, given by {@link #status()}. */
        CODED,
        /**
         * This node must not answer: the server forwards the request to the active node (a standby
         * that serves reads itself, whose storage is read-only and whose caches may lag).
         */
        FORWARD_TO_ACTIVE
    }

    /** The HTTP status the caller gets. */
    private final int status;
    /** How the server treats the failure. */
    private final Kind kind;

    /**
     * A failure with any HTTP status.
     *
     * @param status  the HTTP status the caller gets
     * @param message what the caller sees, in {@code errors}; never a secret
     */
    public VaultException(int status, String message) {
        this(status, Kind.CODED, message);
    }

    private VaultException(int status, Kind kind, String message) {
        super(message, null, false, false);
        this.status = status;
        this.kind = kind;
    }

    /** {@return the HTTP status the caller gets} */
    public int status() {
        return status;
    }

    /** {@return how the server treats the failure} */
    public Kind kind() {
        return kind;
    }

    /**
     * 400: the request is malformed; the message names the field and the rule it broke.
     *
     * @param message what the caller sees, in {@code errors}; never a secret
     * @return the exception, to throw
     */
    public static VaultException badRequest(String message) {
        return new VaultException(400, message);
    }

    /**
     * 403: the caller is authenticated but not allowed to do this.
     *
     * @param message what the caller sees, in {@code errors}; never a secret
     * @return the exception, to throw
     */
    public static VaultException forbidden(String message) {
        return new VaultException(403, message);
    }

    /**
     * 404: the named thing does not exist.
     *
     * @param message what the caller sees, in {@code errors}; never a secret
     * @return the exception, to throw
     */
    public static VaultException notFound(String message) {
        return new VaultException(404, message);
    }

    /**
     * 409: the request conflicts with the current state (e.g. a write-once value exists).
     *
     * @param message what the caller sees, in {@code errors}; never a secret
     * @return the exception, to throw
     */
    public static VaultException conflict(String message) {
        return new VaultException(409, message);
    }

    /**
     * 405: the path exists but does not support the operation.
     *
     * @param message what the caller sees, in {@code errors}; never a secret
     * @return the exception, to throw
     */
    public static VaultException unsupportedOperation(String message) {
        return new VaultException(405, Kind.UNSUPPORTED_OPERATION, message);
    }

    /**
     * The request is for the active node: the server forwards it there (see {@link Kind#FORWARD_TO_ACTIVE}).
     *
     * @param message why, for the server's log
     * @return the exception, to throw
     */
    public static VaultException forwardToActive(String message) {
        return new VaultException(503, Kind.FORWARD_TO_ACTIVE, message);
    }

    /**
     * 404: no path of the mount matches.
     *
     * @param message what the caller sees, in {@code errors}; never a secret
     * @return the exception, to throw
     */
    public static VaultException unsupportedPath(String message) {
        return new VaultException(404, Kind.UNSUPPORTED_PATH, message);
    }
}
