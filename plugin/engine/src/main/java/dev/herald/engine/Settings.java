package dev.herald.engine;

import dev.herald.sdk.Storage;

/**
 * The mount's {@link Config}, read from storage once and kept until it is written here or changed
 * elsewhere (the server's invalidation): every publish and discover needs it, and a storage round
 * trip per request would cost more than the rest of a cached discover.
 */
final class Settings {
    private final Storage storage;
    private volatile Config cached;

    Settings(Storage storage) {
        this.storage = storage;
    }

    Config get() {
        Config config = cached;
        if (config == null) {
            config = Config.load(storage);
            cached = config;
        }
        return config;
    }

    void save(Config config) {
        config.save(storage);
        cached = config;
    }

    /** Forgets the config if {@code key} is where it is stored. */
    boolean invalidate(String key) {
        if (!key.equals(Config.STORAGE_KEY)) {
            return false;
        }
        cached = null;
        return true;
    }
}
