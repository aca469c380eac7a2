package dev.herald.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.sdk.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

    private static String rejection(Object value) {
        return assertThrows(IllegalArgumentException.class, () -> Durations.parse(value), String.valueOf(value))
                .getMessage();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // seconds as digits
        "3600|PT1H",
        "0|PT0S",
        "-0|PT0S",
        "-30|PT-30S",
        "007|PT7S",
        "9223372036854775807|PT2562047788015215H30M7S",
        // Go durations
        "24h|PT24H",
        "90s|PT1M30S",
        "1h30m|PT1H30M",
        "1.5h|PT1H30M",
        "7d|PT168H",
        "1d12h|PT36H",
        "500ms|PT0.5S",
        "1500us|PT0.0015S",
        "1500\u00b5s|PT0.0015S",
        "1500\u03bcs|PT0.0015S",
        "1ns|PT0.000000001S",
        ".5m|PT30S",
        "1.m|PT1M",
        "2h0.5s|PT2H0.5S",
        "1s1s1s|PT3S",
        "0.0000000019s|PT0.000000001S",
        "-1.5h|PT-1H-30M",
        "+45m|PT45M",
        "+0|PT0S",
        "-0s|PT0S",
        "0h|PT0S",
        "1000000000h|PT1000000000H",
    })
    void parsesStrings(String text, String iso) {
        assertEquals(Duration.parse(iso), Durations.parse(text));
    }

    @Test
    void parsesNumbersAsSeconds() {
        assertEquals(Duration.ofHours(1), Durations.parse(3600L));
        assertEquals(Duration.ofSeconds(-5), Durations.parse(-5));
        assertEquals(Duration.ofSeconds(Long.MAX_VALUE), Durations.parse(BigInteger.valueOf(Long.MAX_VALUE)));
        assertEquals(Duration.ofMinutes(1), Durations.parse(new BigDecimal("60.000")));
        assertEquals(Duration.ofMinutes(1), Durations.parse(new BigDecimal("6E+1")));
        assertEquals(Duration.ZERO, Durations.parse(new BigDecimal("0E-5")));
        assertEquals(Duration.ZERO, Durations.parse(new BigDecimal("0E+99999")));
    }

    @Test
    void acceptsWhatTheJsonParserProduces() {
        var data = Json.parseObject("{\"a\":86400,\"b\":\"12h\",\"c\":1e3,\"d\":99999999999999999999}");
        assertEquals(Duration.ofDays(1), Durations.parse(data.get("a")));
        assertEquals(Duration.ofHours(12), Durations.parse(data.get("b")));
        assertEquals(Duration.ofSeconds(1000), Durations.parse(data.get("c")));
        assertEquals("invalid duration \"99999999999999999999\": out of range", rejection(data.get("d")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "abc|expected a number",
        "10x|unknown unit \"x\"",
        "h|expected a number",
        "1h 30m|unknown unit \"h \"",
        "` 1h`|expected a number",
        "`1h `|unknown unit \"h \"",
        "1.5|missing unit",
        "1h30|missing unit",
        "-|expected a number",
        "+|expected a number",
        "--5|expected a number",
        "+5|missing unit",
        ".h|expected a number",
        "1h.|expected a number",
        "1..5h|missing unit",
        "1e3s|unknown unit \"e\"",
        "1H|unknown unit \"H\"",
        "1sec|unknown unit \"sec\"",
        "`5 `|unknown unit \" \"",
        "1,5h|unknown unit \",\"",
        "\uff11h|expected a number",
        "99999999999999999999|out of range",
        "-9223372036854775809|out of range",
        "9223372036854775808s|out of range",
        "106751991167301d|out of range",
        "-9223372036854775808.000000001s|out of range",
    })
    void rejectsBadStrings(String text, String why) {
        assertEquals("invalid duration \"" + text + "\": " + why, rejection(text));
    }

    @Test
    void edgesOfTheRange() {
        assertEquals(Duration.ofSeconds(Long.MIN_VALUE), Durations.parse("-9223372036854775808"));
        assertEquals(Duration.ofSeconds(Long.MIN_VALUE), Durations.parse("-9223372036854775808s"));
        assertEquals(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
                Durations.parse("9223372036854775807.999999999s"));
        assertEquals(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
                Durations.parse("9223372036854775807999999999ns"));
    }

    @Test
    void rejectsEmptyTooLongAndOddValues() {
        assertEquals("invalid duration \"\": empty", rejection(""));
        String longValue = "1h".repeat(51);
        assertEquals("invalid duration \"" + longValue.substring(0, 40) + "...\": longer than 100 characters",
                rejection(longValue));
        assertEquals(Duration.ofHours(50), Durations.parse("1h".repeat(50)));
        assertEquals("invalid duration \"null\": no value", rejection(null));
        assertEquals("invalid duration \"1.5\": fractional seconds", rejection(new BigDecimal("1.5")));
        assertEquals("invalid duration \"1E+20\": out of range", rejection(new BigDecimal("1E+20")));
        assertEquals("invalid duration \"1E+2147483647\": out of range", rejection(new BigDecimal("1E+2147483647")));
        assertEquals("invalid duration \"9223372036854775808\": out of range",
                rejection(BigInteger.ONE.shiftLeft(63)));
        assertEquals("invalid duration \"1.5\": unsupported type java.lang.Double", rejection(1.5));
        assertEquals("invalid duration \"PT1H\": unsupported type java.time.Duration", rejection(Duration.ofHours(1)));
        // Control characters are not echoed, units are cut short.
        assertEquals("invalid duration \"1?\": unknown unit \"?\"", rejection("1\n"));
        assertEquals("invalid duration \"1" + "x".repeat(39) + "...\": unknown unit \"xxxxxxxxxx...\"",
                rejection("1" + "x".repeat(60)));
    }

    @Test
    void toSecondsFloors() {
        assertEquals(1, Durations.toSeconds(Duration.ofMillis(1999)));
        assertEquals(-2, Durations.toSeconds(Duration.ofMillis(-1500)));
        assertEquals(-1, Durations.toSeconds(Duration.ofNanos(-1)));
        assertEquals(0, Durations.toSeconds(Duration.ofNanos(999_999_999)));
    }

    @Test
    void toNanosSaturates() {
        assertEquals(1_500_000_000L, Durations.toNanos(Duration.ofMillis(1500)));
        assertEquals(Long.MAX_VALUE, Durations.toNanos(Duration.ofNanos(Long.MAX_VALUE)));
        assertEquals(Long.MAX_VALUE, Durations.toNanos(Duration.ofNanos(Long.MAX_VALUE).plusNanos(1)));
        assertEquals(Long.MAX_VALUE, Durations.toNanos(Duration.ofSeconds(Long.MAX_VALUE)));
        assertEquals(Long.MIN_VALUE, Durations.toNanos(Duration.ofSeconds(Long.MIN_VALUE)));
        assertEquals(Long.MIN_VALUE + 1, Durations.toNanos(Duration.ofNanos(Long.MIN_VALUE + 1)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "PT0S|0s",
        "PT24H|24h0m0s",
        "PT1H|1h0m0s",
        "PT90S|1m30s",
        "PT1M|1m0s",
        "PT1H30M|1h30m0s",
        "PT1H0.5S|1h0m0.5s",
        "PT59.999999999S|59.999999999s",
        "PT1.05S|1.05s",
        "PT0.5S|500ms",
        "PT0.0015S|1.5ms",
        "PT0.0000015S|1.5\u00b5s",
        "PT0.000001S|1\u00b5s",
        "PT0.000000001S|1ns",
        "PT0.000999999S|999.999\u00b5s",
        "PT0.001000001S|1.000001ms",
        "PT-1.5S|-1.5s",
        "PT-0.001S|-1ms",
        "PT-1H-30M|-1h30m0s",
        "PT168H|168h0m0s",
    })
    void formatsLikeGo(String iso, String expected) {
        assertEquals(expected, Durations.format(Duration.parse(iso)));
    }

    @Test
    void formatCoversTheWholeRangeAndRoundTrips() {
        assertEquals("2562047788015215h30m7.999999999s",
                Durations.format(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)));
        assertEquals("-2562047788015215h30m8s", Durations.format(Duration.ofSeconds(Long.MIN_VALUE)));
        assertEquals("-2562047788015215h30m7.999999999s", Durations.format(Duration.ofSeconds(Long.MIN_VALUE, 1)));
        for (Duration d : new Duration[] {Duration.ofSeconds(Long.MIN_VALUE), Duration.ofSeconds(Long.MIN_VALUE, 1),
                Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), Duration.ofNanos(-1), Duration.ofMillis(-61_001),
                Duration.ofDays(365).plusNanos(7)}) {
            assertEquals(d, Durations.parse(Durations.format(d)), d.toString());
        }
    }
}
