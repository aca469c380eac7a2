package dev.herald.engine;

import dev.herald.sdk.RawBody;
import dev.herald.sdk.Response;

import java.nio.charset.StandardCharsets;

/**
 * The raw answers of the log's paths (docs/design-log.md §5): the bare bytes C2SP specifies, with
 * their content type and how long a client or cache may keep them.
 */
final class LogAnswers {
    static final String TEXT = "text/plain; charset=utf-8";
    static final String BINARY = "application/octet-stream";
    /** What never changes at its path: a full tile, a given width of a partial one, a proof between given sizes. */
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    /** What changes with every batch: C2SP asks that checkpoints be cached a few seconds at most. */
    static final String CURRENT = "no-cache, max-age=0";

    private LogAnswers() {
    }

    static Response text(String body, String cacheControl) {
        return bytes(TEXT, body.getBytes(StandardCharsets.UTF_8), cacheControl);
    }

    static Response bytes(String contentType, byte[] body, String cacheControl) {
        return Response.raw(RawBody.of(200, contentType, body).withCacheControl(cacheControl));
    }
}
