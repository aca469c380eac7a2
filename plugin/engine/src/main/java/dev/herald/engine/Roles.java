package dev.herald.engine;

import dev.herald.sdk.Storage;

import java.util.List;
import java.util.Optional;

/**
 * The mount's roles, read from storage once and kept until written here or changed elsewhere (the
 * server's invalidation): every publish reads its role, and a storage round trip each time is a
 * fifth of what a publish costs.
 */
final class Roles {
    private static final int CACHE_LIMIT = 1024;

    private final Storage storage;
    /** Only roles that exist: a lookup of an unknown name is a storage read, and evicts nothing. */
    private final CacheTable<Role> cache = new CacheTable<>(CACHE_LIMIT, CACHE_LIMIT, role -> 1);

    Roles(Storage storage) {
        this.storage = storage;
    }

    Optional<Role> get(String name) {
        Role cached = cache.get(name);
        if (cached != null) {
            return Optional.of(cached);
        }
        // A role written or deleted while this read went on is not cached from it (CacheTable#offer).
        long stamp = cache.stamp(name);
        return Role.load(storage, name).map(role -> cache.offer(name, role, stamp));
    }

    void save(Role role) {
        role.save(storage);
        cache.put(role.name(), role);
    }

    void delete(String name) {
        Role.delete(storage, name);
        cache.remove(name);
    }

    List<String> names() {
        return Role.names(storage);
    }

    /** A storage key changed elsewhere: forget the role it holds, if it is one. */
    boolean invalidate(String key) {
        if (!key.startsWith(Role.PREFIX)) {
            return false;
        }
        cache.remove(key.substring(Role.PREFIX.length()));
        return true;
    }
}
