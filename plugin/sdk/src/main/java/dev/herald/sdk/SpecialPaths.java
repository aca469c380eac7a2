package dev.herald.sdk;

import java.util.List;

/**
 * Paths the server treats specially, as patterns relative to the mount (exact, or a prefix when
 * ending in '*'; unauthenticated patterns may use '+' for one whole segment).
 *
 * @param unauthenticated  callable without a token
 * @param root             need a token with sudo capability
 * @param sealWrapStorage  storage keys (or prefixes ending in '/') the server seal-wraps
 * @param localStorage     storage prefixes not replicated to performance secondaries
 */
public record SpecialPaths(List<String> unauthenticated, List<String> root, List<String> sealWrapStorage,
                           List<String> localStorage) {
    /** No special paths. */
    public static final SpecialPaths NONE = new SpecialPaths(List.of(), List.of(), List.of(), List.of());

    /** Copies the lists: the special paths of a mount do not change. */
    public SpecialPaths {
        unauthenticated = List.copyOf(unauthenticated);
        root = List.copyOf(root);
        sealWrapStorage = List.copyOf(sealWrapStorage);
        localStorage = List.copyOf(localStorage);
    }
}
