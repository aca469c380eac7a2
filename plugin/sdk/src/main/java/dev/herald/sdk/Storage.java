package dev.herald.sdk;

import java.util.List;
import java.util.Optional;

/**
 * The mount's private storage, kept by the server (encrypted at rest, replicated, snapshotted).
 * Keys are relative to the mount. Failures throw {@link StorageException}.
 */
public interface Storage {
    /** The value stored at {@code key}, or empty. */
    Optional<byte[]> get(String key);

    /** Stores {@code value} at {@code key}, replacing any value there. */
    void put(String key, byte[] value);

    /** Removes {@code key}; removing a missing key is not an error. */
    void delete(String key);

    /**
     * The keys directly below {@code prefix} (which is empty or ends in '/'): one level only;
     * entries that have keys below them end in '/'.
     */
    List<String> list(String prefix);
}
