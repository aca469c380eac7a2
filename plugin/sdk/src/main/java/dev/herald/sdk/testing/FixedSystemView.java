package dev.herald.sdk.testing;

import dev.herald.sdk.Entity;
import dev.herald.sdk.SystemView;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link SystemView} with a dev server's defaults and a fixed set of identity entities: for unit
 * tests of a plugin's paths. Integration tests use a real server instead.
 */
public final class FixedSystemView implements SystemView {
    private final Map<String, Entity> entities;
    private final boolean standby;

    /**
     * A primary node's view with these entities.
     *
     * @param entities the entities callers may have, by id
     */
    public FixedSystemView(Map<String, Entity> entities) {
        this(entities, false);
    }

    /**
     * A view with these entities, on a standby node or not.
     *
     * @param entities the entities callers may have, by id
     * @param standby  whether the mount is on a standby node that serves requests itself
     */
    public FixedSystemView(Map<String, Entity> entities, boolean standby) {
        this.entities = Map.copyOf(entities);
        this.standby = standby;
    }

    /** A primary node's view without identity entities. */
    public FixedSystemView() {
        this(Map.of());
    }

    @Override
    public Duration defaultLeaseTtl() {
        return Duration.ofDays(32); // the servers' built-in default
    }

    @Override
    public Duration maxLeaseTtl() {
        return Duration.ofDays(32);
    }

    @Override
    public boolean tainted() {
        return false;
    }

    @Override
    public boolean localMount() {
        return false;
    }

    @Override
    public Optional<Entity> entity(String entityId) {
        return Optional.ofNullable(entities.get(entityId));
    }

    @Override
    public String serverVersion() {
        return "test";
    }

    @Override
    public boolean standby() {
        return standby;
    }
}
