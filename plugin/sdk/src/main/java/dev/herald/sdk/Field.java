package dev.herald.sdk;

import dev.herald.sdk.json.Json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A named, typed request parameter of a path: how to read it from a request, its default, the
 * rules a value must keep, and its description for help and OpenAPI.
 *
 * <p>Fields are immutable; every refinement returns a new field:
 * <pre>{@code
 * static final Field<Duration> DEFAULT_TTL = Field.duration("default_ttl", "Lifetime of a publication.")
 *         .defaultValue(Duration.ofHours(24)).positive();
 * }</pre>
 * A value that cannot be read or breaks a rule makes the request fail with a 400 that names the
 * field and the rule.
 *
 * @param <T> the Java type of the field's value
 */
public final class Field<T> {

    /** The kind of a field's value, with its OpenAPI type. */
    public enum Type {
        /** A string. */
        STRING("string", null),
        /** A whole number. */
        INTEGER("integer", null),
        /** A number that may have a fraction. */
        NUMBER("number", null),
        /** A boolean. */
        BOOLEAN("boolean", null),
        /** A duration: Vault duration strings ("24h", "90s") or seconds; read back as seconds. */
        DURATION("string", "duration"),
        /** A list of strings. */
        STRING_LIST("array", null),
        /** A map of strings to strings. */
        STRING_MAP("object", null);

        final String openApiType;
        final String openApiFormat;

        Type(String openApiType, String openApiFormat) {
            this.openApiType = openApiType;
            this.openApiFormat = openApiFormat;
        }
    }

    private record Rule<T>(Predicate<T> holds, String description) {
    }

    private final String name;
    private final String description;
    private final Type type;
    private final Function<Object, T> reader;
    private final T defaultValue;
    private final boolean required;
    private final List<Rule<T>> rules;
    private final List<T> allowedValues;

    private Field(String name, String description, Type type, Function<Object, T> reader, T defaultValue,
                  boolean required, List<Rule<T>> rules, List<T> allowedValues) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.type = type;
        this.reader = reader;
        this.defaultValue = defaultValue;
        this.required = required;
        this.rules = List.copyOf(rules);
        this.allowedValues = List.copyOf(allowedValues);
    }

    private static <T> Field<T> of(String name, String description, Type type, Function<Object, T> reader) {
        return new Field<>(name, description, type, reader, null, false, List.of(), List.of());
    }

    /**
     * A string; numbers are accepted and kept as written.
     *
     * @param name        the field's name in requests and responses, e.g. {@code "ttl"}
     * @param description what it means, for {@code path-help} and OpenAPI
     * @return the field
     */
    public static Field<String> string(String name, String description) {
        return of(name, description, Type.STRING, Field::readString);
    }

    /**
     * A whole number (JSON number or decimal string).
     *
     * @param name        the field's name in requests and responses, e.g. {@code "ttl"}
     * @param description what it means, for {@code path-help} and OpenAPI
     * @return the field
     */
    public static Field<Long> integer(String name, String description) {
        return of(name, description, Type.INTEGER, Field::readLong);
    }

    /**
     * A number that may have a fraction.
     *
     * @param name        the field's name in requests and responses, e.g. {@code "ttl"}
     * @param description what it means, for {@code path-help} and OpenAPI
     * @return the field
     */
    public static Field<Double> number(String name, String description) {
        return of(name, description, Type.NUMBER, Field::readDouble);
    }

    /**
     * A boolean: JSON true/false, or the strings Go accepts ("true", "false", "1", "0", "t", "f").
     *
     * @param name        the field's name in requests and responses, e.g. {@code "ttl"}
     * @param description what it means, for {@code path-help} and OpenAPI
     * @return the field
     */
    public static Field<Boolean> bool(String name, String description) {
        return of(name, description, Type.BOOLEAN, Field::readBoolean);
    }

    /**
     * A duration: a Vault duration string ("24h", "1h30m", "90s", "7d") or a number of seconds.
     *
     * @param name        the field's name in requests and responses, e.g. {@code "ttl"}
     * @param description what it means, for {@code path-help} and OpenAPI
     * @return the field
     */
    public static Field<Duration> duration(String name, String description) {
        return of(name, description, Type.DURATION, Field::readDuration);
    }

    /**
     * A list of strings: a JSON array, or one comma-separated string as the CLI sends it.
     *
     * @param name        the field's name in requests and responses, e.g. {@code "ttl"}
     * @param description what it means, for {@code path-help} and OpenAPI
     * @return the field
     */
    public static Field<List<String>> stringList(String name, String description) {
        return of(name, description, Type.STRING_LIST, Field::readStringList);
    }

    /**
     * A string-to-string map: a JSON object, or "k=v" pairs (a list, or one comma-separated string).
     *
     * @param name        the field's name in requests and responses, e.g. {@code "ttl"}
     * @param description what it means, for {@code path-help} and OpenAPI
     * @return the field
     */
    public static Field<Map<String, String>> stringMap(String name, String description) {
        return of(name, description, Type.STRING_MAP, Field::readStringMap);
    }

    /**
     * This field with a value used when the request does not carry one.
     *
     * @param value the default
     * @return the new field
     */
    public Field<T> defaultValue(T value) {
        return new Field<>(name, description, type, reader, Objects.requireNonNull(value), required, rules, allowedValues);
    }

    /** {@return this field, which every request to the operation must carry} */
    public Field<T> required() {
        return new Field<>(name, description, type, reader, defaultValue, true, rules, allowedValues);
    }

    /**
     * This field with one more rule.
     *
     * @param holds       true for a good value
     * @param description completes "must ...", e.g. "be positive": the 400 and the help show it
     * @return the new field
     */
    public Field<T> check(Predicate<T> holds, String description) {
        List<Rule<T>> more = new ArrayList<>(rules);
        more.add(new Rule<>(holds, description));
        return new Field<>(name, this.description, type, reader, defaultValue, required, more, allowedValues);
    }

    /**
     * This field, limited to the given values.
     *
     * @param values the values allowed
     * @return the new field
     */
    @SafeVarargs
    public final Field<T> oneOf(T... values) {
        return new Field<>(name, description, type, reader, defaultValue, required, rules, Arrays.asList(values));
    }

    /** {@return this field, limited to values greater than zero (durations and numbers)} */
    public Field<T> positive() {
        return check(value -> switch (value) {
            case Duration d -> d.compareTo(Duration.ZERO) > 0;
            case Number n -> n.doubleValue() > 0;
            default -> throw new IllegalStateException("positive() applies to durations and numbers, not " + type);
        }, "be greater than zero");
    }

    /** {@return this field, limited to values of zero or more (durations and numbers)} */
    public Field<T> notNegative() {
        return check(value -> switch (value) {
            case Duration d -> !d.isNegative();
            case Number n -> n.doubleValue() >= 0;
            default -> throw new IllegalStateException("notNegative() applies to durations and numbers, not " + type);
        }, "not be negative");
    }

    /** {@return the field's name} */
    public String name() {
        return name;
    }

    /** {@return what the field means} */
    public String description() {
        return description;
    }

    /** {@return the kind of its value} */
    public Type type() {
        return type;
    }

    /** {@return whether every request must carry it} */
    public boolean isRequired() {
        return required;
    }

    /** {@return its default, if it has one} */
    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** {@return the values allowed, or an empty list for any} */
    public List<T> allowedValues() {
        return allowedValues;
    }

    /** {@return the rules a value must keep, as "must ..." phrases, for help text} */
    public List<String> ruleDescriptions() {
        return rules.stream().map(Rule::description).toList();
    }

    /**
     * Reads and checks a raw request value (as decoded from JSON or a query string).
     *
     * @param raw the value as it came
     * @return the typed value
     * @throws VaultException 400 naming this field and what is wrong
     */
    public T parse(Object raw) {
        if (raw == null) { // the readers' pattern switches would throw a NullPointerException
            throw VaultException.badRequest("invalid " + name + ": no value");
        }
        T value;
        try {
            value = reader.apply(raw);
        } catch (IllegalArgumentException e) {
            throw VaultException.badRequest("invalid " + name + ": " + e.getMessage());
        }
        if (!allowedValues.isEmpty() && !allowedValues.contains(value)) {
            throw VaultException.badRequest("invalid " + name + ": " + describe(value) + " is not one of "
                    + String.join(", ", allowedValues.stream().map(Field::describe).toList()));
        }
        for (Rule<T> rule : rules) {
            if (!rule.holds().test(value)) {
                throw VaultException.badRequest("invalid " + name + ": must " + rule.description() + ", got " + describe(value));
            }
        }
        return value;
    }

    /**
     * The value as it is shown to callers: durations in whole seconds, everything else as is.
     *
     * @param value a value of this field
     * @return its JSON form
     */
    public Object toJson(T value) {
        return value instanceof Duration d ? Durations.toSeconds(d) : value;
    }

    @Override
    public String toString() {
        return "Field[" + name + ": " + type + "]";
    }

    // ---- readers: raw JSON-ish values to typed values; IllegalArgumentException says what is wrong ----

    private static String readString(Object raw) {
        return switch (raw) {
            case String s -> s;
            case BigDecimal d -> d.toPlainString();
            case Number n -> n.toString();
            default -> throw new IllegalArgumentException("expected a string, got " + describe(raw));
        };
    }

    private static long readLong(Object raw) {
        try {
            return switch (raw) {
                case Long l -> l;
                case Integer i -> i;
                case BigInteger b -> b.longValueExact();
                case BigDecimal d -> d.longValueExact();
                case String s -> Long.parseLong(s.trim());
                default -> throw new IllegalArgumentException("expected a whole number, got " + describe(raw));
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number, got " + describe(raw));
        }
    }

    private static double readDouble(Object raw) {
        double value;
        try {
            value = switch (raw) {
                case Number n -> n.doubleValue();
                case String s -> Double.parseDouble(s.trim());
                default -> throw new IllegalArgumentException("expected a number, got " + describe(raw));
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number, got " + describe(raw));
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("expected a finite number, got " + describe(raw));
        }
        return value;
    }

    private static boolean readBoolean(Object raw) {
        return switch (raw) {
            case Boolean b -> b;
            case String s -> switch (s.trim()) {
                case "true", "TRUE", "True", "t", "T", "1" -> true;
                case "false", "FALSE", "False", "f", "F", "0" -> false;
                default -> throw new IllegalArgumentException("expected true or false, got " + describe(raw));
            };
            default -> throw new IllegalArgumentException("expected true or false, got " + describe(raw));
        };
    }

    private static Duration readDuration(Object raw) {
        if (raw instanceof Boolean || raw instanceof Map || raw instanceof List) {
            throw new IllegalArgumentException("expected a duration such as \"24h\" or a number of seconds, got " + describe(raw));
        }
        return Durations.parse(raw);
    }

    private static List<String> readStringList(Object raw) {
        List<String> out = new ArrayList<>();
        switch (raw) {
            case String s -> {
                for (String part : s.split(",", -1)) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            }
            case List<?> list -> {
                for (Object item : list) {
                    if (!(item instanceof String s)) {
                        throw new IllegalArgumentException("expected a list of strings, found " + describe(item) + " in it");
                    }
                    out.add(s);
                }
            }
            default -> throw new IllegalArgumentException("expected a list of strings, got " + describe(raw));
        }
        return List.copyOf(out);
    }

    private static Map<String, String> readStringMap(Object raw) {
        Map<String, String> out = new LinkedHashMap<>();
        switch (raw) {
            case Map<?, ?> map -> map.forEach((k, v) -> {
                if (!(v instanceof String s)) {
                    throw new IllegalArgumentException("expected string values, got " + describe(v) + " for key \"" + k + "\"");
                }
                out.put(String.valueOf(k), s);
            });
            case String s when s.trim().startsWith("{") -> {
                return readStringMap(Json.parseObject(s));
            }
            case String s -> {
                for (String pair : s.split(",", -1)) {
                    if (!pair.isBlank()) {
                        putPair(out, pair.trim());
                    }
                }
            }
            case List<?> list -> {
                for (Object item : list) {
                    if (!(item instanceof String pair)) {
                        throw new IllegalArgumentException("expected \"key=value\" strings, got " + describe(item));
                    }
                    putPair(out, pair);
                }
            }
            default -> throw new IllegalArgumentException("expected an object of strings, got " + describe(raw));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static void putPair(Map<String, String> out, String pair) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("expected \"key=value\", got \"" + pair + "\"");
        }
        out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }

    /** A value as messages show it: strings quoted and cut short, durations in Go notation. */
    private static String describe(Object raw) {
        return switch (raw) {
            case null -> "null";
            case Duration d -> Durations.format(d);
            case String s -> "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
            case Map<?, ?> m -> "an object";
            case List<?> l -> l.size() > 5 ? "a list of " + l.size() + " entries"
                    : "[" + String.join(", ", l.stream().map(Field::describe).toList()) + "]";
            case Boolean b -> b.toString();
            case BigDecimal d -> d.toPlainString();
            default -> raw.toString();
        };
    }
}
