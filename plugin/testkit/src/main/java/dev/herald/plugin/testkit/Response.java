package dev.herald.plugin.testkit;

import java.util.List;
import java.util.Map;

/**
 * One HTTP answer of the server: the request's method and path, the status and the body text.
 *
 * @param method the request's method
 * @param path   the request's path, from {@code /v1/}
 * @param status the HTTP status
 * @param body   the body text ("" if none)
 */
public record Response(String method, String path, int status, String body) {

    /**
     * The body parsed as a JSON object: objects are {@code Map<String, Object>}, arrays
     * {@code List<Object>}, integral numbers {@code Long} and other numbers {@code Double}.
     *
     * @return the parsed body
     * @throws IllegalArgumentException if the body is not a JSON object
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> json() {
        if (!(Json.parse(body) instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("the body is not a JSON object: " + this);
        }
        return (Map<String, Object>) map;
    }

    /**
     * The {@code data} object of the answer.
     *
     * @return the data object
     * @throws AssertionError if the answer has none (its text is in the message)
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> data() {
        if (!(json().get("data") instanceof Map<?, ?> data)) {
            throw new AssertionError("response has no data object: " + this);
        }
        return (Map<String, Object>) data;
    }

    /**
     * The {@code errors} of an error answer, one per line.
     *
     * @return the errors joined by new lines, "" if there are none
     */
    public String errors() {
        if (body.isBlank()) {
            return "";
        }
        Object errors = Json.parse(body) instanceof Map<?, ?> map ? map.get("errors") : null;
        return errors instanceof List<?> list ? String.join("\n", list.stream().map(String::valueOf).toList()) : "";
    }

    /**
     * Checks the status.
     *
     * @param expected the status the test expects
     * @return this answer
     * @throws AssertionError showing the whole answer if the status differs
     */
    public Response assertStatus(int expected) {
        if (status != expected) {
            throw new AssertionError("expected HTTP " + expected + " but got " + this);
        }
        return this;
    }

    @Override
    public String toString() {
        return method + " " + path + " -> " + status + " "
                + (body.length() > 2000 ? body.substring(0, 2000) + "..." : body);
    }
}
