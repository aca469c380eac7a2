package dev.herald.sdk.testing;

import dev.herald.sdk.Storage;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link Storage} in memory, listing one level like the servers do: for unit tests of a plugin's
 * paths. Integration tests use a real server's storage instead.
 */
public final class InMemoryStorage implements Storage {
    private final NavigableMap<String, byte[]> entries = new ConcurrentSkipListMap<>();

    /** An empty storage. */
    public InMemoryStorage() {
    }

    @Override
    public Optional<byte[]> get(String key) {
        return Optional.ofNullable(entries.get(key)).map(byte[]::clone);
    }

    @Override
    public void put(String key, byte[] value) {
        entries.put(key, value.clone());
    }

    @Override
    public void delete(String key) {
        entries.remove(key);
    }

    @Override
    public List<String> list(String prefix) {
        Set<String> keys = new LinkedHashSet<>();
        for (String key : entries.tailMap(prefix, true).keySet()) {
            if (!key.startsWith(prefix)) {
                break;
            }
            String rest = key.substring(prefix.length());
            int slash = rest.indexOf('/');
            keys.add(slash < 0 ? rest : rest.substring(0, slash + 1));
        }
        return new ArrayList<>(keys);
    }

    /** {@return every key stored, for assertions that a failed request changed nothing} */
    public Set<String> keys() {
        return Set.copyOf(entries.keySet());
    }
}
