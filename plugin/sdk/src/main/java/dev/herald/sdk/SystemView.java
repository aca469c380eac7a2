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
}
