package dev.herald.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Globs with '*' (any run of characters, none included) as roles write them, and the identity
 * placeholders {@code {{alias.name}}} and {@code {{alias.metadata.KEY}}} they may contain. A value
 * filled into a placeholder is literal: a '*' in alias metadata never widens what a role allows.
 *
 * <p>Matching uses no regex: a regex of ".*"s backtracks through every way of splitting a name
 * among the stars (a 4-star glob against a 243-character name took seconds). Here the first
 * literal run must be a prefix, the last a suffix, and each one between is found once, left to
 * right, after the previous one: leftmost is always the best place for it, since it leaves the
 * most room for the rest. A name of n characters and a glob of m are read at most (n + m + 1)(m + 1)
 * times.
 */
final class Glob {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{alias\\.(name|metadata\\.([A-Za-z0-9_.-]{1,128}))}}");

    /** The literal runs between the stars, one more than there are stars; filled values are inside them. */
    private final List<String> literals;

    private Glob(List<String> literals) {
        this.literals = List.copyOf(literals);
    }

    /** A glob without placeholders. */
    static Glob of(String glob) {
        return new Glob(List.of(glob.split("\\*", -1)));
    }

    /**
     * A glob whose placeholders are filled from an alias; empty if it names metadata the alias does
     * not have (such a glob matches nothing).
     */
    static Optional<Glob> filled(String template, String aliasName, Map<String, String> aliasMetadata) {
        List<String> literals = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        Matcher placeholder = PLACEHOLDER.matcher(template);
        int last = 0;
        while (placeholder.find()) {
            appendGlob(template.substring(last, placeholder.start()), literals, run);
            String value = placeholder.group(2) == null ? aliasName : aliasMetadata.get(placeholder.group(2));
            if (value == null || value.isEmpty()) {
                return Optional.empty();
            }
            run.append(value); // literal: its '*'s are characters, not stars
            last = placeholder.end();
        }
        appendGlob(template.substring(last), literals, run);
        literals.add(run.toString());
        return Optional.of(new Glob(literals));
    }

    /** Whether the template uses any placeholder, i.e. needs the caller's identity. */
    static boolean hasPlaceholder(String template) {
        return PLACEHOLDER.matcher(template).find();
    }

    boolean matches(CharSequence value) {
        String first = literals.getFirst();
        if (literals.size() == 1) {
            return value.length() == first.length() && occursAt(value, first, 0);
        }
        String last = literals.getLast();
        int end = value.length() - last.length(); // where the suffix starts
        if (end < first.length() || !occursAt(value, first, 0) || !occursAt(value, last, end)) {
            return false;
        }
        int from = first.length();
        for (String literal : literals.subList(1, literals.size() - 1)) {
            int at = find(value, literal, from, end);
            if (at < 0) {
                return false;
            }
            from = at + literal.length();
        }
        return true;
    }

    static boolean anyMatches(List<String> globs, String value) {
        return globs.stream().anyMatch(glob -> of(glob).matches(value));
    }

    /** Appends a glob's text to the runs: each '*' ends the current run. */
    private static void appendGlob(String glob, List<String> literals, StringBuilder run) {
        for (int i = 0; i < glob.length(); i++) {
            if (glob.charAt(i) == '*') {
                literals.add(run.toString());
                run.setLength(0);
            } else {
                run.append(glob.charAt(i));
            }
        }
    }

    /** The first index at or after {@code from} where {@code literal} occurs, ending by {@code end}; -1 if none. */
    private static int find(CharSequence value, String literal, int from, int end) {
        for (int at = from; at + literal.length() <= end; at++) {
            if (occursAt(value, literal, at)) {
                return at;
            }
        }
        return -1;
    }

    private static boolean occursAt(CharSequence value, String literal, int at) {
        for (int i = 0; i < literal.length(); i++) {
            if (value.charAt(at + i) != literal.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
