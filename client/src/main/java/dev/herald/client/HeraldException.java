package dev.herald.client;

/**
 * Every failure the client reports. Its subclasses say what kind: {@link VaultException} (the server
 * or the network), {@link VerificationException} (a record, key or state that must not be trusted),
 * {@link TamperException} (a wrapped answer that someone else may have seen),
 * {@link LogInconsistencyException} (the verifiable log contradicts itself). The CLI maps them to
 * its exit codes 1, 3, 4 and 5.
 */
public class HeraldException extends RuntimeException {
    public HeraldException(String message) {
        super(message);
    }

    public HeraldException(String message, Throwable cause) {
        super(message, cause);
    }
}
