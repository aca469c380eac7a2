package dev.herald.sdk;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The mount's private storage, kept by the server (encrypted at rest, replicated, snapshotted).
 * Keys are relative to the mount. Failures throw {@link StorageException}.
 */
public interface Storage {
    /**
     * Reads one entry.
     *
     * @param key the key, relative to the mount
     * @return the value stored at {@code key}, or empty
     */
    Optional<byte[]> get(String key);

    /**
     * Stores {@code value} at {@code key}, replacing any value there.
     *
     * @param key   the key, relative to the mount
     * @param value the bytes to store
     */
    void put(String key, byte[] value);

    /**
     * Stores every entry, in no particular order: the server may write them concurrently, so that
     * the call takes about one round trip instead of one per entry. Returns once every write is
     * done; if any failed it throws after all have ended, and then each entry may or may not be
     * stored. Use it only for entries whose order does not matter to a crash.
     *
     * @param entries the values to store, by key
     */
    default void putAll(Map<String, byte[]> entries) {
        StorageException failed = null;
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            try {
                put(entry.getKey(), entry.getValue());
            } catch (StorageException e) {
                failed = failed == null ? e : failed; // the others are still written, as concurrent writes would be
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * Removes {@code key}; removing a missing key is not an error.
     *
     * @param key the key, relative to the mount
     */
    void delete(String key);

    /**
     * The keys directly below {@code prefix} (which is empty or ends in '/'): one level only;
     * entries that have keys below them end in '/'.
     *
     * @param prefix "" for the top level, or a prefix ending in '/'
     * @return the keys below it, relative to {@code prefix}
     */
    List<String> list(String prefix);
}
