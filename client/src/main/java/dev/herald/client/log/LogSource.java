package dev.herald.client.log;

import dev.herald.client.VaultClient;
import dev.herald.client.VaultException;

/**
 * Where the log's raw resources are read: the path below {@code <mount>/log/} ({@link LogWire}) →
 * the body. Nothing read is trusted: every byte is checked against a signed checkpoint.
 */
@FunctionalInterface
public interface LogSource {
    /**
     * {@return the body of {@code <mount>/log/<path>}}
     *
     * @throws VaultException if the server refuses (404: not there) or does not answer
     */
    byte[] get(String path);

    /** The log of the engine mounted at {@code mount}, read without a token (its paths are unauthenticated). */
    static LogSource of(VaultClient vault, String mount) {
        String prefix = mount.replaceAll("^/+|/+$", "") + "/log/";
        return path -> vault.getRaw(prefix + path);
    }
}
