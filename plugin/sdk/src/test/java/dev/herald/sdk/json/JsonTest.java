package dev.herald.sdk.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    private static JsonException rejects(String text) {
        return assertThrows(JsonException.class, () -> Json.parse(text), text);
    }

    // ---- structure ----------------------------------------------------------------------------

    @Test
    void parsesNestedStructureKeepingKeyOrder() {
        Object v = Json.parse(" {\"z\":1, \"a\":[true,false,null,\"s\"], \"m\":{\"k\":{}} ,\"e\":[]}\n");
        Map<?, ?> map = assertInstanceOf(LinkedHashMap.class, v);
        assertEquals(List.of("z", "a", "m", "e"), new ArrayList<>(map.keySet()));
        assertEquals(1L, map.get("z"));
        List<?> a = assertInstanceOf(ArrayList.class, map.get("a"));
        assertEquals(Arrays.asList(true, false, null, "s"), a);
        assertEquals(Map.of("k", Map.of()), map.get("m"));
        assertEquals(List.of(), map.get("e"));
    }

    @Test
    void parsedContainersAreMutable() {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) Json.parse("{\"a\":[1]}");
        map.put("b", 2L);
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) map.get("a");
        list.add(3L);
        assertEquals("{\"a\":[1,3],\"b\":2}", Json.write(map));
    }

    @Test
    void scalarsAtTopLevel() {
        assertEquals("x", Json.parse("\"x\""));
        assertEquals(Boolean.TRUE, Json.parse(" true "));
        assertNull(Json.parse("null"));
        assertEquals(-7L, Json.parse("-7"));
    }

    @Test
    void roundTripIsStable() {
        String text = "{\"name\":\"r\\u00e9le \\\"x\\\"\\n\",\"ttl\":3600,\"big\":123456789012345678901234567890,"
                + "\"rate\":0.25,\"tags\":[\"a\",\"b\"],\"nested\":{\"on\":false,\"none\":null},\"e\":[]}";
        Object parsed = Json.parse(text);
        String written = Json.write(parsed);
        assertEquals(parsed, Json.parse(written));
        assertEquals(written, Json.write(Json.parse(written)));
        // The writer leaves é raw, so the output differs from the input only there.
        assertEquals(text.replace("\\u00e9", "\u00e9"), written);
    }

    // ---- numbers ------------------------------------------------------------------------------

    @Test
    void integralNumbersAreLongsUntilTheyOverflow() {
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(123456789012345678L, Json.parse("123456789012345678"));
        assertEquals(new BigInteger("9223372036854775808"), Json.parse("9223372036854775808"));
        assertEquals(new BigInteger("-9223372036854775809"), Json.parse("-9223372036854775809"));
        assertEquals(new BigInteger("100000000000000000000000000000"), Json.parse("100000000000000000000000000000"));
    }

    @Test
    void negativeZero() {
        assertEquals(0L, Json.parse("-0"));
        BigDecimal d = assertInstanceOf(BigDecimal.class, Json.parse("-0.0"));
        assertEquals(0, d.signum());
        assertEquals(1, d.scale());
    }

    @Test
    void nonIntegralNumbersAreExactDecimals() {
        assertEquals(new BigDecimal("0.1"), Json.parse("0.1")); // exactly, not 0.1000000000000000055...
        assertEquals(new BigDecimal("2.50"), Json.parse("2.50")); // scale kept
        assertEquals(new BigDecimal("1E+2"), Json.parse("1e2"));
        assertEquals(new BigDecimal("1E+2"), Json.parse("1E+2"));
        assertEquals(new BigDecimal("-1.5E-3"), Json.parse("-1.5e-3"));
        assertEquals(new BigDecimal("1.0"), Json.parse("1.0")); // a '.' makes it decimal even if integral
        assertInstanceOf(BigDecimal.class, Json.parse("1e0"));
        assertEquals(new BigDecimal("1E+999"), Json.parse("1e999")); // no overflow to Infinity
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "01|leading zero in number at offset 0",
        "-01|leading zero in number at offset 0",
        "[1,00]|leading zero in number at offset 3",
        "1.|unexpected end of input, expected a digit after '.' at offset 2",
        "1.e5|expected a digit after '.' but found 'e' at offset 2",
        "1e|unexpected end of input, expected a digit in the exponent at offset 2",
        "1e+|unexpected end of input, expected a digit in the exponent at offset 3",
        "-|unexpected end of input, expected a digit at offset 1",
        "- 1|expected a digit but found U+0020 at offset 1",
        ".5|expected a value but found '.' at offset 0",
        "+1|expected a value but found '+' at offset 0",
        "0x10|unexpected 'x' after the JSON value at offset 1",
        "NaN|NaN and Infinity are not valid JSON at offset 0",
        "Infinity|NaN and Infinity are not valid JSON at offset 0",
        "[-Infinity]|NaN and Infinity are not valid JSON at offset 1",
        "1e99999999999|number out of range at offset 0",
    })
    void rejectsBadNumbers(String text, String message) {
        assertEquals(message, rejects(text).getMessage());
    }

    @Test
    void rejectsOverlongNumbersBeforeConvertingThem() {
        String digits = "1".repeat(Json.MAX_NUMBER_LENGTH + 1);
        JsonException e = rejects("[" + digits + "]");
        assertEquals("number longer than 1000 characters at offset 1", e.getMessage());
        assertEquals(1, e.offset());
        assertInstanceOf(BigInteger.class, Json.parse(digits.substring(1)));
    }

    // ---- strings ------------------------------------------------------------------------------

    @Test
    void decodesEveryEscape() {
        assertEquals("\" \\ / \b \f \n \r \t \u0000 \u00e9 \uffff",
                Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u00E9 \\uFFFF\""));
        assertEquals("a\u00e9\ud83d\ude00z", Json.parse("\"a\u00e9\ud83d\ude00z\"")); // raw non-ASCII kept
        assertEquals("\ud83d\ude00", Json.parse("\"\\ud83d\\ude00\"")); // escaped pair joins up
    }

    @Test
    void loneSurrogatesPassThrough() {
        assertEquals("\ud800x", Json.parse("\"\\ud800x\""));
        assertEquals("x\udc00", Json.parse("\"x\udc00\""));
        // ...and the writer escapes them so the text stays valid UTF-8, and they survive a round trip.
        assertEquals("\"\\ud800x\\udc00\"", Json.write("\ud800x\udc00"));
        assertEquals("\ud800x\udc00", Json.parse(Json.write("\ud800x\udc00")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "\"a\\qb\"|invalid escape '\\q' in string at offset 2",
        "\"\\x41\"|invalid escape '\\x' in string at offset 1",
        "\"\\'\"|invalid escape '\\'' in string at offset 1",
        "\"\\u12\"|invalid \\u escape, expected 4 hex digits at offset 1",
        "\"\\u12G4\"|invalid \\u escape, expected 4 hex digits at offset 1",
        "\"abc|unterminated string at offset 0",
        "\"ab\\\"|unterminated string at offset 5",
        "'a'|expected a value but found ''' at offset 0",
    })
    void rejectsBadStrings(String text, String message) {
        assertEquals(message, rejects(text).getMessage());
    }

    @Test
    void rejectsFullwidthHexDigits() {
        // Character.digit accepts U+FF11 as 1; JSON does not.
        assertEquals("invalid \\u escape, expected 4 hex digits at offset 1",
                rejects("\"\\u00\uff11\uff11\"").getMessage());
    }

    @Test
    void rejectsRawControlCharactersInStrings() {
        assertEquals("unescaped control character U+000A in string at offset 2", rejects("\"a\nb\"").getMessage());
        assertEquals("unescaped control character U+0000 in string at offset 1", rejects("\"\u0000\"").getMessage());
        // also after an escape, on the slow path
        assertEquals("unescaped control character U+001F in string at offset 3", rejects("\"\\n\u001f\"").getMessage());
        assertEquals("\u007f", Json.parse("\"\u007f\"")); // DEL is not a control character to JSON
    }

    // ---- structure errors --------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "[1,]|trailing comma in array at offset 3",
        "[1, ]|trailing comma in array at offset 4",
        "{\"a\":1,}|trailing comma in object at offset 7",
        "[,1]|expected a value but found ',' at offset 1",
        "[1 2]|expected ',' or ']' but found '2' at offset 3",
        "[1|unexpected end of input, expected ',' or ']' at offset 2",
        "{\"a\" 1}|expected ':' but found '1' at offset 5",
        "{\"a\":1 \"b\":2}|expected ',' or '}' but found '\"' at offset 7",
        "{a:1}|expected a string key but found 'a' at offset 1",
        "{\"a\":}|expected a value but found '}' at offset 5",
        "{\"a\":1,\"a\":2}|duplicate key \"a\" at offset 7",
        "{} {}|unexpected '{' after the JSON value at offset 3",
        "[]]|unexpected ']' after the JSON value at offset 2",
        "nul|invalid literal, expected 'null' at offset 0",
        "True|expected a value but found 'T' at offset 0",
        "truex|unexpected 'x' after the JSON value at offset 4",
        "[true,fals]|invalid literal, expected 'false' at offset 6",
        "''|expected a value but found ''' at offset 0",
    })
    void rejectsBadStructure(String text, String message) {
        assertEquals(message, rejects(text).getMessage());
    }

    @Test
    void rejectsEmptyInput() {
        assertEquals("unexpected end of input, expected a value at offset 0", rejects("").getMessage());
        assertEquals("unexpected end of input, expected a value at offset 3", rejects(" \n\t").getMessage());
    }

    @Test
    void onlyJsonWhitespaceIsSkipped() {
        assertEquals(1L, Json.parse("\t\r\n 1 \t\r\n"));
        assertEquals("unexpected U+00A0 after the JSON value at offset 1", rejects("1\u00a0").getMessage());
        assertEquals("expected a value but found U+FEFF at offset 0", rejects("\ufeff{}").getMessage());
    }

    @Test
    void messagesQuoteLittleOfTheInput() {
        String secret = "s3cr3t-".repeat(20);
        for (String text : List.of("{\"" + secret + "\":1,\"" + secret + "\":2}",
                "{\"k\":\"" + secret + "\" x}", "\"" + secret, "[\"" + secret + "\\z\"]")) {
            String message = rejects(text).getMessage();
            assertTrue(message.length() < 90, message);
            assertTrue(!message.contains(secret.substring(0, 41)), message);
        }
    }

    @Test
    void depthLimit() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertInstanceOf(List.class, Json.parse(ok));
        String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertEquals("nesting deeper than 64 at offset 64", rejects(tooDeep).getMessage());
        // Mixed objects and arrays count together, and closing brackets give depth back.
        String mixed = "{\"a\":".repeat(32) + "[".repeat(32) + "]".repeat(32) + "}".repeat(32);
        assertInstanceOf(Map.class, Json.parse(mixed));
        assertEquals("nesting deeper than 64 at offset 192",
                rejects("{\"a\":".repeat(32) + "[".repeat(33) + "]".repeat(33) + "}".repeat(32)).getMessage());
        // 600 levels of objects, as a hostile request body nests them: refused at the 65th.
        assertEquals("nesting deeper than 64 at offset 320",
                rejects("{\"a\":".repeat(600) + "1" + "}".repeat(600)).getMessage());
        String siblings = "[" + String.join(",", java.util.Collections.nCopies(600, "[[]]")) + "]";
        assertEquals(600, ((List<?>) Json.parse(siblings)).size());
        // A hostile depth fails cleanly rather than with StackOverflowError.
        rejects("[".repeat(1_000_000));
    }

    // ---- parseObject ---------------------------------------------------------------------------

    @Test
    void parseObjectTreatsVaultsNullBodyAsEmpty() {
        for (String text : new String[] {"null", " null\n", "", "  \n\t", null}) {
            Map<String, Object> map = Json.parseObject(text);
            assertTrue(map.isEmpty());
            map.put("x", 1L); // callers may add defaults
        }
        assertEquals(Map.of("a", 1L), Json.parseObject("{\"a\":1}"));
    }

    @Test
    void parseObjectRejectsOtherValues() {
        assertEquals("expected a JSON object, found an array at offset 1",
                assertThrows(JsonException.class, () -> Json.parseObject(" [1]")).getMessage());
        assertEquals("expected a JSON object, found a string at offset 0",
                assertThrows(JsonException.class, () -> Json.parseObject("\"{}\"")).getMessage());
        assertEquals("expected a JSON object, found a number at offset 0",
                assertThrows(JsonException.class, () -> Json.parseObject("0")).getMessage());
        assertEquals("expected a JSON object, found a boolean at offset 0",
                assertThrows(JsonException.class, () -> Json.parseObject("false")).getMessage());
        assertEquals("invalid literal, expected 'null' at offset 0",
                assertThrows(JsonException.class, () -> Json.parseObject("nil")).getMessage());
        assertEquals("unexpected '{' after the JSON value at offset 5",
                assertThrows(JsonException.class, () -> Json.parseObject("null {}")).getMessage());
    }

    @Test
    void jsonExceptionIsAnIllegalArgumentException() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("[1,]"));
        assertEquals(3, assertInstanceOf(JsonException.class, e).offset());
    }

    // ---- write -------------------------------------------------------------------------------

    @Test
    void writesEscapes() {
        assertEquals("\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\\u0001\u007f\"",
                Json.write("\"\\/\b\f\n\r\t\u0000\u001f\u0001\u007f"));
        assertEquals("\"a\\u2028b\\u2029c\"", Json.write("a\u2028b\u2029c"));
        assertEquals("\"\u00e9\u4e2d\ud83d\ude00\u2027\u202a\"", Json.write("\u00e9\u4e2d\ud83d\ude00\u2027\u202a"));
        assertEquals("\"plain\"", Json.write("plain"));
        assertEquals("\"\"", Json.write(""));
    }

    @Test
    void everyCharRoundTrips() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0xd800; c++) {
            all.append(c);
        }
        all.append("\ud83d\ude00");
        for (char c = 0xe000; c != 0; c++) {
            all.append(c);
        }
        String s = all.toString();
        assertEquals(s, Json.parse(Json.write(s)));
        assertEquals(s, Json.parse(Json.write(new StringBuilder(s)))); // CharSequence
    }

    @Test
    void writesNumbers() {
        assertEquals("[1,-2,3,4,18446744073709551616,1.50,-0.001,2.0,0.1,1.0E20,-0.0,0.1]",
                Json.write(List.of(1L, -2, (short) 3, (byte) 4, BigInteger.TWO.pow(64), new BigDecimal("1.50"),
                        new BigDecimal("-0.001"), 2.0, 0.1, 1e20, -0.0, 0.1f)));
        assertEquals("100000000000000000000", Json.write(new BigDecimal("1E+20")));
        assertEquals("0.00000000000000000001", Json.write(new BigDecimal("1E-20")));
        // Huge exponents stay short instead of expanding into a million zeros, and still parse back.
        assertEquals("1E+1000000", Json.write(new BigDecimal("1E+1000000")));
        assertEquals("1.5E-1000", Json.write(new BigDecimal("1.5E-1000")));
        assertEquals(new BigDecimal("1.5E-1000"), Json.parse(Json.write(new BigDecimal("1.5E-1000"))));
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void refusesNonFiniteNumbers(double d) {
        assertEquals("cannot write " + d + " as JSON",
                assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of("x", d))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.write((float) d));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new double[] {1, d}));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new float[] {(float) d}));
    }

    @Test
    void writesArraysAndOtherSupportedTypes() {
        assertEquals("[1,2]", Json.write(new int[] {1, 2}));
        assertEquals("[-1,9223372036854775807]", Json.write(new long[] {-1, Long.MAX_VALUE}));
        assertEquals("[1,-128]", Json.write(new byte[] {1, (byte) 0x80})); // numbers, not base64
        assertEquals("[7]", Json.write(new short[] {7}));
        assertEquals("[true,false]", Json.write(new boolean[] {true, false}));
        assertEquals("[0.5,1.0]", Json.write(new double[] {0.5, 1}));
        assertEquals("[0.1]", Json.write(new float[] {0.1f}));
        assertEquals("\"pa\\\"ss\"", Json.write(new char[] {'p', 'a', '"', 's', 's'}));
        assertEquals("[]", Json.write(new Object[0]));
        assertEquals("[\"a\",null,[1]]", Json.write(new Object[] {"a", null, new int[] {1}}));
        assertEquals("[\"x\"]", Json.write(Set.of("x")));
        assertEquals("\"\\n\"", Json.write('\n'));
        assertEquals("\"2024-02-29T12:00:00.500Z\"", Json.write(Instant.parse("2024-02-29T12:00:00.500Z")));
        assertEquals("null", Json.write(null));
        assertEquals("true", Json.write(true));
    }

    @Test
    void writesMapKeysAsStrings() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(1, "one");
        map.put(null, List.of());
        map.put("q\"", Map.of());
        assertEquals("{\"1\":\"one\",\"null\":[],\"q\\\"\":{}}", Json.write(map));
    }

    @Test
    void refusesUnsupportedTypesNamingThem() {
        assertEquals("cannot write java.time.Duration as JSON",
                assertThrows(IllegalArgumentException.class,
                        () -> Json.write(List.of(java.time.Duration.ofSeconds(1)))).getMessage());
        assertEquals("cannot write java.util.concurrent.atomic.AtomicLong as JSON",
                assertThrows(IllegalArgumentException.class,
                        () -> Json.write(new java.util.concurrent.atomic.AtomicLong())).getMessage());
        assertEquals("cannot write java.lang.Object as JSON",
                assertThrows(IllegalArgumentException.class, () -> Json.write(new Object())).getMessage());
    }

    @Test
    void refusesCyclesAndExcessiveDepth() {
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.write(cyclic));
        assertTrue(e.getMessage().contains("deeper than 64"), e.getMessage());
        Object deep = List.of();
        for (int i = 1; i < Json.MAX_DEPTH; i++) {
            deep = List.of(deep);
        }
        assertEquals(Json.MAX_DEPTH * 2, Json.write(deep).length()); // 64 levels are fine, as in parse
        Object tooDeep = new Object[] {deep};
        assertThrows(IllegalArgumentException.class, () -> Json.write(tooDeep));
    }
}
