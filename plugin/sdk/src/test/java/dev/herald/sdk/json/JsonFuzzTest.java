package dev.herald.sdk.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the JSON parser (regression mode in a normal build; scripts/fuzz.sh
 * fuzzes for real). The parser may only fail with {@link JsonException}; whatever it accepts must
 * survive a write and a parse unchanged (as written text).
 */
class JsonFuzzTest {

    @FuzzTest
    void parse(String text) {
        if (text == null) {
            return; // null text is a programming error (requireNonNull), not caller input
        }
        Object value;
        try {
            value = Json.parse(text);
        } catch (JsonException e) {
            return;
        }
        // Numbers may change representation once (3.7E1 is written 37, read back as a Long), so
        // compare text: after one parse, writing and parsing again must be a fixed point.
        String written = Json.write(value);
        assertEquals(written, Json.write(Json.parse(written)), "parse(write(parse(x))) differs from parse(x)");
    }

    @FuzzTest
    void parseObject(String text) {
        try {
            Json.parseObject(text);
        } catch (JsonException e) {
            // the documented failure
        }
    }
}
