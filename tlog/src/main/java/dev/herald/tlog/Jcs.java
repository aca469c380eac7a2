package dev.herald.tlog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The subset of RFC 8785 (JSON Canonicalization Scheme) that log leaves use: objects, strings and
 * integers, nothing else. Within it, JCS is simple: members sorted by the UTF-16 code units of their
 * names ({@link String#compareTo} is exactly that order), no whitespace, strings with the minimal
 * escapes of RFC 8785 §3.2.2.2, integers in plain decimal. Integers are limited to ±(2^53 − 1): JCS
 * serializes numbers as IEEE 754 doubles, which are exact only up to there, so a larger value would
 * have no canonical form a JavaScript or Go verifier agrees with.
 *
 * <p>Values are {@code Map<String, ?>} (objects), {@link String} and {@link Long} (or
 * {@link Integer} when encoding). {@link #parse} reads any JSON text of the subset (whitespace
 * allowed) and {@link #parseCanonical} only the canonical bytes, which is what a verifier of a leaf
 * uses: one event has exactly one leaf.
 */
public final class Jcs {
    /** The largest integer with an exact, canonical JCS form. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    /** Inputs larger than this are refused before parsing (leaves fit in an entry bundle). */
    public static final int MAX_BYTES = EntryBundle.MAX_ENTRY;
    /** Objects nested deeper than this are refused. */
    public static final int MAX_DEPTH = 16;

    private Jcs() {}

    /**
     * {@return its canonical UTF-8 bytes}
     *
     * @param value a {@code Map<String, ?>}, {@link String}, {@link Long} or {@link Integer}, nested
     * @throws IllegalArgumentException for anything outside the subset (another type, an integer
     *     beyond ±(2^53 − 1), a string with an unpaired surrogate, nesting deeper than {@link #MAX_DEPTH})
     */
    public static byte[] encode(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 0);
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(StringBuilder b, Object value, int depth) {
        switch (value) {
            case String s -> writeString(b, s);
            case Long l -> writeInteger(b, l);
            case Integer i -> writeInteger(b, i);
            case Map<?, ?> m -> {
                if (depth >= MAX_DEPTH) {
                    throw new IllegalArgumentException("objects nested deeper than " + MAX_DEPTH);
                }
                TreeMap<String, Object> sorted = new TreeMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) {
                        throw new IllegalArgumentException("a member name that is not a string");
                    }
                    sorted.put(k, e.getValue());
                }
                b.append('{');
                boolean first = true;
                for (Map.Entry<String, Object> e : sorted.entrySet()) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    writeString(b, e.getKey());
                    b.append(':');
                    write(b, e.getValue(), depth + 1);
                }
                b.append('}');
            }
            case null -> throw new IllegalArgumentException("null is not in the leaf subset of JSON");
            default -> throw new IllegalArgumentException(value.getClass().getSimpleName() + " is not in the leaf subset of JSON");
        }
    }

    private static void writeInteger(StringBuilder b, long l) {
        if (l > MAX_SAFE_INTEGER || l < -MAX_SAFE_INTEGER) {
            throw new IllegalArgumentException("integer beyond ±(2^53 − 1)");
        }
        b.append(l);
    }

    private static void writeString(StringBuilder b, String s) {
        if (!Encoding.isWellFormed(s)) {
            throw new IllegalArgumentException("a string with an unpaired surrogate");
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /**
     * Whether {@code bytes} are the canonical encoding of a value of the subset.
     *
     * @param bytes candidate bytes
     * @return true if {@link #parseCanonical} accepts them
     */
    public static boolean isCanonical(byte[] bytes) {
        try {
            parseCanonical(bytes);
            return true;
        } catch (MalformedException e) {
            return false;
        }
    }

    /**
     * Parses bytes that must be canonical: parses, re-encodes and compares.
     *
     * @param bytes the bytes (a leaf)
     * @return the value
     * @throws MalformedException if they are not JSON of the subset, or not its canonical encoding
     */
    public static Object parseCanonical(byte[] bytes) throws MalformedException {
        Object v = parse(bytes);
        if (!Arrays.equals(encode(v), bytes)) {
            throw new MalformedException("JSON that is not in its canonical (RFC 8785) form");
        }
        return v;
    }

    /**
     * Parses JSON text of the subset strictly (RFC 8259 grammar; whitespace allowed; no duplicate
     * member names; no arrays, literals, fractions or exponents).
     *
     * @param bytes UTF-8 JSON text
     * @return an unmodifiable {@code Map<String, Object>} (in input order), a {@link String} or a {@link Long}
     * @throws MalformedException if it is not JSON of the subset
     */
    public static Object parse(byte[] bytes) throws MalformedException {
        if (bytes.length > MAX_BYTES) {
            throw new MalformedException("JSON of more than " + MAX_BYTES + " bytes");
        }
        String text = Encoding.utf8(bytes, "JSON");
        Parser p = new Parser(text);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.at != text.length()) {
            throw p.error("text after the JSON value");
        }
        return v;
    }

    /** A recursive-descent parser over the decoded text, bounded by {@link #MAX_DEPTH}. */
    private static final class Parser {
        private final String s;
        private int at;

        Parser(String s) {
            this.s = s;
        }

        MalformedException error(String what) {
            return new MalformedException(what + " at character " + at);
        }

        void skipSpace() {
            while (at < s.length() && (s.charAt(at) == ' ' || s.charAt(at) == '\t' || s.charAt(at) == '\n' || s.charAt(at) == '\r')) {
                at++;
            }
        }

        Object value(int depth) throws MalformedException {
            if (at >= s.length()) {
                throw error("JSON ends where a value was expected");
            }
            char c = s.charAt(at);
            if (c == '{') {
                return object(depth);
            }
            if (c == '"') {
                return string();
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                return integer();
            }
            throw error(c == '[' || c == 't' || c == 'f' || c == 'n' ? "a JSON value outside the leaf subset (arrays, true, false, null)" : "not a JSON value");
        }

        Map<String, Object> object(int depth) throws MalformedException {
            if (depth >= MAX_DEPTH) {
                throw error("objects nested deeper than " + MAX_DEPTH);
            }
            at++; // {
            Map<String, Object> m = new LinkedHashMap<>();
            skipSpace();
            if (at < s.length() && s.charAt(at) == '}') {
                at++;
                return Collections.unmodifiableMap(m);
            }
            while (true) {
                skipSpace();
                if (at >= s.length() || s.charAt(at) != '"') {
                    throw error("a member name was expected");
                }
                String name = string();
                skipSpace();
                if (at >= s.length() || s.charAt(at) != ':') {
                    throw error("':' was expected");
                }
                at++;
                skipSpace();
                Object v = value(depth + 1);
                if (m.put(name, v) != null) {
                    throw error("a duplicate member name");
                }
                skipSpace();
                if (at >= s.length()) {
                    throw error("an object is not closed");
                }
                char c = s.charAt(at++);
                if (c == '}') {
                    return Collections.unmodifiableMap(m);
                }
                if (c != ',') {
                    throw error("',' or '}' was expected");
                }
            }
        }

        String string() throws MalformedException {
            at++; // "
            StringBuilder b = new StringBuilder();
            while (true) {
                if (at >= s.length()) {
                    throw error("a string is not closed");
                }
                char c = s.charAt(at++);
                if (c == '"') {
                    break;
                }
                if (c < 0x20) {
                    throw error("a control character in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (at >= s.length()) {
                    throw error("a string ends inside an escape");
                }
                char e = s.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (at + 4 > s.length()) {
                            throw error("a short \\u escape");
                        }
                        int v = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(s.charAt(at + i), 16);
                            if (d < 0 || s.charAt(at + i) > 'f') {
                                throw error("a bad \\u escape");
                            }
                            v = v * 16 + d;
                        }
                        at += 4;
                        b.append((char) v);
                    }
                    default -> throw error("an unknown escape");
                }
            }
            String out = b.toString();
            if (!Encoding.isWellFormed(out)) {
                throw error("a string with an unpaired surrogate");
            }
            return out;
        }

        Long integer() throws MalformedException {
            int start = at;
            if (s.charAt(at) == '-') {
                at++;
            }
            int digits = at;
            while (at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '9') {
                at++;
            }
            if (at == digits) {
                throw error("a number without digits");
            }
            if (at - digits > 1 && s.charAt(digits) == '0') {
                throw error("a number with a leading zero");
            }
            if (at < s.length() && (s.charAt(at) == '.' || s.charAt(at) == 'e' || s.charAt(at) == 'E')) {
                throw error("a number with a fraction or an exponent (the leaf subset has integers only)");
            }
            if (at - digits > 16) {
                throw error("an integer beyond ±(2^53 − 1)");
            }
            long v = Long.parseLong(s.substring(start, at));
            if (v > MAX_SAFE_INTEGER || v < -MAX_SAFE_INTEGER) {
                throw error("an integer beyond ±(2^53 − 1)");
            }
            return v;
        }
    }
}
