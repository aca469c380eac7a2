package dev.herald.client.auth;

import dev.herald.client.VaultClient;
import java.util.Map;
import java.util.regex.Pattern;

/** The common part of the methods that {@code POST auth/MOUNT/login}: the mount path and the request. */
final class AuthMount {
    // Vault mount paths are free-form, but ours become part of a URL path: keep them to what a path segment safely holds
    private static final Pattern MOUNT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");

    private AuthMount() {
    }

    /** {@code mount} without surrounding slashes, checked. */
    static String check(String mount) {
        if (mount == null) {
            throw new IllegalArgumentException("the auth mount is missing");
        }
        String path = mount.strip().replaceAll("^/+|/+$", "");
        if (!MOUNT.matcher(path).matches() || path.contains("..")) {
            throw new IllegalArgumentException("the auth mount must be a path like \"jwt\" or \"kubernetes/prod\""
                    + " (letters, digits, '.', '_', '-' and '/'), not \"" + mount + "\"");
        }
        return path;
    }

    /** Sends {@code body} to {@code auth/MOUNT/login} (no token) and reads the {@code auth} block. */
    static LoginToken login(VaultClient vault, String mount, Map<String, ?> body) {
        String path = "auth/" + mount + "/login";
        return LoginToken.fromAuth(vault.post(path, body, null).auth(), "POST /v1/" + path);
    }

    /** Requires a non-blank value for a builder. */
    static String required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        return value.strip();
    }
}
