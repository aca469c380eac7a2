package dev.herald.client;

import java.util.List;

/**
 * A request Vault refused or could not answer: the HTTP status (0 when no answer came) and the
 * server's own error messages, passed through so that the caller reads what the server said.
 */
public final class VaultException extends HeraldException {
    private final int status;
    private final List<String> errors;

    /** The server answered {@code operation} with {@code status} and these messages. */
    public VaultException(String operation, int status, List<String> errors) {
        super(operation + ": " + status + " " + String.join("; ", errors));
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    /** {@code operation} got no answer (connection refused, timeout, TLS failure, interrupted). */
    public VaultException(String operation, Throwable cause) {
        super(operation + ": no answer (" + describe(cause) + ")", cause);
        this.status = 0;
        this.errors = List.of();
    }

    private static String describe(Throwable cause) {
        if (cause instanceof java.net.ConnectException) {
            return "connection refused or unreachable" + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /** The HTTP status, or 0 if the request got no answer (connection refused, timeout, TLS failure). */
    public int status() {
        return status;
    }

    /** The server's error messages (its {@code errors} array). */
    public List<String> errors() {
        return errors;
    }
}
