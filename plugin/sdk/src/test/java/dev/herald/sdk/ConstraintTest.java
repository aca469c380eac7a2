package dev.herald.sdk;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each constraint checks values and states the same rule in a field's OpenAPI schema. */
class ConstraintTest {
    private static final String NAME = "[a-z0-9][a-z0-9._-]{0,127}";

    private static String error(Field<?> field, Object raw) {
        return assertThrows(VaultException.class, () -> field.parse(raw)).getMessage();
    }

    private static Map<String, Object> schema(Field<?> field) {
        return Help.fieldSchema(field);
    }

    @Test
    void aPatternChecksTheWholeValueAndTheDocumentAnchorsIt() {
        Field<String> name = Field.string("name", "A name.").matching(NAME, "be a name");
        assertEquals("web-1", name.parse("web-1"));
        assertEquals("invalid name: must be a name, got \"Web\"", error(name, "Web"));
        // A line break is not an end: Java's $ would allow "web\n", and so the check uses matches().
        assertEquals("invalid name: must be a name, got \"web\n\"", error(name, "web\n"));
        assertEquals("^(?:" + NAME + ")$", schema(name).get("pattern"));
        assertEquals("A name. Must be a name.", schema(name).get("description"));
    }

    @Test
    void theDocumentsPatternAcceptsWhatTheCheckAcceptsUnderFindAsJsonSchemaApplies() {
        Constraint.Matches rule = new Constraint.Matches("a|b{2}", "be a or bb");
        Pattern document = Pattern.compile(rule.pattern());
        for (String value : List.of("a", "bb", "", "ab", "abb", "bbb", "xa", "b")) {
            assertEquals(rule.test(value), document.matcher(value).find(), value);
        }
    }

    /** Java matches a repeated group of alternatives with a stack frame per character. */
    @Test
    void aValueTooLongForAPatternOfRepeatedAlternativesIsRefusedNotAnError() {
        String deep = "a".repeat(50_000);
        Field<String> checked = Field.string("glob", "A glob.").matching("(?:[a-z]|\\{\\{x\\}\\})+", "be a glob").length(1, 256);
        assertTrue(error(checked, deep).startsWith("invalid glob: must be 1-256 characters, got "),
                "the length, checked first, is the rule that refuses it, though declared after the pattern");
        Field<java.util.List<String>> each = Field.stringList("globs", "Globs.")
                .each("be globs", Constraint.matching("(?:[a-z]|\\{\\{x\\}\\})+", "be a glob"), Constraint.length(1, 256));
        assertTrue(error(each, java.util.List.of(deep)).startsWith("invalid globs: must be globs"));
        Field<String> unbounded = Field.string("glob", "A glob.").matching("(?:[a-z]|\\{\\{x\\}\\})+", "be a glob");
        assertTrue(error(unbounded, deep).startsWith("invalid glob: must be a glob"), "no length: the pattern's guard refuses it");
    }

    @Test
    void aPatternThatDoesNotCompileFailsTheDefinition() {
        assertThrows(java.util.regex.PatternSyntaxException.class, () -> Constraint.matching("[a-", "x"));
    }

    @Test
    void lengthCountsCodePointsAndIsAlsoAPatternUnlessTheFieldHasOne() {
        Field<String> reason = Field.string("reason", "Why.").length(0, 3);
        assertEquals("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00", reason.parse("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00"));
        assertEquals("invalid reason: must be at most 3 characters, got \"abcd\"", error(reason, "abcd"));
        Map<String, Object> schema = schema(reason);
        assertEquals(3, schema.get("maxLength"));
        assertFalse(schema.containsKey("minLength"));
        assertEquals("^[\\s\\S]{0,3}$", schema.get("pattern"), "the servers keep pattern, not maxLength");

        Field<String> both = Field.string("s", "S.").matching("[a-z]+", "be letters").length(1, 9);
        assertEquals("^(?:[a-z]+)$", schema(both).get("pattern"));
        assertEquals(1, schema(both).get("minLength"));
        Field<String> reversed = Field.string("s", "S.").length(1, 9).matching("[a-z]+", "be letters");
        assertEquals("^(?:[a-z]+)$", schema(reversed).get("pattern"), "in either order");
    }

    @Test
    void rangesOfWholeNumbersAndFractions() {
        Field<Long> limit = Field.integer("limit", "Limit.").between(1, 20_000);
        assertEquals(20_000L, limit.parse(20_000L));
        assertEquals("invalid limit: must be between 1 and 20000, got 0", error(limit, 0L));
        assertEquals("invalid limit: must be between 1 and 20000, got 20001", error(limit, "20001"));
        assertEquals(1L, schema(limit).get("minimum"));
        assertEquals(20_000L, schema(limit).get("maximum"));

        Field<Long> from = Field.integer("from", "From.").atLeast(0);
        assertEquals(0L, from.parse(0L));
        assertEquals("invalid from: must be 0 or more, got -1", error(from, -1L));
        assertEquals(Long.MAX_VALUE, schema(from).get("maximum"), "an integer field reads 64-bit values only");
        assertEquals("int64", schema(from).get("format"));
        assertEquals(Long.MIN_VALUE, schema(Field.integer("any", "Any.")).get("minimum"));

        Field<Double> window = Field.number("w", "W.").strictlyBetween(0, 1);
        assertEquals(0.5, window.parse(0.5));
        assertEquals("invalid w: must be between 0 and 1 (exclusive), got 1.0", error(window, 1.0));
        assertEquals("invalid w: must be between 0 and 1 (exclusive), got 0.0", error(window, "0"));
        Map<String, Object> schema = schema(window);
        assertEquals(List.of(0L, true, 1L, true), List.of(schema.get("minimum"), schema.get("exclusiveMinimum"),
                schema.get("maximum"), schema.get("exclusiveMaximum")));

        Field<Long> positive = Field.integer("n", "N.").positive();
        assertEquals("invalid n: must be greater than zero, got 0", error(positive, 0L));
        assertEquals(true, schema(positive).get("exclusiveMinimum"));
    }

    @Test
    void aRuleOfTheWrongTypeFailsTheDefinition() {
        assertThrows(IllegalStateException.class, () -> Field.integer("n", "N.").matching("x", "be x"));
        assertThrows(IllegalStateException.class, () -> Field.string("s", "S.").between(1, 2));
        assertThrows(IllegalStateException.class, () -> Field.bool("b", "B.").positive());
        assertThrows(IllegalStateException.class, () -> Field.string("s", "S.").notEmpty());
        assertThrows(IllegalStateException.class, () -> Field.integer("n", "N.").each("x", Constraint.length(0, 1)));
    }

    @Test
    void listsStateTheirSizeAndTheRulesOfTheirItems() {
        Field<List<String>> types = Field.stringList("key_types", "Types.").notEmpty()
                .each("be a list of ed25519, rsa", Constraint.oneOf("ed25519", "rsa"));
        assertEquals(List.of("rsa"), types.parse("rsa"));
        assertEquals("invalid key_types: must not be empty, got []", error(types, List.of()));
        assertEquals("invalid key_types: must be a list of ed25519, rsa, got [\"dsa\"]", error(types, List.of("dsa")));
        Map<String, Object> schema = schema(types);
        assertEquals(1, schema.get("minItems"));
        assertEquals(Map.of("type", "string", "enum", List.of("ed25519", "rsa")), schema.get("items"));

        Field<List<String>> globs = Field.stringList("g", "G.")
                .each("be globs", Constraint.matching("[a-z*]+", "be a glob"), Constraint.length(1, 5));
        assertEquals("invalid g: must be globs, got [\"abcdef\"]", error(globs, List.of("abcdef")));
        assertEquals(Map.of("type", "string", "pattern", "^(?:[a-z*]+)$", "minLength", 1, "maxLength", 5),
                schema(globs).get("items"));
    }

    @Test
    void mapsStateTheRulesOfTheirValues() {
        Field<Map<String, String>> metadata = Field.stringMap("m", "M.").each("have short values", Constraint.length(0, 2));
        assertEquals(Map.of("a", "bb"), metadata.parse(Map.of("a", "bb")));
        assertEquals("invalid m: must have short values, got an object", error(metadata, Map.of("a", "ccc")));
        assertEquals(Map.of("type", "string", "maxLength", 2, "pattern", "^[\\s\\S]{0,2}$"),
                schema(metadata).get("additionalProperties"));
    }

    @Test
    void durationsStateTheirRangeAsAPatternOfThePlainNotation() {
        Field<Duration> ttl = Field.duration("ttl", "TTL.").positive();
        Field<Duration> overlap = Field.duration("overlap", "Overlap.").notNegative();
        Pattern positive = Pattern.compile((String) schema(ttl).get("pattern"));
        Pattern notNegative = Pattern.compile((String) schema(overlap).get("pattern"));
        for (String value : List.of("1", "90s", "1h30m", "7d", "0h1s", "999999999d", "1d1d1d1d1d1d1d")) {
            assertTrue(positive.matcher(value).find(), value);
            assertTrue(notNegative.matcher(value).find(), value);
        }
        for (String value : List.of("0", "0s", "0h0m", "-1s", "1.5h", "500ms", "P1D", "", "1 h")) {
            assertFalse(positive.matcher(value).find(), value);
        }
        assertTrue(notNegative.matcher("0").find());
        assertTrue(notNegative.matcher("0s").find());
        assertFalse(notNegative.matcher("-1s").find());
        assertFalse(schema(ttl).containsKey("format"), "not OpenAPI's ISO 8601 duration");
        assertEquals("invalid ttl: must be greater than zero, got 0s", error(ttl, "0h"));
    }

    /**
     * The duration patterns are the one rendering that is not the check itself (the parser reads
     * more than any regex says): every string they match must parse and keep the rule. Strings
     * drawn from the alphabet of the pattern, so that many of them match.
     */
    @Test
    void everyStringADurationPatternMatchesIsAcceptedByTheField() {
        Random random = new Random(12345);
        String alphabet = "0000123456789smhd";
        for (Field<Duration> field : List.of(Field.duration("p", "P.").positive(), Field.duration("n", "N.").notNegative())) {
            Pattern pattern = Pattern.compile((String) schema(field).get("pattern"));
            int matched = 0;
            for (int i = 0; i < 200_000; i++) {
                StringBuilder value = new StringBuilder();
                int length = 1 + random.nextInt(random.nextBoolean() ? 8 : 100);
                for (int j = 0; j < length; j++) {
                    value.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                if (pattern.matcher(value).find()) {
                    matched++;
                    field.parse(value.toString()); // throws if refused
                }
            }
            assertTrue(matched > 1000, field + ": only " + matched + " strings matched");
        }
    }

    @Test
    void rangesCompareExactly() {
        Constraint range = new Constraint.Range(BigDecimal.ONE, false, new BigDecimal("2.5"), false, "be 1 to 2.5");
        assertTrue(range.test(1L));
        assertTrue(range.test(2.5));
        assertFalse(range.test(2.5000001));
        assertFalse(range.test(Long.MIN_VALUE));
        assertFalse(range.test("2"), "not a number");
        Map<String, Object> schema = new LinkedHashMap<>();
        range.render(schema);
        assertEquals(Map.of("minimum", 1L, "maximum", new BigDecimal("2.5")), schema);
    }

    @Test
    void opaqueChecksAreSaidInTheDescriptionOnly() {
        Field<String> csr = Field.string("csr", "A CSR.").check(s -> s.startsWith("-----"), "be PEM");
        Map<String, Object> schema = schema(csr);
        assertEquals("A CSR. Must be PEM.", schema.get("description"));
        assertEquals(Map.of("type", "string", "description", "A CSR. Must be PEM."), schema);
    }
}
