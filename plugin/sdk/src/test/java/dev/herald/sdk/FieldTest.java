package dev.herald.sdk;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FieldTest {
    private static String error(Field<?> field, Object raw) {
        return assertThrows(VaultException.class, () -> field.parse(raw)).getMessage();
    }

    @Test
    void integersAcceptWholeNumbersOnly() {
        Field<Long> n = Field.integer("n", "N.");
        assertEquals(5L, n.parse(5L));
        assertEquals(5L, n.parse("5"));
        assertEquals(5L, n.parse(new BigDecimal("5")));
        assertEquals("invalid n: expected a whole number, got 5.5", error(n, new BigDecimal("5.5")));
        assertEquals("invalid n: expected a whole number, got \"five\"", error(n, "five"));
        assertEquals("invalid n: expected a whole number, got true", error(n, true));
    }

    @Test
    void numbersMustBeFinite() {
        Field<Double> x = Field.number("x", "X.").check(v -> v < 1, "be below 1");
        assertEquals(0.25, x.parse("0.25"));
        assertEquals("invalid x: must be below 1, got 1.5", error(x, new BigDecimal("1.5")));
        assertEquals("invalid x: expected a finite number, got \"NaN\"", error(x, "NaN"));
    }

    @Test
    void aListThatBreaksARuleIsShownInTheMessage() {
        Field<java.util.List<String>> ports = Field.stringList("ports", "Ports.")
                .check(list -> list.stream().allMatch(p -> p.length() <= 4), "be ports");
        assertEquals("invalid ports: must be ports, got [\"443\", \"70000\"]", error(ports, java.util.List.of("443", "70000")));
    }

    @Test
    void oneOfListsTheChoices() {
        Field<String> algorithm = Field.string("alg", "Alg.").oneOf("EdDSA", "ES256");
        assertEquals("ES256", algorithm.parse("ES256"));
        assertEquals("invalid alg: \"RS1\" is not one of \"EdDSA\", \"ES256\"", error(algorithm, "RS1"));
    }

    @Test
    void durationsReadGoStringsAndSecondsAndShowSeconds() {
        Field<Duration> ttl = Field.duration("ttl", "TTL.").positive();
        assertEquals(Duration.ofHours(24), ttl.parse("24h"));
        assertEquals(Duration.ofSeconds(90), ttl.parse(90L));
        assertEquals(Duration.ofSeconds(90), ttl.parse("90"));
        assertEquals(86400L, ttl.toJson(Duration.ofDays(1)));
        assertEquals("invalid ttl: must be greater than zero, got 0s", error(ttl, "0"));
        assertEquals("invalid ttl: expected a duration such as \"24h\" or a number of seconds, got true", error(ttl, true));
    }

    @Test
    void mapsAcceptObjectsPairsAndJsonText() {
        Field<Map<String, String>> metadata = Field.stringMap("metadata", "M.");
        assertEquals(Map.of("a", "1", "b", "x=y"), metadata.parse("a=1,b=x=y"));
        assertEquals(Map.of("a", "1"), metadata.parse(List.of("a=1")));
        assertEquals(Map.of("a", "1"), metadata.parse("{\"a\":\"1\"}"));
        assertEquals("invalid metadata: expected string values, got 1 for key \"a\"", error(metadata, Map.of("a", 1L)));
        assertEquals("invalid metadata: expected \"key=value\", got \"novalue\"", error(metadata, "novalue"));
    }

    @Test
    void listsRefuseNonStrings() {
        Field<List<String>> list = Field.stringList("l", "L.");
        assertEquals("invalid l: expected a list of strings, found 3 in it", error(list, List.of("a", 3L)));
    }
}
