package dev.herald.engine;

import dev.herald.sdk.Backend;
import dev.herald.sdk.Caller;
import dev.herald.sdk.Entity;
import dev.herald.sdk.Lease;
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
    /** The plugin version the fixture's backend reports. */
    static final String VERSION = "v0.1.0";
    static final Request.MountInfo MOUNT = new Request.MountInfo("herald/", "herald", "acc");

    final InMemoryStorage storage;
    final MutableClock clock;
    final Backend backend;

    EngineFixture() {
        this(Map.of());
    }

    /** @param entities the identity entities callers may have, by id */
    EngineFixture(Map<String, Entity> entities) {
        this(entities, new InMemoryStorage(), new MutableClock());
    }

    /** A second backend over an existing mount's storage: what a restarted plugin sees. */
    EngineFixture(Map<String, Entity> entities, InMemoryStorage storage, MutableClock clock) {
        this(entities, storage, clock, false);
    }

    /** @param standby whether the mount is on a standby node (read-only storage) */
    EngineFixture(Map<String, Entity> entities, InMemoryStorage storage, MutableClock clock, boolean standby) {
        this.storage = storage;
        this.clock = clock;
        backend = HeraldBackend.create(new Mount(storage, new FixedSystemView(entities, standby), Map.of(), "uuid"),
                VERSION, clock);
    }

    static Request request(Operation operation, String path, Map<String, Object> data) {
        return request(operation, path, data, Caller.NONE);
    }

    static Request request(Operation operation, String path, Map<String, Object> data, Caller caller) {
        return new Request("r", operation, path, data, caller, MOUNT, null);
    }

    Response send(Operation operation, String path, Map<String, Object> data) {
        return backend.handle(request(operation, path, data));
    }

    /** A request as the caller sends it: the existence check first decides create or update, as the server does. */
    Response write(String path, Map<String, Object> data, Caller caller) {
        Request update = request(Operation.UPDATE, path, data, caller);
        boolean exists = backend.exists(update).orElse(true);
        return backend.handle(exists ? update : update.withOperation(Operation.CREATE));
    }

    /** The server calling back about a lease the mount issued (renew or revoke). */
    Response lease(Operation operation, Lease lease) {
        return backend.handle(Request.forLease("r", operation, "publish/x/y", Map.of(), Caller.NONE, MOUNT, lease));
    }

    Optional<Boolean> exists(String path) {
        return backend.exists(request(Operation.UPDATE, path, Map.of()));
    }
}
