package dev.herald.client.consumer;

import dev.herald.client.VerificationException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of decoded JSON members (a JWT's claims, a JWK, a Vault answer's data), each failing
 * with a {@link VerificationException} that names the member and what was wrong with it.
 *
 * @param where what the map is, for messages ("record", "instance web-1", "JWK")
 */
record Claims(Map<String, Object> members, String where) {

    @SuppressWarnings("unchecked")
    static Claims of(Object value, String where) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new VerificationException(where + " is not a JSON object");
        }
        return new Claims((Map<String, Object>) map, where);
    }

    boolean has(String name) {
        return members.get(name) != null;
    }

    String string(String name) {
        Object value = require(name);
        if (!(value instanceof String s)) {
            throw wrongType(name, "a string");
        }
        return s;
    }

    /** A string member, or null when it is absent (or JSON null). */
    String optionalString(String name) {
        return has(name) ? string(name) : null;
    }

    /** An integer member that fits a long (JSON numbers parse as Long, BigInteger or BigDecimal). */
    long integer(String name) {
        Object value = require(name);
        if (value instanceof Long n) {
            return n;
        }
        if (value instanceof BigInteger) {
            throw new VerificationException(where + " member \"" + name + "\" is out of range");
        }
        throw wrongType(name, "an integer");
    }

    /** A NumericDate (RFC 7519: epoch seconds); only whole seconds, as the engine writes them. */
    Instant time(String name) {
        long seconds = integer(name);
        if (seconds < 0 || seconds > Instant.MAX.getEpochSecond()) {
            throw new VerificationException(where + " member \"" + name + "\" is not a valid time");
        }
        return Instant.ofEpochSecond(seconds);
    }

    /** A list of strings; an absent member is an empty list. */
    List<String> strings(String name) {
        Object value = members.get(name);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw wrongType(name, "a list of strings");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw wrongType(name, "a list of strings");
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    /** A map of strings to strings; an absent member is an empty map. Keeps the document's order. */
    Map<String, String> stringMap(String name) {
        Object value = members.get(name);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw wrongType(name, "an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getValue() instanceof String s)) {
                throw wrongType(name, "an object of strings");
            }
            out.put((String) entry.getKey(), s);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** A list member (of anything). */
    List<?> list(String name) {
        Object value = require(name);
        if (!(value instanceof List<?> list)) {
            throw wrongType(name, "a list");
        }
        return list;
    }

    Claims object(String name) {
        Object value = require(name);
        if (!(value instanceof Map<?, ?>)) {
            throw wrongType(name, "an object");
        }
        return of(value, where + " member \"" + name + "\"");
    }

    private Object require(String name) {
        Object value = members.get(name);
        if (value == null) {
            throw new VerificationException(where + " has no \"" + name + "\"");
        }
        return value;
    }

    private VerificationException wrongType(String name, String expected) {
        return new VerificationException(where + " member \"" + name + "\" is not " + expected);
    }

    /**
     * A value from untrusted input, quoted for a message: at most 64 characters, control and other
     * unprintable characters escaped, so that a hostile record cannot forge log lines.
     */
    static String quote(String value) {
        if (value == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        int limit = Math.min(value.length(), 64);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || Character.isISOControl(c) || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > limit) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
