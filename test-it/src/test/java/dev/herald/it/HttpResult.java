package dev.herald.it;

import java.util.List;
import java.util.Map;

/** An HTTP answer of the server: status and body text. */
public record HttpResult(String method, String path, int status, String body) {

    /** The body parsed as a JSON object. */
    public Map<String, Object> json() {
        return Json.parseObject(body);
    }

    /** The {@code data} object of a Vault response. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> data() {
        Object data = json().get("data");
        if (!(data instanceof Map)) {
            throw new AssertionError("response has no data object: " + this);
        }
        return (Map<String, Object>) data;
    }

    /** The {@code errors} array of a Vault error response, joined by new lines ("" if none). */
    public String errors() {
        if (body.isBlank()) {
            return "";
        }
        Object errors = Json.parse(body) instanceof Map<?, ?> map ? map.get("errors") : null;
        return errors instanceof List<?> list
                ? String.join("\n", list.stream().map(String::valueOf).toList())
                : "";
    }

    /** Returns this if the status is {@code expected}, else fails showing the whole answer. */
    public HttpResult assertStatus(int expected) {
        if (status != expected) {
            throw new AssertionError("expected HTTP " + expected + " but got " + this);
        }
        return this;
    }

    @Override
    public String toString() {
        return method + " " + path + " -> " + status + " " + (body.length() > 2000 ? body.substring(0, 2000) + "..." : body);
    }
}
