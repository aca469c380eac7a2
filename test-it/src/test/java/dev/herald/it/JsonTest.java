package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test harness's own JSON reader and writer. */
class JsonTest {

    @Test
    void readsEveryKindOfValue() {
        Object value = Json.parse("""
                {"s": "a\\"b\\\\c\\n\\u00e9\\/", "i": -42, "d": 0.6, "e": 1e3, "t": true, "f": false,
                 "n": null, "list": [1, "two", [], {}], "obj": {"k": "v"}}
                """);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", "a\"b\\c\né/");
        expected.put("i", -42L);
        expected.put("d", 0.6);
        expected.put("e", 1000.0);
        expected.put("t", true);
        expected.put("f", false);
        expected.put("n", null);
        expected.put("list", List.of(1L, "two", List.of(), Map.of()));
        expected.put("obj", Map.of("k", "v"));
        assertEquals(expected, value);
    }

    @Test
    void keepsKeyOrder() {
        Map<String, Object> map = Json.parseObject("{\"z\": 1, \"a\": 2, \"m\": 3}");
        assertEquals(List.of("z", "a", "m"), List.copyOf(map.keySet()));
    }

    @Test
    void integersTooLargeForALongBecomeDoubles() {
        assertEquals(1.0e20, Json.parse("100000000000000000000"));
        assertEquals(Long.MAX_VALUE, Json.parse(Long.toString(Long.MAX_VALUE)));
    }

    @Test
    void followsPaths() {
        Object root = Json.parse("{\"data\": {\"keys\": [\"a/\", \"b/\"]}}");
        assertEquals("b/", Json.at(root, "data", "keys", "1"));
        assertNull(Json.at(root, "data", "keys", "2"));
        assertNull(Json.at(root, "data", "missing", "x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\" 1}", "[1,]", "[1 2]", "tru", "\"abc", "{\"a\":1} x", "01x",
            "\"\\x\"", "\"\\u12\"", "{1: 2}", "-", "\"a\tb\""})
    void rejectsMalformedInput(String text) {
        assertThrows(IllegalArgumentException.class, () -> Json.parse(text));
    }

    @Test
    void rejectsANonObjectWhereAnObjectIsExpected() {
        assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]"));
    }

    @Test
    void writesWhatItReads() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("s", "quote \" backslash \\ newline \n tab \t bell \u0007");
        map.put("n", 12L);
        map.put("d", 0.5);
        map.put("b", true);
        map.put("null", null);
        map.put("list", Arrays.asList(1L, null, "x"));
        String text = Json.write(map);
        assertEquals(map, Json.parse(text));
        Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("a", List.of(1, "b"));
        ordered.put("c", null);
        assertEquals("{\"a\":[1,\"b\"],\"c\":null}", Json.write(ordered));
    }
}
