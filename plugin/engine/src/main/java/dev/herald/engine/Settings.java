package dev.herald.engine;

import dev.herald.sdk.Storage;

/**
 * The mount's {@link Config}, read from storage once and kept until it is written here or changed
 * elsewhere (the server's invalidation): every publish and discover needs it, and a storage round
 * trip per request would cost more than the rest of a cached discover.
 */
final class Settings {
    private final Storage storage;
    /** One entry, kept by the stamp rule of {@link CacheTable}: a slow first read never puts an older value back. */
    private final CacheTable<Config> cached = new CacheTable<>(1, 1, value -> 1);

    Settings(Storage storage) {
        this.storage = storage;
    }

    Config get() {
        Config config = cached.get(Config.STORAGE_KEY);
        if (config != null) {
            return config;
        }
        long stamp = cached.stamp(Config.STORAGE_KEY);
        return cached.offer(Config.STORAGE_KEY, Config.load(storage), stamp);
    }

    void save(Config config) {
        config.save(storage);
        cached.put(Config.STORAGE_KEY, config);
    }

    /** Forgets the config if {@code key} is where it is stored. */
    boolean invalidate(String key) {
        if (!key.equals(Config.STORAGE_KEY)) {
            return false;
        }
        cached.remove(Config.STORAGE_KEY);
        return true;
    }
}
