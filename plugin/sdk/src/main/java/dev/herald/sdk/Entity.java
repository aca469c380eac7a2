package dev.herald.sdk;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A caller's identity as the server's identity store knows it: the entity and its aliases, one
 * per auth mount the caller has logged in through.
 *
 * @param id       the entity's id
 * @param name     the entity's name
 * @param metadata the entity's metadata
 * @param aliases  its aliases, one per auth mount
 * @param disabled whether the entity is disabled (its tokens are refused)
 */
public record Entity(String id, String name, Map<String, String> metadata, List<Alias> aliases, boolean disabled) {
    /** Copies the metadata and the aliases: an entity does not change after it is made. */
    public Entity {
        metadata = Map.copyOf(metadata);
        aliases = List.copyOf(aliases);
    }

    /**
     * One login identity of an entity: the name and metadata an auth mount gave it.
     *
     * @param id            the alias's id
     * @param mountAccessor the accessor of the auth mount it belongs to
     * @param mountType     that auth mount's type, e.g. "jwt"
     * @param name          its name on that mount, e.g. the JWT's subject
     * @param metadata      the metadata the auth mount gave it
     */
    public record Alias(String id, String mountAccessor, String mountType, String name, Map<String, String> metadata) {
        /** Copies the metadata: an alias does not change after it is made. */
        public Alias {
            metadata = Map.copyOf(metadata);
        }
    }

    /**
     * The entity's alias on an auth mount.
     *
     * @param mountAccessor the auth mount's accessor
     * @return the alias, or empty if the entity has none on that mount
     */
    public Optional<Alias> aliasOn(String mountAccessor) {
        return aliases.stream().filter(alias -> alias.mountAccessor().equals(mountAccessor)).findFirst();
    }
}
