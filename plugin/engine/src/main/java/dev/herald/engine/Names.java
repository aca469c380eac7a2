package dev.herald.engine;

import java.util.regex.Pattern;

/**
 * The rule for every name Herald stores or routes by (services, instances, roles): 1–128
 * characters of {@code [a-z0-9._-]}, starting with a letter or digit. Lower case only, so that two
 * spellings never name one thing; no '/', so that a name is always one path segment and one
 * storage key segment.
 */
final class Names {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

    private Names() {
    }

    static boolean valid(String name) {
        return NAME.matcher(name).matches();
    }
}
