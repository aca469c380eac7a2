package dev.herald.tlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JcsTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rfc8785SortingExample() throws MalformedException {
        // RFC 8785 §3.2.3: names sort by UTF-16 code units (the emoji's high surrogate before U+FB33).
        String input = """
            {
              "\\u20ac": "Euro Sign",
              "\\r": "Carriage Return",
              "\\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\\ud83d\\ude00": "Emoji: Grinning Face",
              "\\u0080": "Control",
              "\\u00f6": "Latin Small Letter O With Diaeresis"
            }""";
        String expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
                + "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        Object v = Jcs.parse(utf8(input));
        assertArrayEquals(utf8(expected), Jcs.encode(v));
        assertFalse(Jcs.isCanonical(utf8(input)));
        assertTrue(Jcs.isCanonical(utf8(expected)));
    }

    @Test
    void rfc8785StringExample() throws MalformedException {
        // The "string" member of RFC 8785 §3.2.4's example (its numbers and literals are outside the subset).
        String input = "{\"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\"}";
        String expected = "{\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertArrayEquals(utf8(expected), Jcs.encode(Jcs.parse(utf8(input))));
    }

    @Test
    void escapesAreMinimal() {
        assertEquals("\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\"\\\\/\u007f\u0080\u2028\u2029\ud83d\ude00\"",
                new String(Jcs.encode("\u0000\u0001\b\t\n\u000b\f\r\u001f \"\\/\u007f\u0080\u2028\u2029\ud83d\ude00"), StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> Jcs.encode("\ud800"));
        assertThrows(IllegalArgumentException.class, () -> Jcs.encode("\ude00x"));
    }

    @Test
    void integersAndNesting() throws MalformedException {
        Map<String, Object> leaf = Map.of("v", 1, "seq", 9_007_199_254_740_991L, "n", -5L, "actor", Map.of("b", "2", "a", "1"), "e", Map.of());
        byte[] b = Jcs.encode(leaf);
        assertEquals("{\"actor\":{\"a\":\"1\",\"b\":\"2\"},\"e\":{},\"n\":-5,\"seq\":9007199254740991,\"v\":1}", new String(b, StandardCharsets.UTF_8));
        assertEquals(Map.of("v", 1L, "seq", 9_007_199_254_740_991L, "n", -5L, "actor", Map.of("b", "2", "a", "1"), "e", Map.of()), Jcs.parseCanonical(b));
        assertThrows(IllegalArgumentException.class, () -> Jcs.encode(1L << 53));
        assertThrows(IllegalArgumentException.class, () -> Jcs.encode(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Jcs.encode(1.5));
        assertThrows(IllegalArgumentException.class, () -> Jcs.encode(Map.of(1, "x")));
        Object deep = "x";
        for (int i = 0; i < 17; i++) {
            deep = Map.of("a", deep);
        }
        Object tooDeep = deep;
        assertThrows(IllegalArgumentException.class, () -> Jcs.encode(tooDeep));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{\"a\":1 \"b\":2}", "[1]", "true", "null",
            "{\"a\":1.0}", "{\"a\":1e3}", "{\"a\":01}", "{\"a\":-}", "{\"a\":+1}", "{\"a\":9007199254740992}", "{\"a\":-9007199254740992}",
            "{\"a\":99999999999999999999999}", "{\"a\":1,\"a\":2}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}",
            "{\"a\":\"\\ud800\"}", "{\"a\":\"\\ude00\\ud800\"}", "{\"a\":\"\t\"}", "{\"a\":\"x}", "{\"a\":1}x", "{\"a\":1}{}", "'a'",
            "{\"a\":\"\\u00E9\\", "{a:1}", "\u00a0{}", "{\"a\":\"\\U0041\"}"})
    void malformedJsonIsRefused(String json) {
        assertThrows(MalformedException.class, () -> Jcs.parse(utf8(json)));
        assertFalse(Jcs.isCanonical(utf8(json)));
    }

    @Test
    void nonCanonicalSpellingsOfCanonicalValuesAreRefused() throws MalformedException {
        for (String s : List.of("{ \"a\":1}", "{\"a\":1}\n", "{\"b\":1,\"a\":2}", "{\"a\":\"\\u0041\"}", "{\"a\":\"\\/\"}", "{\"a\":-0}",
                "{\"a\":\"\\u00e9\"}", "{\"a\":\"\\u001F\"}", "{\"a\":\"\\u2028\"}")) {
            Jcs.parse(utf8(s));
            assertFalse(Jcs.isCanonical(utf8(s)), s);
            assertThrows(MalformedException.class, () -> Jcs.parseCanonical(utf8(s)));
        }
        assertThrows(MalformedException.class, () -> Jcs.parse(new byte[] {'"', (byte) 0xc3, '"'}));
        assertThrows(MalformedException.class, () -> Jcs.parse(new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}));
        assertThrows(MalformedException.class, () -> Jcs.parse(new byte[Jcs.MAX_BYTES + 1]));
        String deep = "{\"a\":".repeat(17) + "1" + "}".repeat(17);
        assertThrows(MalformedException.class, () -> Jcs.parse(utf8(deep)));
        String veryDeep = "{\"a\":".repeat(10_000);
        assertThrows(MalformedException.class, () -> Jcs.parse(utf8(veryDeep)));
    }

    @Test
    void randomValuesRoundTripCanonically() throws MalformedException {
        Random r = new Random(16);
        for (int i = 0; i < 2000; i++) {
            Object v = randomValue(r, 0);
            byte[] b = Jcs.encode(v);
            assertTrue(Jcs.isCanonical(b));
            assertArrayEquals(b, Jcs.encode(Jcs.parse(b)));
        }
    }

    private static Object randomValue(Random r, int depth) {
        return switch (depth > 3 ? r.nextInt(2) : r.nextInt(3)) {
            case 0 -> randomString(r);
            case 1 -> r.nextLong(2 * Jcs.MAX_SAFE_INTEGER + 1) - Jcs.MAX_SAFE_INTEGER;
            default -> {
                Map<String, Object> m = new java.util.HashMap<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    m.put(randomString(r), randomValue(r, depth + 1));
                }
                yield m;
            }
        };
    }

    private static String randomString(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(8); i > 0; i--) {
            int cp;
            do {
                cp = switch (r.nextInt(4)) { case 0 -> r.nextInt(0x80); case 1 -> r.nextInt(0x800); case 2 -> r.nextInt(0x10000); default -> 0x10000 + r.nextInt(0x100000); };
            } while (cp >= 0xd800 && cp <= 0xdfff);
            b.appendCodePoint(cp);
        }
        return b.toString();
    }
}
