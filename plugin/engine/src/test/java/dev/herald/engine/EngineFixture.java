package dev.herald.engine;

import dev.herald.sdk.Backend;
import dev.herald.sdk.Caller;
import dev.herald.sdk.Mount;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.testing.FixedSystemView;
import dev.herald.sdk.testing.InMemoryStorage;

import java.util.Map;
import java.util.Optional;

/** One Herald mount in memory, mounted at "herald/", for unit tests of its paths. */
final class EngineFixture {
    final InMemoryStorage storage = new InMemoryStorage();
    final Backend backend = HeraldBackend.create(new Mount(storage, new FixedSystemView(), Map.of(), "uuid"));

    static Request request(Operation operation, String path, Map<String, Object> data) {
        return new Request("r", operation, path, data, Caller.NONE, new Request.MountInfo("herald/", "herald", "acc"), null);
    }

    Response send(Operation operation, String path, Map<String, Object> data) {
        return backend.handle(request(operation, path, data));
    }

    Optional<Boolean> exists(String path) {
        return backend.exists(request(Operation.UPDATE, path, Map.of()));
    }
}
