package dev.herald.sdk;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A caller's identity as the server's identity store knows it: the entity and its aliases, one
 * per auth mount the caller has logged in through.
 */
public record Entity(String id, String name, Map<String, String> metadata, List<Alias> aliases, boolean disabled) {
    public Entity {
        metadata = Map.copyOf(metadata);
        aliases = List.copyOf(aliases);
    }

    /** One login identity of an entity: the name and metadata an auth mount gave it. */
    public record Alias(String id, String mountAccessor, String mountType, String name, Map<String, String> metadata) {
        public Alias {
            metadata = Map.copyOf(metadata);
        }
    }

    /** The entity's alias on the auth mount with this accessor, if it has one. */
    public Optional<Alias> aliasOn(String mountAccessor) {
        return aliases.stream().filter(alias -> alias.mountAccessor().equals(mountAccessor)).findFirst();
    }
}
