package dev.herald.engine;

/**
 * One value read from storage and kept, with {@link CacheTable}'s rule for loads that race a
 * write: a reader takes a {@link #stamp} before it reads storage and {@link #offer}s what it read,
 * which is kept only if nothing was {@link #put} or {@link #clear}ed since. So a slow first read
 * never puts an old config or an old list of signing keys back over a newer one.
 */
final class CachedValue<T> {
    private T value;
    private long version;

    synchronized T get() {
        return value;
    }

    synchronized long stamp() {
        return version;
    }

    /** Keeps {@code loaded} unless a write or a clear came since {@code stamp}; returns what to use. */
    synchronized T offer(T loaded, long stamp) {
        if (value != null) {
            return value;
        }
        if (version == stamp) {
            value = loaded;
        }
        return loaded;
    }

    /** What a writer just stored. */
    synchronized void put(T written) {
        version++;
        value = written;
    }

    /** The stored value changed elsewhere. */
    synchronized void clear() {
        version++;
        value = null;
    }
}
