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

    /** @param entities the entities callers may have, by id */
    public FixedSystemView(Map<String, Entity> entities) {
        this.entities = Map.copyOf(entities);
    }

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
}
