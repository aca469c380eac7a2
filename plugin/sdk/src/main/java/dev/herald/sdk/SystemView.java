package dev.herald.sdk;

import java.time.Duration;
import java.util.Optional;

/** What the server tells a mount about its settings and about callers. */
public interface SystemView {
    /** {@return the mount's default lease TTL} */
    Duration defaultLeaseTtl();

    /** {@return the mount's maximum lease TTL} */
    Duration maxLeaseTtl();

    /** {@return true while the mount is being removed} */
    boolean tainted();

    /** {@return true if this mount is local to the cluster (not replicated)} */
    boolean localMount();

    /**
     * Looks an identity entity up.
     *
     * @param entityId the entity's id, e.g. {@link Caller#entityId()}
     * @return the entity, or empty if there is none with this id
     */
    Optional<Entity> entity(String entityId);

    /** {@return the server's version, e.g. "2.7.2" for OpenBao or "1.21.0" for Vault} */
    String serverVersion();

    /**
     * True on a standby node that serves requests itself (OpenBao's read-enabled standbys, Vault
     * Enterprise's performance standbys): its storage is read-only, and it learns of the active
     * node's writes only later. Fixed for the life of a mount: a node that changes role sets its
     * mounts up again.
     *
     * @return whether this node is such a standby
     */
    default boolean standby() {
        return false;
    }
}
