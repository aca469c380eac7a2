package dev.herald.engine;

import dev.herald.sdk.Backend;
import dev.herald.sdk.Log;
import dev.herald.sdk.Mount;
import dev.herald.sdk.Router;
import dev.herald.sdk.SpecialPaths;

import java.time.Clock;
import java.util.List;

/** Herald's backend for one mount: its paths, wired to the mount's storage. */
public final class HeraldBackend {
    private static final Log LOG = Log.named("herald.engine");
    /** Services the periodic tidy looks at per tick (about a minute): expired ones are already left out of records. */
    private static final int PERIODIC_TIDY_BATCH = 500;

    private HeraldBackend() {
    }

    /** The version Herald reports to the server at registration ("" until releases are versioned). */
    public static final String VERSION = "";

    public static Backend create(Mount mount) {
        return create(mount, Clock.systemUTC());
    }

    static Backend create(Mount mount, Clock clock) {
        MountState state = new MountState(mount.storage(), clock);
        Settings settings = state.settings;
        Signer signer = state.signer;
        Registry registry = state.registry;
        Roles roles = state.roles;
        PublishPath publish = new PublishPath(roles, mount.system(), settings, registry, clock);
        DiscoverPath discover = new DiscoverPath(settings, signer, registry, clock);
        java.util.concurrent.atomic.AtomicReference<String> tidyCursor = new java.util.concurrent.atomic.AtomicReference<>("");
        return Router.builder("Herald publishes workloads' public keys and signs discovery records.", """
                        Workloads generate their own key pairs and publish only public keys, write-once and
                        bound to their authenticated identity. Herald signs discovery records (keys,
                        endpoints, validity) that clients verify and pin for mutual TLS.
                        """)
                .path(ConfigPath.definition(settings, registry::dropRecords))
                .path(RolesPath.definition(roles, settings))
                .path(RolesPath.listDefinition(roles))
                .path(SignerPath.definition(signer))
                .path(SignerPath.rotateDefinition(signer, registry::dropRecords))
                .path(JwksPath.definition(signer))
                .path(publish.definition())
                .path(discover.serviceDefinition())
                .path(discover.instanceDefinition())
                .path(ServicesPath.definition(registry, clock))
                .path(HistoryPath.definition(mount.storage(), registry, clock))
                .path(RevokePath.definition(registry, clock))
                .path(TidyPath.definition(registry, clock))
                .secretType(PublishPath.SECRET_TYPE, publish::renew, publish::revoke)
                .periodic(() -> {
                    try {
                        tidyCursor.set(TidyPath.tidySome(registry, clock, tidyCursor.get(), PERIODIC_TIDY_BATCH));
                    } catch (RuntimeException e) {
                        // e.g. read-only storage on a standby, or a mount being removed: next time
                        LOG.debug("periodic tidy skipped", "error", e.getMessage());
                    }
                })
                .onInvalidate(state::invalidate)
                // A standby's caches lag the active node's writes, and a client must never see seq go
                // back: on a standby every request goes to the active node.
                .servedByTheActiveNode(mount.system())
                // jwks needs no token; the signing keys live under "signer/", which the server seal-wraps.
                .specialPaths(new SpecialPaths(List.of(JwksPath.PATTERN), List.of(), List.of("signer/"), List.of()))
                .build();
    }
}
