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

    private final int status;
    private final Kind kind;

    public VaultException(int status, String message) {
        this(status, Kind.CODED, message);
    }

    private VaultException(int status, Kind kind, String message) {
        super(message, null, false, false);
        this.status = status;
        this.kind = kind;
    }

    /** The HTTP status the caller gets. */
    public int status() {
        return status;
    }

    public Kind kind() {
        return kind;
    }

    /** 400: the request is malformed; the message names the field and the rule it broke. */
    public static VaultException badRequest(String message) {
        return new VaultException(400, message);
    }

    /** 403: the caller is authenticated but not allowed to do this. */
    public static VaultException forbidden(String message) {
        return new VaultException(403, message);
    }

    /** 404: the named thing does not exist. */
    public static VaultException notFound(String message) {
        return new VaultException(404, message);
    }

    /** 409: the request conflicts with the current state (e.g. a write-once value exists). */
    public static VaultException conflict(String message) {
        return new VaultException(409, message);
    }

    public static VaultException unsupportedOperation(String message) {
        return new VaultException(405, Kind.UNSUPPORTED_OPERATION, message);
    }

    /** The request is for the active node: the server forwards it there (see {@link Kind#FORWARD_TO_ACTIVE}). */
    public static VaultException forwardToActive(String message) {
        return new VaultException(503, Kind.FORWARD_TO_ACTIVE, message);
    }

    public static VaultException unsupportedPath(String message) {
        return new VaultException(404, Kind.UNSUPPORTED_PATH, message);
    }
}
