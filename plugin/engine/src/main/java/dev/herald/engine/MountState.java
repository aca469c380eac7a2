package dev.herald.engine;

import dev.herald.sdk.Storage;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Everything one mount keeps of its storage, and the clock it reads time from: the config, the
 * roles, the signing keys, the services, their history and the signed records made of them. Each
 * piece has one owner here; paths reach storage only through these owners. The changes that
 * concern more than one owner are operations of this class ({@link #updateConfig},
 * {@link #rotateSigner}), and {@link #invalidate} is the one place the server's word that a storage
 * key changed elsewhere (another node, a replication) reaches them.
 */
final class MountState {
    private final Storage storage;
    private final Clock clock;
    private final Settings settings;
    private final Roles roles;
    private final Signer signer;
    private final Registry registry;
    private final MountLog log;
    private final LogReader logReader;
    private final WitnessedCheckpoint witnessed;
    private final SignedRecords records = new SignedRecords();
    private final AckTokens ackTokens;
    private final Consumers consumers;

    MountState(Storage storage, Clock clock) {
        this.storage = storage;
        this.clock = clock;
        settings = new Settings(storage);
        roles = new Roles(storage);
        // A roll-forward writes a crashed batch's entries behind the registry's back: like a write
        // by another node, they reach it as invalidations.
        logReader = new LogReader(storage);
        witnessed = new WitnessedCheckpoint(storage);
        log = new MountLog(storage, settings, clock, this::invalidate, logReader::advance);
        signer = new Signer(storage, settings, clock, log);
        consumers = new Consumers(storage);
        registry = new Registry(storage, log, (service, old) -> consumers.laggardsIfLoaded(service,
                old.overlap().orElseThrow(), settings.get().consumerTtl()));
        ackTokens = new AckTokens(storage, clock);
    }

    Clock clock() {
        return clock;
    }

    /** The config: read it here; change it with {@link #updateConfig}. */
    Settings settings() {
        return settings;
    }

    Roles roles() {
        return roles;
    }

    /** The signing keys: read them here; rotate them with {@link #rotateSigner}. */
    Signer signer() {
        return signer;
    }

    Registry registry() {
        return registry;
    }

    SignedRecords records() {
        return records;
    }

    /** The consumer sessions of the mount's services (acknowledged rotation). */
    Consumers consumers() {
        return consumers;
    }

    /** The tokens every discover answer carries and every acknowledgement brings back. */
    AckTokens ackTokens() {
        return ackTokens;
    }

    /** Writes the config; no record signed before is reused (they carry its issuer and record_ttl). */
    void updateConfig(Config config) {
        settings.save(config);
        records.clear();
    }

    /** Rotates the signing key; no record signed before is reused (they carry the old key's kid). */
    SigningKey rotateSigner(PublisherIdentity operator) {
        SigningKey next = signer.rotate(operator);
        records.clear();
        return next;
    }

    /**
     * Part of the service's history (as long as this state of it counts, events {@code from} on, at
     * most {@code limit}), with the signer rotations among them.
     */
    History.Page history(ServiceState service, long from, long limit) {
        return History.read(storage, service.service(), service.historyLength(), from, limit);
    }

    MountLog log() {
        return log;
    }

    /** What the log serves: its checkpoint, tiles and proofs (on every node). */
    LogReader logReader() {
        return logReader;
    }

    /** The checkpoint witnesses cosigned ({@code log/cosign}, {@code log/witnessed}). */
    WitnessedCheckpoint witnessed() {
        return witnessed;
    }

    /** A storage key changed elsewhere: whoever caches it forgets it. */
    void invalidate(String key) {
        if (logReader.invalidate(key) || consumers.invalidate(key)) {
            return;
        }
        if (settings.invalidate(key) || signer.invalidate(key) || ackTokens.invalidate(key)) {
            records.clear(); // records carry the issuer, the signing key and an ack token
        } else if (!roles.invalidate(key)) {
            registry.invalidate(key); // the next read is a new revision: the service's records are not reused
        }
    }
}
