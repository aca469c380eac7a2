package dev.herald.it;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for the tests: the sdk's codec (object = insertion-ordered {@code Map<String, Object>},
 * array = {@code List<Object>}, integral number = {@code Long}), with every other number as a
 * {@code Double} so that tests compare with plain literals, and a helper to follow paths.
 */
final class Json {
    private Json() {
    }

    /** Parses one JSON value. */
    static Object parse(String text) {
        return withDoubles(dev.herald.sdk.json.Json.parse(text));
    }

    /** Parses a JSON object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String text) {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("expected a JSON object, got: "
                    + (text.length() > 200 ? text.substring(0, 200) + "..." : text));
        }
        return (Map<String, Object>) value;
    }

    /**
     * Follows object keys (and list indexes given as decimal strings) from {@code root}; returns
     * null when a step is missing.
     */
    static Object at(Object root, String... steps) {
        Object current = root;
        for (String step : steps) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(step);
            } else if (current instanceof List<?> list && step.matches("\\d+")
                    && Integer.parseInt(step) < list.size()) {
                current = list.get(Integer.parseInt(step));
            } else {
                return null;
            }
        }
        return current;
    }

    /** Writes maps, iterables, strings, numbers, booleans and null as JSON. */
    static String write(Object value) {
        return dev.herald.sdk.json.Json.write(value);
    }

    private static Object withDoubles(Object value) {
        return switch (value) {
            case BigDecimal d -> d.doubleValue();
            case BigInteger i -> i.doubleValue();
            case Map<?, ?> map -> {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put((String) k, withDoubles(v)));
                yield out;
            }
            case List<?> list -> {
                List<Object> out = new ArrayList<>();
                list.forEach(item -> out.add(withDoubles(item)));
                yield out;
            }
            case null, default -> value;
        };
    }
}
