package dev.herald.engine;

import dev.herald.sdk.Storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mount's roles, read from storage once and kept until written here or changed elsewhere (the
 * server's invalidation): every publish reads its role, and a storage round trip each time is a
 * fifth of what a publish costs.
 */
final class Roles {
    private static final int CACHE_LIMIT = 1024;

    private final Storage storage;
    private final Map<String, Optional<Role>> cache = new ConcurrentHashMap<>();

    Roles(Storage storage) {
        this.storage = storage;
    }

    Optional<Role> get(String name) {
        Optional<Role> role = cache.get(name);
        if (role == null) {
            role = Role.load(storage, name);
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.putIfAbsent(name, role);
        }
        return role;
    }

    void save(Role role) {
        role.save(storage);
        cache.put(role.name(), Optional.of(role));
    }

    void delete(String name) {
        Role.delete(storage, name);
        cache.put(name, Optional.empty());
    }

    List<String> names() {
        return Role.names(storage);
    }

    /** A storage key changed elsewhere: forget the role it holds, if it is one. */
    void invalidate(String key) {
        if (key.startsWith(Role.PREFIX)) {
            cache.remove(key.substring(Role.PREFIX.length()));
        }
    }
}
