package dev.herald.sdk.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small, strict JSON codec (RFC 8259) for request data, responses and stored entries.
 *
 * <p>Parsing gives {@link LinkedHashMap} (keys in document order), {@link ArrayList}, {@link String},
 * {@link Boolean}, {@code null}, and numbers: an integral literal (no {@code .}, {@code e} or
 * {@code E}) is a {@link Long} if it fits, else a {@link BigInteger}; any other number is an exact
 * {@link BigDecimal}. Never a {@code Double}: callers decide how much precision they accept.
 */
public final class Json {
    /**
     * Deepest nesting of arrays and objects accepted, when parsing and when writing. Plugin data is
     * shallow (a string map inside a request body, an OpenAPI document: about ten levels); a body
     * nested deeper is refused at once, with a message that says why, and the recursive parser
     * stays far from the end of its stack.
     */
    public static final int MAX_DEPTH = 64;

    /**
     * Longest number literal accepted. Turning decimal text into a BigInteger takes time quadratic in
     * its length, so an unbounded literal would let one request burn seconds of CPU.
     */
    static final int MAX_NUMBER_LENGTH = 1000;

    /** BigDecimals needing more padding zeros than this are written in E notation. */
    private static final int MAX_PLAIN_ZEROS = 32;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {}

    /**
     * Parses one JSON value.
     *
     * @param text the JSON text
     * @return a {@code Map<String, Object>}, {@code List<Object>}, {@link String}, {@link Boolean}, number or null
     * @throws JsonException if {@code text} is not exactly one valid JSON value (whitespace aside)
     */
    public static Object parse(String text) {
        Objects.requireNonNull(text, "text");
        Parser p = new Parser(text);
        Object value = p.value();
        p.end();
        return value;
    }

    /**
     * Parses a JSON object. Empty or whitespace-only text, {@code null} text and the literal
     * {@code null} all give an empty (mutable) map: Vault sends {@code null} for a request without body.
     *
     * @param text the JSON text, or null
     * @return the object's members, in their order
     * @throws JsonException if the text is malformed or holds something other than an object
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        if (text == null) {
            return new LinkedHashMap<>();
        }
        Parser p = new Parser(text);
        p.skipWhitespace();
        if (p.pos == p.len) {
            return new LinkedHashMap<>();
        }
        int start = p.pos;
        Object value = p.value();
        p.end();
        if (value == null) {
            return new LinkedHashMap<>();
        }
        if (!(value instanceof Map)) {
            String kind = value instanceof List ? "an array"
                    : value instanceof String ? "a string"
                    : value instanceof Boolean ? "a boolean" : "a number";
            throw new JsonException("expected a JSON object, found " + kind, start);
        }
        return (Map<String, Object>) value;
    }

    /**
     * Writes a value as compact JSON. Supported: {@link Map} (keys via {@link String#valueOf}),
     * {@link Iterable}, {@code Object[]} and primitive arrays ({@code char[]} becomes a string, every
     * other primitive array a JSON array of numbers or booleans), {@link CharSequence},
     * {@link Character}, {@link Boolean}, {@code null}, {@link Long}, {@link Integer}, {@link Short},
     * {@link Byte}, {@link BigInteger}, {@link BigDecimal}, finite {@link Double} and {@link Float}, and
     * {@link Instant} (as an RFC 3339 string).
     *
     * @param value the value to write
     * @return its compact JSON text
     * @throws IllegalArgumentException for any other type (the message names the class), a NaN or
     *                                  infinite number, or nesting deeper than {@link #MAX_DEPTH} (which
     *                                  is how a cyclic structure shows up)
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder(64);
        write(out, value, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, int depth) {
        switch (value) {
            case null -> out.append("null");
            case String s -> writeString(out, s);
            case Boolean b -> out.append(b.booleanValue());
            case Long n -> out.append(n.longValue());
            case Integer n -> out.append(n.intValue());
            case Map<?, ?> map -> {
                checkDepth(depth);
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    writeString(out, String.valueOf(e.getKey()));
                    out.append(':');
                    write(out, e.getValue(), depth + 1);
                }
                out.append('}');
            }
            case Iterable<?> items -> {
                checkDepth(depth);
                out.append('[');
                boolean first = true;
                for (Object item : items) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    write(out, item, depth + 1);
                }
                out.append(']');
            }
            case Object[] items -> {
                checkDepth(depth);
                out.append('[');
                for (int i = 0; i < items.length; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(out, items[i], depth + 1);
                }
                out.append(']');
            }
            case BigInteger n -> out.append(n);
            case BigDecimal n -> out.append(decimalText(n));
            case Double n -> out.append(finite(n.doubleValue()));
            case Float n -> {
                // Float's own toString: widening first would print 0.1f as 0.10000000149011612.
                finite(n.floatValue());
                out.append(n.floatValue());
            }
            case Short n -> out.append(n.shortValue());
            case Byte n -> out.append(n.byteValue());
            case CharSequence s -> writeString(out, s.toString());
            case Character c -> writeString(out, String.valueOf(c.charValue()));
            case Instant t -> writeString(out, t.toString());
            case char[] chars -> writeString(out, new String(chars));
            // Arrays of primitives: each element boxed and written as above.
            case Object array when array.getClass().isArray() -> {
                checkDepth(depth);
                out.append('[');
                for (int i = 0; i < java.lang.reflect.Array.getLength(array); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(out, java.lang.reflect.Array.get(array, i), depth + 1);
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException(
                    "cannot write " + value.getClass().getName() + " as JSON");
        }
    }

    private static void checkDepth(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException(
                    "cannot write JSON nested deeper than " + MAX_DEPTH + " (is the structure cyclic?)");
        }
    }

    private static double finite(double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("cannot write " + d + " as JSON");
        }
        return d;
    }

    /** Plain digits normally; E notation when plain text would be mostly padding zeros (1E+1000000). */
    private static String decimalText(BigDecimal n) {
        long scale = n.scale();
        long zeros = scale < 0 ? -scale : Math.max(0, scale - n.precision());
        return zeros <= MAX_PLAIN_ZEROS ? n.toPlainString() : n.toString();
    }

    /**
     * Appends {@code s} as a JSON string. Escapes what RFC 8259 requires, plus U+2028/U+2029 (line
     * terminators to JavaScript) and unpaired surrogates (as {@code \}{@code uXXXX}, because they
     * cannot be encoded in UTF-8 and would otherwise turn into '?' on the wire).
     */
    static void writeString(StringBuilder out, String s) {
        out.append('"');
        int n = s.length();
        int done = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x2028 && c != '"' && c != '\\') {
                continue; // the common case: nothing to escape
            }
            String esc;
            switch (c) {
                case '"' -> esc = "\\\"";
                case '\\' -> esc = "\\\\";
                case '\n' -> esc = "\\n";
                case '\t' -> esc = "\\t";
                case '\r' -> esc = "\\r";
                case '\b' -> esc = "\\b";
                case '\f' -> esc = "\\f";
                default -> {
                    if (c >= 0x20 && c != '\u2028' && c != '\u2029') {
                        if (!Character.isSurrogate(c)) {
                            continue;
                        }
                        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                            i++; // a well-formed pair stays as is
                            continue;
                        }
                    }
                    esc = null;
                }
            }
            out.append(s, done, i);
            if (esc != null) {
                out.append(esc);
            } else {
                out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf])
                        .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            }
            done = i + 1;
        }
        out.append(s, done, n).append('"');
    }

    /** Describes a character for an error message without echoing anything unprintable. */
    static String describe(char c) {
        if (c >= 0x21 && c < 0x7f) {
            return "'" + c + "'";
        }
        return String.format("U+%04X", (int) c);
    }

    /** Recursive-descent parser over one string; not reusable. */
    private static final class Parser {
        final String s;
        final int len;
        int pos;
        int depth;

        Parser(String s) {
            this.s = s;
            this.len = s.length();
        }

        void skipWhitespace() {
            while (pos < len) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return;
                }
                pos++;
            }
        }

        void end() {
            skipWhitespace();
            if (pos < len) {
                throw new JsonException("unexpected " + describe(s.charAt(pos)) + " after the JSON value", pos);
            }
        }

        JsonException unexpected(String expected) {
            if (pos >= len) {
                return new JsonException("unexpected end of input, expected " + expected, pos);
            }
            return new JsonException("expected " + expected + " but found " + describe(s.charAt(pos)), pos);
        }

        Object value() {
            skipWhitespace();
            if (pos >= len) {
                throw unexpected("a value");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> number();
                case 'N', 'I' -> throw new JsonException("NaN and Infinity are not valid JSON", pos);
                default -> throw unexpected("a value");
            };
        }

        Object literal(String word, Object value) {
            if (!s.startsWith(word, pos)) {
                throw new JsonException("invalid literal, expected '" + word + "'", pos);
            }
            pos += word.length();
            return value;
        }

        void enter() {
            if (++depth > MAX_DEPTH) {
                throw new JsonException("nesting deeper than " + MAX_DEPTH, pos);
            }
            pos++; // the opening bracket
        }

        Map<String, Object> object() {
            enter();
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (pos < len && s.charAt(pos) == '}') {
                pos++;
                depth--;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (pos >= len || s.charAt(pos) != '"') {
                    if (pos < len && s.charAt(pos) == '}') {
                        throw new JsonException("trailing comma in object", pos);
                    }
                    throw unexpected("a string key");
                }
                int keyAt = pos;
                String key = string();
                skipWhitespace();
                if (pos >= len || s.charAt(pos) != ':') {
                    throw unexpected("':'");
                }
                pos++;
                Object value = value();
                int size = map.size();
                map.put(key, value);
                // Go keeps the last of duplicate keys, other parsers the first; refusing them means
                // no two components can read one document differently.
                if (map.size() == size) {
                    throw new JsonException("duplicate key \"" + abbreviate(key) + "\"", keyAt);
                }
                if (!nextOrClose('}')) {
                    return map;
                }
            }
        }

        List<Object> array() {
            enter();
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (pos < len && s.charAt(pos) == ']') {
                pos++;
                depth--;
                return list;
            }
            while (true) {
                skipWhitespace();
                if (pos < len && s.charAt(pos) == ']') {
                    throw new JsonException("trailing comma in array", pos);
                }
                list.add(value());
                if (!nextOrClose(']')) {
                    return list;
                }
            }
        }

        /**
         * After a member or element: consumes ',' (true: another follows) or {@code close} (false:
         * the object or array has ended).
         */
        private boolean nextOrClose(char close) {
            skipWhitespace();
            if (pos < len) {
                char c = s.charAt(pos);
                if (c == ',') {
                    pos++;
                    return true;
                }
                if (c == close) {
                    pos++;
                    depth--;
                    return false;
                }
            }
            throw unexpected("',' or '" + close + "'");
        }

        /** Reads a string; pos is at the opening quote. Without escapes it is a single substring. */
        String string() {
            int start = pos + 1;
            for (int i = start; i < len; i++) {
                char c = s.charAt(i);
                if (c == '"') {
                    pos = i + 1;
                    return s.substring(start, i);
                }
                if (c == '\\') {
                    pos = i;
                    return escapedString(new StringBuilder(i - start + 16).append(s, start, i));
                }
                if (c < 0x20) {
                    throw new JsonException("unescaped control character " + describe(c) + " in string", i);
                }
            }
            throw new JsonException("unterminated string", pos);
        }

        private String escapedString(StringBuilder sb) {
            while (pos < len) {
                char c = s.charAt(pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                if (c < 0x20) {
                    throw new JsonException("unescaped control character " + describe(c) + " in string", pos);
                }
                if (c != '\\') {
                    sb.append(c);
                    pos++;
                    continue;
                }
                if (pos + 1 >= len) {
                    break;
                }
                char e = s.charAt(pos + 1);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        // Surrogates, paired or not, are taken as the UTF-16 units they name.
                        int code = 0;
                        for (int k = pos + 2; k < pos + 6; k++) {
                            int d = k < len ? Character.digit(s.charAt(k), 16) : -1;
                            if (d < 0 || s.charAt(k) > 'f') { // Character.digit also takes fullwidth digits
                                throw new JsonException("invalid \\u escape, expected 4 hex digits", pos);
                            }
                            code = code << 4 | d;
                        }
                        sb.append((char) code);
                        pos += 4;
                    }
                    default -> throw new JsonException("invalid escape '\\" + (e >= 0x21 && e < 0x7f
                            ? String.valueOf(e) : describe(e)) + "' in string", pos);
                }
                pos += 2;
            }
            throw new JsonException("unterminated string", len);
        }

        Object number() {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
                if (pos < len && s.charAt(pos) == 'I') {
                    throw new JsonException("NaN and Infinity are not valid JSON", start);
                }
            }
            if (pos >= len || !isDigit(s.charAt(pos))) {
                throw unexpected("a digit");
            }
            if (s.charAt(pos) == '0') {
                pos++;
                if (pos < len && isDigit(s.charAt(pos))) {
                    throw new JsonException("leading zero in number", start);
                }
            } else {
                skipDigits();
            }
            boolean integral = true;
            if (pos < len && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                if (pos >= len || !isDigit(s.charAt(pos))) {
                    throw unexpected("a digit after '.'");
                }
                skipDigits();
            }
            if (pos < len && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < len && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos >= len || !isDigit(s.charAt(pos))) {
                    throw unexpected("a digit in the exponent");
                }
                skipDigits();
            }
            int end = pos;
            if (end - start > MAX_NUMBER_LENGTH) {
                throw new JsonException("number longer than " + MAX_NUMBER_LENGTH + " characters", start);
            }
            if (integral) {
                // Up to 18 digits always fits a long; only longer literals need the overflow check.
                if (end - start <= 18) {
                    return Long.parseLong(s, start, end, 10);
                }
                String text = s.substring(start, end);
                BigInteger big = new BigInteger(text);
                return big.bitLength() < 64 ? (Object) big.longValue() : big;
            }
            try {
                return new BigDecimal(s.substring(start, end));
            } catch (NumberFormatException e) {
                // Only an exponent beyond the int range gets here.
                throw new JsonException("number out of range", start);
            }
        }

        private void skipDigits() {
            while (pos < len && isDigit(s.charAt(pos))) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    /** At most 32 characters of a key, control characters replaced, for error messages. */
    private static String abbreviate(String key) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(key.length(), 32);
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            sb.append(c < 0x20 || c == '"' ? '?' : c);
        }
        return key.length() > 32 ? sb.append("...").toString() : sb.toString();
    }
}
