package dev.herald.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Globs with '*' (any run of characters, none included) as roles write them, and the identity
 * placeholders {@code {{alias.name}}} and {@code {{alias.metadata.KEY}}} they may contain. A value
 * filled into a placeholder is literal: a '*' in alias metadata never widens what a role allows.
 */
final class Glob {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{alias\\.(name|metadata\\.([A-Za-z0-9_.-]{1,128}))}}");

    private final Pattern regex;

    private Glob(Pattern regex) {
        this.regex = regex;
    }

    /** A glob without placeholders. */
    static Glob of(String glob) {
        return new Glob(Pattern.compile(globRegex(glob)));
    }

    /**
     * A glob whose placeholders are filled from an alias; empty if it names metadata the alias does
     * not have (such a glob matches nothing).
     */
    static Optional<Glob> filled(String template, String aliasName, Map<String, String> aliasMetadata) {
        StringBuilder regex = new StringBuilder();
        Matcher placeholder = PLACEHOLDER.matcher(template);
        int last = 0;
        while (placeholder.find()) {
            regex.append(globRegex(template.substring(last, placeholder.start())));
            String value = placeholder.group(2) == null ? aliasName : aliasMetadata.get(placeholder.group(2));
            if (value == null || value.isEmpty()) {
                return Optional.empty();
            }
            regex.append(Pattern.quote(value));
            last = placeholder.end();
        }
        regex.append(globRegex(template.substring(last)));
        return Optional.of(new Glob(Pattern.compile(regex.toString())));
    }

    /** Whether the template uses any placeholder, i.e. needs the caller's identity. */
    static boolean hasPlaceholder(String template) {
        return PLACEHOLDER.matcher(template).find();
    }

    boolean matches(String value) {
        return regex.matcher(value).matches();
    }

    static boolean anyMatches(List<String> globs, String value) {
        return globs.stream().anyMatch(glob -> of(glob).matches(value));
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
