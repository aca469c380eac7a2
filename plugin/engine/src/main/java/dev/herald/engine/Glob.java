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
    /** What a filled value must be where the template has stars or separators: one name segment. */
    private static final Pattern SEGMENT = Pattern.compile("[a-z0-9]+");
    private static final String SEPARATORS = "-._";

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
     * A template filled from an identity: the glob, or else (glob null) the problem that keeps this
     * identity from filling it, which a 403 may show: it names placeholders and rules, never values.
     */
    record Filling(Glob glob, String problem) {
        boolean matches(CharSequence value) {
            return glob != null && glob.matches(value);
        }
    }

    /**
     * The template with its placeholders filled from an alias. Values are literal. A value must be
     * a whole name segment ([a-z0-9]+) whenever the template holds a '*' or a second placeholder: else team
     * "pay-roll" would get {@code pay-roll-*} under {@code {{alias.metadata.team}}-*}, inside team
     * "pay"'s {@code pay-*} (DESIGN §5.2 says "when one follows"; a separator or '*' before, as in
     * {@code *-{{alias.metadata.team}}}, or further away, as in {@code {{alias.metadata.team}}x-*},
     * opens the same overlap). A template with one placeholder and no '*' names one exact name per
     * value, and different names for different values, so any value may fill it.
     */
    static Filling filled(String template, String aliasName, Map<String, String> aliasMetadata) {
        List<Part> parts = parts(template);
        Optional<String> problem = templateProblem(parts, template);
        if (problem.isPresent()) {
            return new Filling(null, problem.get());
        }
        // One placeholder among fixed text names exactly one name per value, and different values
        // different names: any value may fill it (a pod UID with dashes in web-{{...}}). With a '*',
        // or a second placeholder, one identity's names could reach into another's.
        boolean segmentsOnly = parts.stream().anyMatch(part -> !part.placeholder() && part.text().indexOf('*') >= 0)
                || parts.stream().filter(Part::placeholder).count() > 1;
        List<String> literals = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        for (Part part : parts) {
            if (!part.placeholder()) {
                appendGlob(part.text(), literals, run);
                continue;
            }
            String value = part.metadataKey() == null ? aliasName : aliasMetadata.get(part.metadataKey());
            if (value == null || value.isEmpty()) {
                return new Filling(null, "the caller's identity has no value for " + part.text());
            }
            if (segmentsOnly && !SEGMENT.matcher(value).matches()) {
                return new Filling(null, "the value of " + part.text() + " must be a whole name segment (only a-z, 0-9)"
                        + " where the template has '*' or more than one placeholder, as " + template
                        + " does, and the caller's is not");
            }
            run.append(value); // literal: its '*'s are characters, not stars
        }
        literals.add(run.toString());
        return new Filling(new Glob(literals), null);
    }

    /**
     * Why no value can fill {@code template} safely, if so: a placeholder whose name segment (up
     * to the separators around it) also holds a '*' ({@code {{alias.metadata.team}}*}: team "pay"
     * would get pay*, which holds team "payroll"'s payroll*) or another placeholder (whose values
     * would run together: "ab" + "c" and "a" + "bc").
     */
    static Optional<String> templateProblem(String template) {
        return templateProblem(parts(template), template);
    }

    private static Optional<String> templateProblem(List<Part> parts, String template) {
        for (int i = 0; i < parts.size(); i++) {
            if (!parts.get(i).placeholder()) {
                continue;
            }
            for (int step : new int[] {-1, 1}) {
                Optional<String> problem = segmentNeighbour(parts, i, step, template);
                if (problem.isPresent()) {
                    return problem;
                }
            }
        }
        return Optional.empty();
    }

    /** Walks from placeholder {@code i} in direction {@code step} to the end of its segment. */
    private static Optional<String> segmentNeighbour(List<Part> parts, int i, int step, String template) {
        String placeholder = parts.get(i).text();
        for (int j = i + step; j >= 0 && j < parts.size(); j += step) {
            Part part = parts.get(j);
            if (part.placeholder()) {
                String first = step < 0 ? part.text() : placeholder;
                String second = step < 0 ? placeholder : part.text();
                return Optional.of(first + " and " + second + " share a name segment in " + template
                        + ", so their values can run together: separate them with '-', '.' or '_'");
            }
            String text = part.text();
            for (int k = step < 0 ? text.length() - 1 : 0; k >= 0 && k < text.length(); k += step) {
                char c = text.charAt(k);
                if (c == '*') {
                    return Optional.of(placeholder + " shares a name segment with '*' in " + template
                            + ", so one identity's names could hold another's: separate them with '-', '.' or '_', as in "
                            + placeholder + "-*");
                }
                if (SEPARATORS.indexOf(c) >= 0) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** A template's text between placeholders, or a placeholder ({@code metadataKey} null for alias.name). */
    private record Part(String text, boolean placeholder, String metadataKey) {
    }

    private static List<Part> parts(String template) {
        List<Part> parts = new ArrayList<>();
        Matcher placeholder = PLACEHOLDER.matcher(template);
        int last = 0;
        while (placeholder.find()) {
            if (placeholder.start() > last) {
                parts.add(new Part(template.substring(last, placeholder.start()), false, null));
            }
            parts.add(new Part(placeholder.group(), true, placeholder.group(2)));
            last = placeholder.end();
        }
        if (last < template.length()) {
            parts.add(new Part(template.substring(last), false, null));
        }
        return parts;
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
