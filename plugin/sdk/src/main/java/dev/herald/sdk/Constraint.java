package dev.herald.sdk;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A rule of a field's value that OpenAPI can state: one value both checks requests and writes
 * itself into the field's schema, so that the document and the checks cannot disagree. Rules
 * OpenAPI cannot state stay opaque predicates ({@link Field#check}).
 *
 * <p>Vault and OpenBao keep only some keywords when they merge a plugin's document into
 * {@code sys/internal/specs/openapi}: type, format, pattern, enum, default, items and required.
 * A rule that can also be said with those says it that way too ({@link Length} as a pattern), so
 * that the server's document keeps it; the others (minimum, maximum, minItems...) are in the
 * plugin's own document, which {@code GET /v1/<mount>/?help=1} answers, and in the field's
 * description.
 */
public sealed interface Constraint {

    /**
     * Whether a value keeps the rule.
     *
     * @param value the value as the field reads it: String, Long, Double, Duration, List, Map
     * @return true if it keeps the rule
     */
    boolean test(Object value);

    /** {@return the rule for messages and help: completes "must ..."} */
    String description();

    /**
     * Writes the rule into a schema.
     *
     * @param schema the field's JSON schema (or its items' schema), changed in place
     */
    void render(Map<String, Object> schema);

    /**
     * Strings that match a regular expression as a whole.
     *
     * @param regex       the expression ({@link Matches} says which syntax)
     * @param description completes "must ...", e.g. "be a DNS label"
     * @return the rule
     */
    static Constraint matching(String regex, String description) {
        return new Matches(regex, description);
    }

    /**
     * Strings of a length within bounds, in Unicode code points (as JSON Schema counts them).
     *
     * @param min the fewest characters
     * @param max the most characters
     * @return the rule
     */
    static Constraint length(int min, int max) {
        return new Length(min, max);
    }

    /**
     * Strings among fixed values.
     *
     * @param values the values allowed
     * @return the rule
     */
    static Constraint oneOf(String... values) {
        return new OneOf(List.of(values));
    }

    /**
     * The rules in the order to check them: patterns last, so that a value too long for its field
     * is refused by its length before an expression has to walk it (one with repeated alternatives
     * costs a stack frame per character in Java).
     *
     * @param rules the rules as declared
     * @return the same rules, patterns last, otherwise in the declared order
     */
    static List<Constraint> inCheckingOrder(List<Constraint> rules) {
        List<Constraint> ordered = new java.util.ArrayList<>(rules);
        ordered.sort(java.util.Comparator.comparing(rule -> rule instanceof Matches));
        return List.copyOf(ordered);
    }

    /**
     * A string matching a regular expression as a whole. The document's {@code pattern} is the same
     * expression anchored, "^(?:regex)$": JSON Schema patterns are not anchored by themselves.
     * Write expressions that mean the same in Java, ECMA-262 and Python: character classes,
     * groups, alternation and counted repetition; no lookaround, no possessive quantifiers.
     *
     * @param regex       the expression, not anchored
     * @param description completes "must ..."
     */
    record Matches(String regex, String description) implements Constraint {
        /** Compiled once per expression: fields are constants, and requests many. */
        private static final Map<String, java.util.regex.Pattern> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

        /**
         * Compiles the expression once, so that a bad one fails the field's definition.
         *
         * @param regex       the expression, not anchored
         * @param description completes "must ..."
         */
        public Matches {
            Objects.requireNonNull(description);
            java.util.regex.Pattern.compile(regex); // fails the definition, not a request
        }

        /** {@return the expression as the document writes it, anchored} */
        public String pattern() {
            return "^(?:" + regex + ")$";
        }

        /**
         * Java runs a repeated group with alternatives recursively, a frame per character, so a long
         * enough value overflows the stack: a value that does so does not match. Fields check
         * lengths before patterns ({@link #inCheckingOrder}), so this is the last guard, not the rule.
         */
        @Override
        public boolean test(Object value) {
            try {
                return value instanceof String s && compiled().matcher(s).matches();
            } catch (StackOverflowError e) {
                return false;
            }
        }

        private java.util.regex.Pattern compiled() {
            return COMPILED.computeIfAbsent(regex, java.util.regex.Pattern::compile);
        }

        @Override
        public void render(Map<String, Object> schema) {
            schema.put("pattern", pattern()); // a pattern from Length is implied by this one's own
        }
    }

    /**
     * A string of {@code min} to {@code max} code points: minLength and maxLength, and (where the
     * field has no pattern of its own) the same as a pattern, which the servers' documents keep.
     *
     * @param min the fewest code points
     * @param max the most code points
     */
    record Length(int min, int max) implements Constraint {
        /**
         * Refuses bounds that allow nothing.
         *
         * @param min the fewest code points, zero or more
         * @param max the most code points, at least {@code min}
         */
        public Length {
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("length from " + min + " to " + max);
            }
        }

        @Override
        public boolean test(Object value) {
            if (!(value instanceof String s)) {
                return false;
            }
            int n = s.codePointCount(0, s.length());
            return n >= min && n <= max;
        }

        @Override
        public String description() {
            return min == 0 ? "be at most " + max + " characters" : "be " + min + "-" + max + " characters";
        }

        @Override
        public void render(Map<String, Object> schema) {
            if (min > 0) {
                schema.put("minLength", min);
            }
            schema.put("maxLength", max);
            schema.putIfAbsent("pattern", "^[\\s\\S]{" + min + "," + max + "}$");
        }
    }

    /**
     * A string among fixed values: {@code enum}.
     *
     * @param values the values allowed
     */
    record OneOf(List<String> values) implements Constraint {
        /**
         * Copies the values.
         *
         * @param values the values allowed
         */
        public OneOf {
            values = List.copyOf(values);
        }

        @Override
        public boolean test(Object value) {
            return values.contains(value);
        }

        @Override
        public String description() {
            return "be one of " + String.join(", ", values);
        }

        @Override
        public void render(Map<String, Object> schema) {
            schema.put("enum", values);
        }
    }

    /**
     * A number within bounds: minimum, maximum and (OpenAPI 3.0's booleans) exclusiveMinimum,
     * exclusiveMaximum. A null bound is no bound.
     *
     * @param min          the lower bound, or null
     * @param minExclusive whether the lower bound itself is refused
     * @param max          the upper bound, or null
     * @param maxExclusive whether the upper bound itself is refused
     * @param description  completes "must ..."
     */
    record Range(BigDecimal min, boolean minExclusive, BigDecimal max, boolean maxExclusive, String description)
            implements Constraint {
        /**
         * Refuses a range without bounds.
         *
         * @param min          the lower bound, or null
         * @param minExclusive whether the lower bound itself is refused
         * @param max          the upper bound, or null
         * @param maxExclusive whether the upper bound itself is refused
         * @param description  completes "must ..."
         */
        public Range {
            Objects.requireNonNull(description);
            if (min == null && max == null) {
                throw new IllegalArgumentException("a range needs a bound");
            }
        }

        @Override
        public boolean test(Object value) {
            if (!(value instanceof Number number)) {
                return false;
            }
            BigDecimal n = number instanceof Long || number instanceof Integer
                    ? BigDecimal.valueOf(number.longValue()) : new BigDecimal(number.toString());
            if (min != null && (minExclusive ? n.compareTo(min) <= 0 : n.compareTo(min) < 0)) {
                return false;
            }
            return max == null || (maxExclusive ? n.compareTo(max) < 0 : n.compareTo(max) <= 0);
        }

        @Override
        public void render(Map<String, Object> schema) {
            if (min != null) {
                schema.put("minimum", plain(min));
                if (minExclusive) {
                    schema.put("exclusiveMinimum", true);
                }
            }
            if (max != null) {
                schema.put("maximum", plain(max));
                if (maxExclusive) {
                    schema.put("exclusiveMaximum", true);
                }
            }
        }

        /** Whole bounds as integers, so that an integer field's schema says 1, not 1.0. */
        private static Number plain(BigDecimal n) {
            BigDecimal stripped = n.stripTrailingZeros();
            return stripped.scale() <= 0 ? stripped.longValueExact() : stripped;
        }
    }

    /**
     * A duration of at least (or, {@code exclusive}, more than) {@code min}. A duration is read from a
     * Go duration string or seconds ({@link Durations}), a language no regex states exactly with
     * its limits; the document's pattern is the plain subset of it that keeps this rule: up to
     * seven whole components of s, m, h or d ("90s", "1h30m", "7d"), or whole seconds ("3600").
     * Every string it matches is accepted (a test reads strings drawn from it); "1.5h", "500ms"
     * and JSON numbers are accepted too, beyond what the pattern says.
     *
     * @param min         the bound: zero (the only one the pattern can state)
     * @param exclusive   whether the bound itself is refused
     * @param description completes "must ..."
     */
    record DurationRange(Duration min, boolean exclusive, String description) implements Constraint {
        /** Nine digits, so that no sum of components leaves {@link Duration}'s range. */
        private static final String ANY = "[0-9]{1,9}";
        private static final String NOT_ZERO = "0{0,3}[1-9][0-9]{0,8}";
        private static final String UNIT = "[smhd]";

        /**
         * Refuses a bound other than zero.
         *
         * @param min         the bound: zero
         * @param exclusive   whether the bound itself is refused
         * @param description completes "must ..."
         */
        public DurationRange {
            Objects.requireNonNull(description);
            if (!min.isZero()) {
                throw new IllegalArgumentException("only zero is a bound the document's pattern can state");
            }
        }

        @Override
        public boolean test(Object value) {
            return value instanceof Duration d && (exclusive ? d.compareTo(min) > 0 : d.compareTo(min) >= 0);
        }

        /** {@return the document's pattern: durations of this range in the plain notation} */
        public String pattern() {
            if (!exclusive) {
                return "^(?:" + ANY + "|(?:" + ANY + UNIT + "){1,7})$";
            }
            // at least one component that is not zero, anywhere among up to seven
            return "^(?:" + NOT_ZERO + "|(?:" + ANY + UNIT + "){0,3}" + NOT_ZERO + UNIT + "(?:" + ANY + UNIT + "){0,3})$";
        }

        @Override
        public void render(Map<String, Object> schema) {
            schema.put("pattern", pattern());
        }
    }

    /**
     * A list or map of a number of entries within bounds: minItems/maxItems, or
     * minProperties/maxProperties.
     *
     * @param min         the fewest entries
     * @param max         the most entries
     * @param description completes "must ..."
     */
    record Size(int min, int max, String description) implements Constraint {
        /**
         * Refuses bounds that allow nothing.
         *
         * @param min         the fewest entries, zero or more
         * @param max         the most entries, at least {@code min}
         * @param description completes "must ..."
         */
        public Size {
            Objects.requireNonNull(description);
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("size from " + min + " to " + max);
            }
        }

        @Override
        public boolean test(Object value) {
            int n = switch (value) {
                case Collection<?> c -> c.size();
                case Map<?, ?> m -> m.size();
                default -> -1;
            };
            return n >= min && n <= max;
        }

        @Override
        public void render(Map<String, Object> schema) {
            boolean list = "array".equals(schema.get("type"));
            if (min > 0) {
                schema.put(list ? "minItems" : "minProperties", min);
            }
            if (max < Integer.MAX_VALUE) {
                schema.put(list ? "maxItems" : "maxProperties", max);
            }
        }
    }

    /**
     * Every item of a list (or value of a map) keeps {@code rules}: they are written into the
     * schema's {@code items} (or {@code additionalProperties}).
     *
     * @param rules       what every item keeps
     * @param description completes "must ..." for the whole list
     */
    record Each(List<Constraint> rules, String description) implements Constraint {
        /**
         * Copies the rules and refuses none.
         *
         * @param rules       what every item keeps, at least one
         * @param description completes "must ..." for the whole list
         */
        public Each {
            rules = List.copyOf(rules);
            Objects.requireNonNull(description);
            if (rules.isEmpty()) {
                throw new IllegalArgumentException("each of what?");
            }
        }

        @Override
        public boolean test(Object value) {
            Collection<?> items = switch (value) {
                case Collection<?> c -> c;
                case Map<?, ?> m -> m.values();
                default -> null;
            };
            List<Constraint> ordered = inCheckingOrder(rules); // a few rules: sorted per call rather than held
            return items != null && items.stream().allMatch(item -> ordered.stream().allMatch(rule -> rule.test(item)));
        }

        @Override
        @SuppressWarnings("unchecked")
        public void render(Map<String, Object> schema) {
            String key = "array".equals(schema.get("type")) ? "items" : "additionalProperties";
            Map<String, Object> item = new LinkedHashMap<>((Map<String, Object>) schema.getOrDefault(key,
                    Map.of("type", "string")));
            rules.forEach(rule -> rule.render(item));
            schema.put(key, item);
        }
    }
}
