package dev.herald.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.sdk.json.Json;
import dev.herald.sdk.json.JsonException;

import java.time.Duration;

/**
 * Coverage-guided fuzzing of {@link Durations#parse}: strings, and numbers as the JSON parser gives
 * them. The only documented failure is an IllegalArgumentException ("invalid duration ...");
 * a parsed duration must survive {@link Durations#format} and a parse back.
 */
class DurationsFuzzTest {

    @FuzzTest
    void parse(FuzzedDataProvider data) {
        Object raw;
        if (data.consumeBoolean()) {
            raw = data.consumeRemainingAsString();
        } else {
            try {
                raw = Json.parse(data.consumeRemainingAsString());
            } catch (JsonException e) {
                return;
            }
        }
        Duration d;
        try {
            d = Durations.parse(raw);
        } catch (IllegalArgumentException e) {
            if (e.getClass() != IllegalArgumentException.class || !e.getMessage().startsWith("invalid duration")) {
                throw e;
            }
            return;
        }
        assertEquals(d, Durations.parse(Durations.format(d)), "format does not parse back for " + raw);
    }
}
