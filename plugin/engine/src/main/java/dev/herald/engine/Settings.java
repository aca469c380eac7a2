package dev.herald.engine;

import dev.herald.sdk.Storage;

/**
 * The mount's {@link Config}, read from storage once and kept until it is written here or changed
 * elsewhere (the server's invalidation): every publish and discover needs it, and a storage round
 * trip per request would cost more than the rest of a cached discover.
 */
final class Settings {
    private final Storage storage;
    private final CachedValue<Config> cached = new CachedValue<>();

    Settings(Storage storage) {
        this.storage = storage;
    }

    Config get() {
        Config config = cached.get();
        if (config != null) {
            return config;
        }
        long stamp = cached.stamp();
        return cached.offer(Config.load(storage), stamp);
    }

    void save(Config config) {
        config.save(storage);
        cached.put(config);
    }

    /** Forgets the config if {@code key} is where it is stored. */
    boolean invalidate(String key) {
        if (!key.equals(Config.STORAGE_KEY)) {
            return false;
        }
        cached.clear();
        return true;
    }
}
