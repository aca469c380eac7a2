package dev.herald.engine;

import dev.herald.sdk.Backend;
import dev.herald.sdk.BackendFactory;
import dev.herald.sdk.Mount;
import dev.herald.sdk.Router;
import dev.herald.sdk.SpecialPaths;

import java.time.Clock;
import java.util.List;
import java.util.Set;

/** Herald's backend for one mount: its paths, wired to the mount's state. */
public final class HeraldBackend {
    private HeraldBackend() {
    }

    /**
     * The mounts of a plugin of {@code version} (the semantic version it reports to the server, as
     * {@code v0.1.0}): recorded in the storage layout marker, and named when a version refuses a
     * mount whose storage is newer than it reads ({@link StorageLayout}).
     */
    public static BackendFactory factory(String version) {
        return mount -> create(mount, version, Clock.systemUTC());
    }

    static Backend create(Mount mount, String version, Clock clock) {
        StorageLayout layout = new StorageLayout(mount.storage(), mount.system(), version);
        return layout.guard(router(mount, clock));
    }

    /** The log's paths a standby answers itself. */
    static final Set<String> LOG_READS = Set.of(LogCheckpointPath.PATTERN, LogKeyPath.PATTERN, LogTilePath.PATTERN,
            LogInclusionProofPath.PATTERN, LogConsistencyProofPath.PATTERN, LogWitnessedPath.PATTERN);

    /** The mount's periodic work, one after the other (each catches its own failures). */
    private static Runnable periodic(Runnable... each) {
        return () -> {
            for (Runnable run : each) {
                run.run();
            }
        };
    }

    private static Backend router(Mount mount, Clock clock) {
        MountState state = new MountState(mount.storage(), clock);
        PublishPath publish = new PublishPath(state, mount.system());
        DiscoverPath discover = new DiscoverPath(state);
        return Router.builder("Herald publishes workloads' public keys and signs discovery records.", """
                        Workloads generate their own key pairs and publish only public keys, write-once and
                        bound to their authenticated identity. Herald signs discovery records (keys,
                        endpoints, validity) that clients verify and pin for mutual TLS.
                        """)
                .path(ConfigPath.definition(state))
                .path(RolesPath.definition(state))
                .path(RolesPath.listDefinition(state))
                .path(SignerPath.definition(state))
                .path(SignerPath.rotateDefinition(state))
                .path(JwksPath.definition(state))
                .path(WellKnownJwksPath.definition(state))
                .path(LogCheckpointPath.definition(state))
                .path(LogKeyPath.definition(state))
                .path(LogTilePath.definition(state))
                .path(LogInclusionProofPath.definition(state))
                .path(LogConsistencyProofPath.definition(state))
                .path(LogWitnessedPath.definition(state))
                .path(LogCosignPath.definition(state))
                .path(publish.definition())
                .path(discover.serviceDefinition())
                .path(discover.instanceDefinition())
                .path(ServicesPath.definition(state))
                .path(HistoryPath.definition(state))
                .path(RevokePath.definition(state))
                .path(TidyPath.definition(state))
                .path(AckPath.definition(state, mount.system()))
                .path(RotationPath.definition(state))
                .path(ConsumersPath.definition(state))
                .secretType(PublishPath.SECRET_TYPE, publish::renew, publish::revoke)
                .periodic(periodic(TidyPath.periodic(state), RotationSweep.periodic(state)))
                .onInvalidate(state::invalidate)
                // The log's writer runs on the active node only; at setup it finishes what a crash left.
                .onInitialize(() -> {
                    if (!mount.system().standby()) {
                        state.log().initialize();
                    }
                })
                .onCleanup(state.log()::close)
                // A standby's caches lag the active node's writes, and a client must never see seq go
                // back: on a standby every request goes to the active node. Except the log's reads
                // (design-log §3.2): each names its tree size, and a standby serves only the sizes its
                // checkpoint covers, from what storage holds once that checkpoint is there.
                .servedByTheActiveNode(mount.system(), LOG_READS)
                // The key sets and the log's reads need no token (log/cosign does: witnesses have tokens); the signing keys live under "signer/", which
                // the server seal-wraps.
                .specialPaths(new SpecialPaths(List.of(JwksPath.PATTERN, WellKnownJwksPath.PATTERN,
                        LogCheckpointPath.PATTERN, LogKeyPath.PATTERN, LogWitnessedPath.PATTERN, "log/tile/*", "log/proof/*"),
                        List.of(),
                        List.of("signer/"), List.of()))
                .build();
    }
}
