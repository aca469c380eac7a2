package dev.herald.client;

import java.util.Map;
import java.util.Optional;

/**
 * A successful Vault answer: its status and JSON body, with the parts the client uses by name.
 * Maps are as the sdk's JSON codec parses them (numbers are {@code Long} or {@code BigDecimal}).
 */
public record VaultResponse(int status, Map<String, Object> json) {

    public VaultResponse {
        json = json == null ? Map.of() : json;
    }

    /** {@code data}, or an empty map. */
    public Map<String, Object> data() {
        return map(json.get("data"));
    }

    /** {@code auth} of a login, or an empty map. */
    public Map<String, Object> auth() {
        return map(json.get("auth"));
    }

    /** {@code wrap_info} of a wrapped answer, if it is one. */
    public Optional<Map<String, Object>> wrapInfo() {
        return json.get("wrap_info") instanceof Map<?, ?> ? Optional.of(map(json.get("wrap_info"))) : Optional.empty();
    }

    public String leaseId() {
        return json.get("lease_id") instanceof String s ? s : "";
    }

    /** {@code lease_duration} in seconds (0 when there is no lease). */
    public long leaseDuration() {
        return json.get("lease_duration") instanceof Number n ? n.longValue() : 0;
    }

    public boolean renewable() {
        return Boolean.TRUE.equals(json.get("renewable"));
    }

    @Override
    public String toString() {
        return "VaultResponse[" + status + ", " + json.keySet() + "]"; // never the tokens it may hold
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
