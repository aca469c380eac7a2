package dev.herald.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.HashMap;
import java.util.Map;

/**
 * Coverage-guided fuzzing of globs: Glob.of and Glob.filled never throw, and on short inputs the
 * matcher agrees with a simple reference (dynamic programming over glob and value).
 */
class GlobFuzzTest {

    @FuzzTest
    void matches(FuzzedDataProvider data) {
        String glob = data.consumeString(16);
        String value = data.consumeString(64);
        assertEquals(reference(glob, value), Glob.of(glob).matches(value),
                () -> "glob and reference disagree");
    }

    @FuzzTest
    void filled(FuzzedDataProvider data) {
        String aliasName = data.consumeString(16);
        Map<String, String> metadata = new HashMap<>();
        metadata.put("team", data.consumeString(16));
        metadata.put(data.consumeString(8), data.consumeString(16));
        String value = data.consumeString(40);
        String template = data.consumeRemainingAsString();
        Glob.templateProblem(template);
        Glob.hasPlaceholder(template);
        Glob.Filling filling = Glob.filled(template, aliasName, metadata);
        if ((filling.glob() == null) == (filling.problem() == null)) {
            throw new AssertionError("a filling has either a glob or a problem");
        }
        filling.matches(value);
    }

    /** '*' matches any run of characters; everything else itself. Dynamic programming over both. */
    private static boolean reference(String glob, String value) {
        int n = glob.length();
        int m = value.length();
        boolean[][] match = new boolean[n + 1][m + 1]; // match[g][v]: glob from g matches value from v
        match[n][m] = true;
        for (int g = n - 1; g >= 0; g--) {
            for (int v = m; v >= 0; v--) {
                match[g][v] = glob.charAt(g) == '*'
                        ? match[g + 1][v] || (v < m && match[g][v + 1])
                        : v < m && glob.charAt(g) == value.charAt(v) && match[g + 1][v + 1];
            }
        }
        return match[0][0];
    }
}
