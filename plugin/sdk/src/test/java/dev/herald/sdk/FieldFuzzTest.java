package dev.herald.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.sdk.json.Json;
import dev.herald.sdk.json.JsonException;

import java.util.List;

/**
 * Coverage-guided fuzzing of field decoding: any JSON value given to any kind of field either
 * decodes or fails with a 400 {@link VaultException}.
 */
class FieldFuzzTest {

    private static final List<Field<?>> FIELDS = List.of(
            Field.string("s", "a string"),
            Field.integer("i", "an integer").positive(),
            Field.number("n", "a number").notNegative(),
            Field.bool("b", "a boolean"),
            Field.duration("d", "a duration").positive(),
            Field.stringList("l", "a list"),
            Field.stringMap("m", "a map"),
            Field.string("o", "one of").oneOf("a", "b"));

    @FuzzTest
    void parse(FuzzedDataProvider data) {
        Field<?> field = FIELDS.get(data.consumeInt(0, FIELDS.size() - 1));
        boolean asString = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        Object raw;
        if (asString) {
            raw = text; // as a query string carries it
        } else {
            try {
                raw = Json.parse(text);
            } catch (JsonException e) {
                return;
            }
        }
        try {
            field.parse(raw);
        } catch (VaultException e) {
            assertEquals(400, e.status(), e.getMessage());
        }
    }
}
