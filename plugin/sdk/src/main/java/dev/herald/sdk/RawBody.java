package dev.herald.sdk;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP answer the server sends as it is, instead of its JSON envelope: status, content type,
 * body bytes and an optional {@code Cache-Control}. For documents a specification defines (a JWK
 * Set, a CRL), never for secrets: both servers refuse a raw answer that carries a lease, and their
 * raw answers carry no other header a plugin chooses.
 */
public final class RawBody {
    private final int status;
    private final String contentType;
    private final byte[] body;
    private final String cacheControl;

    private RawBody(int status, String contentType, byte[] body, String cacheControl) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("an HTTP status is 100-599, not " + status);
        }
        this.status = status;
        this.contentType = headerValue("content type", Objects.requireNonNull(contentType));
        this.body = body.clone();
        this.cacheControl = cacheControl == null ? null : headerValue("Cache-Control", cacheControl);
    }

    /**
     * An answer without Cache-Control.
     *
     * @param status      the HTTP status, 100-599
     * @param contentType the Content-Type header, one line
     * @param body        the bytes to send (copied)
     * @return the answer
     */
    public static RawBody of(int status, String contentType, byte[] body) {
        return new RawBody(status, contentType, body, null);
    }

    /**
     * This answer with a {@code Cache-Control} header (the servers' default for raw answers is none).
     *
     * @param value the header's value, one line, e.g. {@code "max-age=300"}
     * @return the new answer
     */
    public RawBody withCacheControl(String value) {
        return new RawBody(status, contentType, body, Objects.requireNonNull(value));
    }

    // A header value is one line: a CR or LF would let the value end the header and start another.
    private static String headerValue(String what, String value) {
        if (value.isBlank() || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(what + " must be one non-blank line: \"" + value + "\"");
        }
        return value;
    }

    /** {@return the HTTP status} */
    public int status() {
        return status;
    }

    /** {@return the Content-Type header} */
    public String contentType() {
        return contentType;
    }

    /** {@return a copy of the body's bytes} */
    public byte[] body() {
        return body.clone();
    }

    /** {@return the Cache-Control header, if any} */
    public Optional<String> cacheControl() {
        return Optional.ofNullable(cacheControl);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawBody that && status == that.status && contentType.equals(that.contentType)
                && Arrays.equals(body, that.body) && Objects.equals(cacheControl, that.cacheControl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, contentType, Arrays.hashCode(body), cacheControl);
    }
}
