package dev.herald.client;

/**
 * A record, signing key or state that failed verification: bad signature, a key outside the pinned
 * chain, the wrong {@code typ}, {@code iss}, {@code sub} or {@code scope}, an expired record, or a
 * {@code seq} lower than one already seen. Nothing it concerns is ever used.
 */
public class VerificationException extends HeraldException {
    public VerificationException(String message) {
        super(message);
    }

    public VerificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
