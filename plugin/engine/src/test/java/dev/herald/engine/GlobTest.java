package dev.herald.engine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Globs: what they match, and that matching reads a name a bounded number of times. */
class GlobTest {

    @Test
    void aStarMatchesAnyRunOfCharactersAndEverythingElseIsLiteral() {
        assertTrue(Glob.of("web-*").matches("web-"));
        assertTrue(Glob.of("web-*").matches("web-api"));
        assertFalse(Glob.of("web-*").matches("web"));
        assertTrue(Glob.of("*.web.internal").matches("a.b.web.internal"));
        assertFalse(Glob.of("*.web.internal").matches("a.webxinternal"), "'.' is literal, not a regex dot");
        assertTrue(Glob.of("a*b*a").matches("aba"));
        assertFalse(Glob.of("a*a").matches("a"), "prefix and suffix must not overlap");
        assertTrue(Glob.of("**").matches(""));
        assertTrue(Glob.of("").matches(""));
        assertFalse(Glob.of("").matches("x"));
        assertFalse(Glob.of("*a*a*a*b").matches("a".repeat(243)));
        assertTrue(Glob.of("*a*a*a*b").matches("a".repeat(242) + "b"));
    }

    /**
     * The matcher replaced a regex (each '*' a ".*"); it must decide exactly as that regex did, on
     * many random globs and names over a small alphabet (so that matches and near misses abound).
     */
    @Test
    void decidesExactlyAsTheRegexVersionDid() {
        Random random = new Random(20240611);
        int matched = 0;
        for (int i = 0; i < 200_000; i++) {
            String glob = randomText(random, "ab.*", 9);
            String name = randomText(random, "ab.", 12);
            boolean expected = RegexGlob.of(glob).matcher(name).matches();
            assertEquals(expected, Glob.of(glob).matches(name), () -> "glob \"" + glob + "\", name \"" + name + "\"");
            matched += expected ? 1 : 0;
        }
        assertTrue(matched > 10_000, "the sample holds matches too, not only misses: " + matched);
    }

    /** Filled templates, whose filled values are literal (a '*' or '.' in them never widens), likewise. */
    @Test
    void filledTemplatesDecideAsTheRegexVersionDid() {
        Random random = new Random(7);
        int compared = 0;
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            String template = randomText(random, "ab-*", 4) + "{{alias.metadata.k}}" + randomText(random, "ab-*", 4);
            String value = randomText(random, "ab.*", 4);
            if (value.isEmpty()) {
                continue; // an empty value fills nothing (PublisherIdentityTest)
            }
            String name = randomText(random, "ab-.*", 12);
            Map<String, String> metadata = Map.of("k", value);
            Glob.Filling filling = Glob.filled(template, "alias", metadata);
            if (filling.glob() == null) {
                refused++;
                continue; // this identity cannot fill it: it matches nothing (PublisherIdentityTest)
            }
            compared++;
            boolean expected = RegexGlob.filled(template, metadata).matcher(name).matches();
            assertEquals(expected, filling.glob().matches(name),
                    () -> "template \"" + template + "\", value \"" + value + "\", name \"" + name + "\"");
        }
        assertTrue(compared > 10_000 && refused > 10_000, "both kinds are in the sample: " + compared + ", " + refused);
        Glob literal = Glob.filled("{{alias.metadata.k}}", "alias", Map.of("k", "p-*")).glob();
        assertTrue(literal.matches("p-*"));
        assertFalse(literal.matches("p-1"), "a '*' filled in is literal");
    }

    /**
     * The regex took seconds for one request (a 4-star glob against a 243-character name: it tries
     * every way of splitting the name among the stars). The matcher must read the name at most
     * (n + m + 1)(m + 1) times for a name of n and a glob of m characters: linear in the name, and
     * no power of the number of stars. Counted, not timed: the name counts its own reads, and
     * stops the matcher once it exceeds the bound.
     */
    @Test
    void matchingReadsTheNameLinearlyOftenWhateverTheStars() {
        List<String> globs = List.of("*a*a*a*b", "*a*a*a*a*b*c", "a*a*a*a*", "*aaaa*aaab*", "*-*-*-*.internal",
                "*a*a*b*c", "**********b");
        for (int n : List.of(243, 2430)) {
            List<String> names = List.of("a".repeat(n), "a".repeat(n - 1) + "c", "a".repeat(n - 1) + "b",
                    "-".repeat(n - 9) + ".internal", ("aaab").repeat(n / 4));
            for (String glob : globs) {
                for (String name : names) {
                    long bound = (long) (name.length() + glob.length() + 1) * (glob.length() + 1);
                    CountedName counted = new CountedName(name, bound);
                    Glob.of(glob).matches(counted); // what it decides is decidesExactlyAsTheRegexVersionDid's concern
                    assertTrue(counted.reads <= bound, glob + ": " + counted.reads + " reads > " + bound);
                }
            }
        }
    }

    private static String randomText(Random random, String alphabet, int maxLength) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /**
     * A name that counts how often it is read, and fails the test as soon as that passes the bound
     * (so that a matcher without one fails at once rather than running for minutes). Only charAt
     * and length are allowed: a matcher that copied the name out would escape the count.
     */
    private static final class CountedName implements CharSequence {
        private final String text;
        private final long bound;
        long reads;

        CountedName(String text, long bound) {
            this.text = text;
            this.bound = bound;
        }

        @Override
        public char charAt(int index) {
            if (++reads > bound) {
                fail("the matcher read the name of " + text.length() + " characters more than " + bound + " times");
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            throw new AssertionError("the matcher must read the name through charAt, where reads are counted");
        }

        @Override
        public String toString() {
            throw new AssertionError("the matcher must read the name through charAt, where reads are counted");
        }
    }

    /** The regex version Glob had before: each '*' a ".*", everything else quoted, filled values quoted. */
    private static final class RegexGlob {
        private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{alias\\.(name|metadata\\.([A-Za-z0-9_.-]{1,128}))}}");

        static Pattern of(String glob) {
            return Pattern.compile(globRegex(glob));
        }

        static Pattern filled(String template, Map<String, String> metadata) {
            StringBuilder regex = new StringBuilder();
            Matcher placeholder = PLACEHOLDER.matcher(template);
            int last = 0;
            while (placeholder.find()) {
                regex.append(globRegex(template.substring(last, placeholder.start())));
                regex.append(Pattern.quote(metadata.get(placeholder.group(2))));
                last = placeholder.end();
            }
            regex.append(globRegex(template.substring(last)));
            return Pattern.compile(regex.toString());
        }

        private static String globRegex(String glob) {
            StringBuilder regex = new StringBuilder();
            int start = 0;
            for (int star = glob.indexOf('*'); star >= 0; star = glob.indexOf('*', start)) {
                if (star > start) {
                    regex.append(Pattern.quote(glob.substring(start, star)));
                }
                regex.append(".*");
                start = star + 1;
            }
            if (start < glob.length()) {
                regex.append(Pattern.quote(glob.substring(start)));
            }
            return regex.toString();
        }
    }
}
