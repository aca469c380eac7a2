package dev.herald.engine;

import dev.herald.sdk.Storage;

import java.time.Clock;

/**
 * Everything one mount keeps in memory of its storage: the config, the roles, the signing keys and
 * the services (with their signed records). Each piece has one owner here, and {@link #invalidate}
 * is the one place the server's word that a storage key changed elsewhere (another node, a
 * replication) reaches them.
 */
final class MountState {
    final Settings settings;
    final Roles roles;
    final Signer signer;
    final Registry registry;

    MountState(Storage storage, Clock clock) {
        settings = new Settings(storage);
        roles = new Roles(storage);
        signer = new Signer(storage, settings, clock);
        registry = new Registry(storage);
    }

    /** A storage key changed elsewhere: whoever caches it forgets it. */
    void invalidate(String key) {
        if (settings.invalidate(key) || signer.invalidate(key)) {
            registry.dropRecords(); // records carry the issuer and the signing key
        } else if (!roles.invalidate(key)) {
            registry.invalidate(key);
        }
    }
}
