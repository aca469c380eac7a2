package dev.herald.engine;

import dev.herald.sdk.Storage;
import dev.herald.sdk.testing.InMemoryStorage;

import java.util.List;
import java.util.Optional;

/** Storage in memory that a test subclasses to watch or disturb some of the calls. */
abstract class DelegatingStorage implements Storage {
    final InMemoryStorage inner;

    DelegatingStorage(InMemoryStorage inner) {
        this.inner = inner;
    }

    @Override
    public Optional<byte[]> get(String key) {
        return inner.get(key);
    }

    @Override
    public void put(String key, byte[] value) {
        inner.put(key, value);
    }

    @Override
    public void delete(String key) {
        inner.delete(key);
    }

    @Override
    public List<String> list(String prefix) {
        return inner.list(prefix);
    }
}
