package dev.herald.engine;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;

import dev.herald.tlog.NoteVerifier;

import java.time.Duration;
import java.util.List;

/** {@code config}: the mount-wide defaults and limits (DESIGN §5.1). */
final class ConfigPath {
    private ConfigPath() {
    }

    private static final Config D = Config.DEFAULTS;

    static final Field<Duration> DEFAULT_TTL = Field.duration("default_ttl",
            "Lifetime of a publication when its role sets none.").defaultValue(D.defaultTtl()).positive();
    static final Field<Duration> MAX_TTL = Field.duration("max_ttl",
            "Longest lifetime of a publication, renewals included; no role may allow more.")
            .defaultValue(D.maxTtl()).positive();
    static final Field<Double> ROTATION_WINDOW = Field.number("rotation_window",
            "Fraction of a publication's lifetime after which its key may be rotated.")
            .defaultValue(D.rotationWindow()).strictlyBetween(0, 1);
    static final Field<Duration> MIN_OVERLAP = Field.duration("min_overlap",
            "How long an old key stays listed after its successor is published, so consumers see both.")
            .defaultValue(D.minOverlap()).notNegative();
    static final Field<Duration> RECORD_TTL = Field.duration("record_ttl",
            "How long a signed discovery record is fresh (its exp - iat).").defaultValue(D.recordTtl()).positive();
    static final Field<Duration> VERIFICATION_TTL = Field.duration("verification_ttl",
            "How long a retired signing key stays in the JWKS after a signer rotation.")
            .defaultValue(D.verificationTtl()).positive();
    static final Field<String> SIGNING_ALGORITHM = Field.string("signing_algorithm",
            "JWS algorithm of the records' signing key.").defaultValue(D.signingAlgorithm()).oneOf("EdDSA", "ES256");
    static final Field<String> ISSUER = Field.string("issuer",
            "The iss claim of every record. Empty means the mount path.").defaultValue("")
            .length(0, 256);
    static final Field<Boolean> REQUIRE_WRAPPING = Field.bool("require_wrapping",
            "Force response wrapping of discover responses, with wrap_ttl.").defaultValue(D.requireWrapping());
    static final Field<Duration> WRAP_TTL = Field.duration("wrap_ttl",
            "Lifetime of the wrapping token when require_wrapping is set.").defaultValue(D.wrapTtl()).positive();
    static final Field<Long> MAX_METADATA_BYTES = Field.integer("max_metadata_bytes",
            "Largest metadata map a publication may carry, in bytes of its JSON.")
            .defaultValue(D.maxMetadataBytes()).between(1, 1 << 20);
    static final Field<Long> MAX_RECORD_INSTANCES = Field.integer("max_record_instances",
            "Most instances one discover record lists; a larger service is read in pages (limit, after).")
            .defaultValue(D.maxRecordInstances()).between(1, 20_000);

    static final Field<List<String>> LOG_WITNESSES = Field.stringList("log_witnesses",
            "Signed-note verifier keys (type 0x04, <name>+<id>+<key>) of the witnesses whose cosignatures of the"
                    + " log's checkpoints log/cosign accepts; each name once. Empty: none.")
            .defaultValue(D.logWitnesses());

    static final Field<Duration> MAX_OVERLAP = Field.duration("max_overlap",
            "Longest a rotated-out key stays listed while consumers have not acknowledged its successor;"
                    + " at least min_overlap.").defaultValue(D.maxOverlap()).notNegative();
    static final Field<Duration> CONSUMER_TTL = Field.duration("consumer_ttl",
            "How long a consumer is waited for after its last acknowledgement or heartbeat; at least record_ttl.")
            .defaultValue(D.consumerTtl()).positive();
    static final Field<Long> MAX_CONSUMERS = Field.integer("max_consumers",
            "Most consumer sessions kept per service.").defaultValue(D.maxConsumers()).between(1, 100_000);
    static final Field<Long> MAX_CONSUMER_SESSIONS = Field.integer("max_consumer_sessions",
            "Most consumer sessions kept per identity entity and service.")
            .defaultValue(D.maxConsumerSessions()).between(1, 10_000);

    static Path definition(MountState mount) {
        return Path.pattern("config")
                .fields(DEFAULT_TTL, MAX_TTL, ROTATION_WINDOW, MIN_OVERLAP, RECORD_TTL, VERIFICATION_TTL,
                        SIGNING_ALGORITHM, ISSUER, REQUIRE_WRAPPING, WRAP_TTL, MAX_METADATA_BYTES,
                        MAX_RECORD_INSTANCES, LOG_WITNESSES, MAX_OVERLAP, CONSUMER_TTL, MAX_CONSUMERS,
                        MAX_CONSUMER_SESSIONS)
                .read("Read the mount's settings.", request -> read(mount, request))
                .update("Change some of the mount's settings; fields left out keep their values.",
                        request -> update(mount, request))
                .help("Mount-wide defaults and limits for publications and records.", """
                        Sets the lifetimes of publications (default_ttl, max_ttl), when rotation opens
                        (rotation_window) and how long old and new keys overlap (min_overlap), how long a
                        signed record stays fresh (record_ttl), the records' signing algorithm and issuer,
                        how long retired signing keys keep verifying (verification_ttl), forced response
                        wrapping of discover (require_wrapping, wrap_ttl), the metadata size limit, and
                        the most instances one record lists (max_record_instances; a larger service is
                        read in pages), and the witnesses whose cosignatures of the log's checkpoints
                        log/cosign accepts (log_witnesses).

                        Acknowledged rotation: a rotated-out key stays listed until the service's
                        consumers have acknowledged a record listing its successor, at least min_overlap
                        and at most max_overlap; a consumer counts for consumer_ttl after its last
                        acknowledgement, and max_consumers and max_consumer_sessions bound the sessions
                        kept per service and per identity.

                        Durations are written as "24h", "90s" or a number of seconds, and read back in
                        seconds. An update changes only the fields it names; the others keep their values.
                        """);
    }

    private static Response read(MountState mount, Request request) {
        return Response.data(mount.settings().get().toResponseData(request.mount().path()));
    }

    private static Response update(MountState mount, Request request) {
        // Fields the request names replace the current ones; the others keep their values.
        Config.Builder changed = mount.settings().get().toBuilder();
        request.find(DEFAULT_TTL).ifPresent(changed::defaultTtl);
        request.find(MAX_TTL).ifPresent(changed::maxTtl);
        request.find(ROTATION_WINDOW).ifPresent(changed::rotationWindow);
        request.find(MIN_OVERLAP).ifPresent(changed::minOverlap);
        request.find(RECORD_TTL).ifPresent(changed::recordTtl);
        request.find(VERIFICATION_TTL).ifPresent(changed::verificationTtl);
        request.find(SIGNING_ALGORITHM).ifPresent(changed::signingAlgorithm);
        request.find(ISSUER).ifPresent(changed::issuer);
        request.find(REQUIRE_WRAPPING).ifPresent(changed::requireWrapping);
        request.find(WRAP_TTL).ifPresent(changed::wrapTtl);
        request.find(MAX_METADATA_BYTES).ifPresent(changed::maxMetadataBytes);
        request.find(MAX_RECORD_INSTANCES).ifPresent(changed::maxRecordInstances);
        request.find(LOG_WITNESSES).ifPresent(vkeys -> changed.logWitnesses(
                Config.witnessKeys(vkeys).stream().map(NoteVerifier::vkey).toList()));
        request.find(MAX_OVERLAP).ifPresent(changed::maxOverlap);
        request.find(CONSUMER_TTL).ifPresent(changed::consumerTtl);
        request.find(MAX_CONSUMERS).ifPresent(changed::maxConsumers);
        request.find(MAX_CONSUMER_SESSIONS).ifPresent(changed::maxConsumerSessions);
        Config updated = changed.build().validated();
        mount.updateConfig(updated);
        return Response.data(updated.toResponseData(request.mount().path()));
    }
}
