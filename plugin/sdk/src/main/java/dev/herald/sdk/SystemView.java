package dev.herald.sdk;

import java.time.Duration;
import java.util.Optional;

/** What the server tells a mount about its settings and about callers. */
public interface SystemView {
    /** The mount's default lease TTL. */
    Duration defaultLeaseTtl();

    /** The mount's maximum lease TTL. */
    Duration maxLeaseTtl();

    /** True while the mount is being removed. */
    boolean tainted();

    /** True if this mount is local to the cluster (not replicated). */
    boolean localMount();

    /** The identity entity with this id, or empty if there is none. */
    Optional<Entity> entity(String entityId);

    /** The server's version, e.g. "2.7.2" for OpenBao or "1.21.0" for Vault. */
    String serverVersion();

    /**
     * True on a standby node that serves requests itself (OpenBao's read-enabled standbys, Vault
     * Enterprise's performance standbys): its storage is read-only, and it learns of the active
     * node's writes only later. Fixed for the life of a mount: a node that changes role sets its
     * mounts up again.
     */
    default boolean standby() {
        return false;
    }
}
