package dev.herald.engine;

import dev.herald.sdk.Storage;

import java.time.Clock;

/** Registries for tests, each with a log of its own on the same storage (as a mount has). */
final class Registries {
    private Registries() {
    }

    static Registry withOwnLog(Storage storage) {
        return withOwnLog(storage, 4096, 16384);
    }

    static Registry withOwnLog(Storage storage, int cacheLimit, long publicationBudget) {
        return withOwnLog(storage, cacheLimit, publicationBudget, CacheTable.OversizedSlot.NONE);
    }

    static Registry withOwnLog(Storage storage, int cacheLimit, long publicationBudget, CacheTable.OversizedSlot largeService) {
        Registry[] registry = new Registry[1];
        MountLog log = new MountLog(storage, new Settings(storage), Clock.systemUTC(), key -> registry[0].invalidate(key));
        registry[0] = new Registry(storage, log, cacheLimit, publicationBudget, largeService);
        return registry[0];
    }

    /** Whether a storage key is the log's own (its entries are tested by LogWriterTest). */
    static boolean isLogs(String key) {
        return key.startsWith(LogStore.PREFIX) || key.equals(LogKey.STORAGE_KEY);
    }
}
