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
        /** A 64-bit whole number: the document says so with format int64 and the bounds of a long. */
        INTEGER("integer", "int64"),
        /** A number that may have a fraction. */
        NUMBER("number", null),
        /** A boolean. */
        BOOLEAN("boolean", null),
        /**
         * A duration: Vault duration strings ("24h", "90s") or seconds; read back as seconds. No
         * format: OpenAPI's "duration" is ISO 8601 ("P1D"), which these are not.
         */
        DURATION("string", null),
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

    /** The parts of a field, copied and changed by each refinement. */
    private static final class Draft<T> {
        String name;
        String description;
        Type type;
        Function<Object, T> reader;
        T defaultValue;
        boolean required;
        List<Constraint> constraints = List.of();
        List<Rule<T>> rules = List.of();
        List<T> allowedValues = List.of();
    }

    private final String name;
    private final String description;
    private final Type type;
    private final Function<Object, T> reader;
    private final T defaultValue;
    private final boolean required;
    private final List<Constraint> constraints;
    /** The constraints in the order they are checked: patterns last ({@link Constraint#inCheckingOrder}). */
    private final List<Constraint> checkingOrder;
    private final List<Rule<T>> rules;
    private final List<T> allowedValues;

    private Field(Draft<T> draft) {
        this.name = Objects.requireNonNull(draft.name, "name");
        this.description = Objects.requireNonNull(draft.description, "description");
        this.type = draft.type;
        this.reader = draft.reader;
        this.defaultValue = draft.defaultValue;
        this.required = draft.required;
        this.constraints = List.copyOf(draft.constraints);
        this.checkingOrder = Constraint.inCheckingOrder(constraints);
        this.rules = List.copyOf(draft.rules);
        this.allowedValues = List.copyOf(draft.allowedValues);
    }

    private Field<T> with(java.util.function.Consumer<Draft<T>> change) {
        Draft<T> draft = new Draft<>();
        draft.name = name;
        draft.description = description;
        draft.type = type;
        draft.reader = reader;
        draft.defaultValue = defaultValue;
        draft.required = required;
        draft.constraints = constraints;
        draft.rules = rules;
        draft.allowedValues = allowedValues;
        change.accept(draft);
        return new Field<>(draft);
    }

    private static <T> Field<T> of(String name, String description, Type type, Function<Object, T> reader) {
        Draft<T> draft = new Draft<>();
        draft.name = name;
        draft.description = description;
        draft.type = type;
        draft.reader = reader;
        return new Field<>(draft);
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
        Objects.requireNonNull(value);
        return with(draft -> draft.defaultValue = value);
    }

    /** {@return this field, which every request to the operation must carry} */
    public Field<T> required() {
        return with(draft -> draft.required = true);
    }

    /**
     * This field with one more rule, which OpenAPI cannot state: the document shows it in the
     * field's description only. Prefer a {@link Constraint} wherever one says the rule.
     *
     * @param holds       true for a good value
     * @param description completes "must ...", e.g. "be positive": the 400 and the help show it
     * @return the new field
     */
    public Field<T> check(Predicate<T> holds, String description) {
        List<Rule<T>> more = new ArrayList<>(rules);
        more.add(new Rule<>(holds, description));
        return with(draft -> draft.rules = more);
    }

    /**
     * This field with one more rule that the OpenAPI document states as well.
     *
     * @param constraint the rule
     * @return the new field
     */
    public Field<T> constraint(Constraint constraint) {
        List<Constraint> more = new ArrayList<>(constraints);
        more.add(Objects.requireNonNull(constraint));
        return with(draft -> draft.constraints = more);
    }

    /**
     * This field, limited to the given values (the document's enum).
     *
     * @param values the values allowed
     * @return the new field
     */
    @SafeVarargs
    public final Field<T> oneOf(T... values) {
        return with(draft -> draft.allowedValues = Arrays.asList(values));
    }

    /**
     * This string field, limited to strings that match a regular expression as a whole (the
     * document's pattern).
     *
     * @param regex       the expression ({@link Constraint.Matches} says which syntax)
     * @param description completes "must ...", e.g. "be a DNS label"
     * @return the new field
     */
    public Field<T> matching(String regex, String description) {
        return constraint(Type.STRING, new Constraint.Matches(regex, description));
    }

    /**
     * This string field, limited in length (Unicode code points).
     *
     * @param min the fewest characters
     * @param max the most characters
     * @return the new field
     */
    public Field<T> length(int min, int max) {
        return constraint(Type.STRING, new Constraint.Length(min, max));
    }

    /**
     * This whole-number field, limited to a range, both bounds included.
     *
     * @param min the least value
     * @param max the greatest value
     * @return the new field
     */
    public Field<T> between(long min, long max) {
        return constraint(Type.INTEGER, new Constraint.Range(BigDecimal.valueOf(min), false, BigDecimal.valueOf(max), false,
                "be between " + min + " and " + max));
    }

    /**
     * This whole-number field, limited to a least value.
     *
     * @param min the least value
     * @return the new field
     */
    public Field<T> atLeast(long min) {
        return constraint(Type.INTEGER, new Constraint.Range(BigDecimal.valueOf(min), false, null, false,
                "be " + min + " or more"));
    }

    /**
     * This number field, limited to values strictly between two bounds.
     *
     * @param min the lower bound, refused itself
     * @param max the upper bound, refused itself
     * @return the new field
     */
    public Field<T> strictlyBetween(double min, double max) {
        return constraint(Type.NUMBER, new Constraint.Range(BigDecimal.valueOf(min), true, BigDecimal.valueOf(max), true,
                "be between " + plain(min) + " and " + plain(max) + " (exclusive)"));
    }

    /** {@return this field, limited to values greater than zero (durations and numbers)} */
    public Field<T> positive() {
        return type == Type.DURATION
                ? constraint(Type.DURATION, new Constraint.DurationRange(Duration.ZERO, true, "be greater than zero"))
                : constraint(numeric(), new Constraint.Range(BigDecimal.ZERO, true, null, false, "be greater than zero"));
    }

    /** {@return this field, limited to values of zero or more (durations and numbers)} */
    public Field<T> notNegative() {
        return type == Type.DURATION
                ? constraint(Type.DURATION, new Constraint.DurationRange(Duration.ZERO, false, "not be negative"))
                : constraint(numeric(), new Constraint.Range(BigDecimal.ZERO, false, null, false, "not be negative"));
    }

    /** {@return this list or map field, limited to at least one entry} */
    public Field<T> notEmpty() {
        if (type != Type.STRING_LIST && type != Type.STRING_MAP) {
            throw new IllegalStateException("notEmpty() applies to lists and maps, not " + type);
        }
        return constraint(new Constraint.Size(1, Integer.MAX_VALUE, "not be empty"));
    }

    /**
     * This list (or map) field, whose every item (or value) keeps some rules.
     *
     * @param description completes "must ..." for the whole list
     * @param rules       what every item keeps
     * @return the new field
     */
    public Field<T> each(String description, Constraint... rules) {
        if (type != Type.STRING_LIST && type != Type.STRING_MAP) {
            throw new IllegalStateException("each() applies to lists and maps, not " + type);
        }
        return constraint(new Constraint.Each(List.of(rules), description));
    }

    private Field<T> constraint(Type applies, Constraint constraint) {
        if (type != applies) {
            throw new IllegalStateException(name + ": this rule applies to " + applies + " fields, not " + type);
        }
        return constraint(constraint);
    }

    private Type numeric() {
        if (type != Type.INTEGER && type != Type.NUMBER) {
            throw new IllegalStateException(name + ": this rule applies to durations and numbers, not " + type);
        }
        return type;
    }

    private static String plain(double n) {
        return n == Math.rint(n) ? Long.toString((long) n) : Double.toString(n);
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

    /** {@return the rules the OpenAPI document states, in the order they are checked} */
    public List<Constraint> constraints() {
        return constraints;
    }

    /** {@return every rule a value must keep (constraints, then opaque checks), as "must ..." phrases, for help text} */
    public List<String> ruleDescriptions() {
        List<String> all = new ArrayList<>(constraints.stream().map(Constraint::description).toList());
        rules.forEach(rule -> all.add(rule.description()));
        return List.copyOf(all);
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
        for (Constraint constraint : checkingOrder) {
            if (!constraint.test(value)) {
                throw VaultException.badRequest("invalid " + name + ": must " + constraint.description() + ", got " + describe(value));
            }
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
