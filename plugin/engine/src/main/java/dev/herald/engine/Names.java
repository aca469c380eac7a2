package dev.herald.engine;

import java.util.regex.Pattern;

/**
 * The rule for every name Herald stores or routes by (services, instances, roles): 1–128
 * characters of {@code [a-z0-9._-]}, starting with a letter or digit. Lower case only, so that two
 * spellings never name one thing; no '/', so that a name is always one path segment and one
 * storage key segment.
 */
final class Names {
    /** The rule as a regular expression: the same one checks names and is the OpenAPI document's pattern. */
    static final String PATTERN = "[a-z0-9][a-z0-9._-]{0,127}";
    /** The rule in words; completes "must ...". */
    static final String RULE = "be 1-128 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit";
    private static final Pattern NAME = Pattern.compile(PATTERN);

    private Names() {
    }

    static boolean valid(String name) {
        return NAME.matcher(name).matches();
    }
}
