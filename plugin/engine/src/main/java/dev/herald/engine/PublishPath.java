package dev.herald.engine;

import dev.herald.sdk.Durations;
import dev.herald.sdk.Field;
import dev.herald.sdk.Lease;
import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.SystemView;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code publish/:service/:instance}: a workload publishes its public key, write-once and bound to
 * its identity (DESIGN §5.3). Also the renew and revoke handlers of the publications' leases.
 */
final class PublishPath {
    /** The secret type of publication leases: renew and revoke come back to this class. */
    static final String SECRET_TYPE = "publication";

    static final Field<String> SERVICE = Field.string("service", "Name of the service.")
            .matching(Names.PATTERN, Names.RULE);
    static final Field<String> INSTANCE = Field.string("instance", "Name of the instance within the service.")
            .matching(Names.PATTERN, Names.RULE);
    static final Field<String> ROLE = Field.string("role", "The role to publish under.").required()
            .matching(Names.PATTERN, "name a role (1-128 characters of a-z, 0-9, '.', '_' and '-')");
    static final Field<String> CSR = Field.string("csr",
            "PKCS#10 certificate request (PEM) for the key; its self-signature proves possession of the private key.");
    static final Field<String> CERTIFICATE = Field.string("certificate",
            "Self-signed X.509 certificate (PEM) of the key, as proof of possession.");
    static final Field<String> PUBLIC_KEY = Field.string("public_key",
            "The key as SubjectPublicKeyInfo PEM, without proof: only if the role has require_proof=false.");
    static final Field<List<String>> ENDPOINTS = Field.stringList("endpoints",
            "Where the instance listens: host:port or URLs, within the role's allowed names, networks and ports.")
            .defaultValue(List.of());
    static final Field<List<String>> IP_ADDRESSES = Field.stringList("ip_addresses",
            "IP addresses of the instance, within the role's allowed_cidrs.").defaultValue(List.of());
    static final Field<List<String>> DNS_NAMES = Field.stringList("dns_names",
            "DNS names of the instance, within the role's allowed_dns_names.").defaultValue(List.of());
    static final Field<Map<String, String>> METADATA = Field.stringMap("metadata",
            "Free-form string map carried in records; at most max_metadata_bytes of JSON.").defaultValue(Map.of());
    static final Field<Duration> TTL = Field.duration("ttl",
            "Requested lifetime; at most the role's (or mount's) max_ttl. Default: the role's ttl, else default_ttl.")
            .positive();
    static final Field<String> CONTINUITY = Field.string("continuity",
            "For a rotation, or a new key after the instance's publication ended: base64url signature by the instance's"
                    + " last key over the continuity message (herald-continuity-v1, issuer, service, instance, the"
                    + " generation replaced, the new key's fingerprint; one per line).");

    private final Roles roles;
    private final SystemView system;
    private final Settings settings;
    private final Registry registry;
    private final Consumers consumers;
    private final Clock clock;

    PublishPath(MountState mount, SystemView system) {
        this.roles = mount.roles();
        this.system = system;
        this.settings = mount.settings();
        this.registry = mount.registry();
        this.consumers = mount.consumers();
        this.clock = mount.clock();
    }

    Path definition() {
        return Path.pattern("publish/:service/:instance")
                .fields(SERVICE, INSTANCE, ROLE, CSR, CERTIFICATE, PUBLIC_KEY, ENDPOINTS, IP_ADDRESSES, DNS_NAMES,
                        METADATA, TTL, CONTINUITY)
                // exists iff the instance has a live publication: the first write needs "create", a rotation "update"
                .existence(request -> registry.state(request.get(SERVICE))
                        .current(request.get(INSTANCE), clock.instant()).isPresent())
                .create("Publish the first key of an instance.", this::publish)
                .update("Re-publish (unchanged) or rotate an instance's key.", this::publish)
                .help("Publish an instance's public key: write-once, bound to the publisher's identity.", """
                        The body names the role and carries exactly one of csr (PKCS#10, whose signature
                        proves possession of the private key), certificate (self-signed X.509) or
                        public_key (only if the role has require_proof=false), with the endpoints,
                        ip_addresses, dns_names and metadata to publish beside it.

                        A publication never changes. Writing the same key and claims again answers with the
                        live publication and unchanged=true. A different key for a live instance is a
                        rotation: allowed once rotation_window of the current publication's lifetime has
                        passed, and only with continuity: the current private key's signature, base64url,
                        over the continuity message, six lines joined by "\\n" with no final newline:
                        herald-continuity-v1, the mount's issuer, the service, the instance, the generation
                        being replaced (decimal) and the new key's fingerprint (sha256:<hex of SPKI>).
                        Algorithms: Ed25519; ECDSA with SHA-256 (P-256) or SHA-384 (P-384), DER or r||s; RSA
                        PKCS#1 v1.5 or PSS with SHA-256. The old key stays listed for min_overlap (or until
                        it ends, if sooner). Anything else is a 409.

                        An instance never forgets its key: when its publication ends (expiry, lease end,
                        the publisher's token revoked, operator revoke) the last key stays as a tombstone.
                        The same key and claims again revive the instance; a different key or other claims
                        need continuity by that last key (the rotation window does not apply). Only an
                        operator clears a tombstone (revoke with reset=true).

                        The path exists while the instance has a live publication, so a policy granting
                        only "create" allows the first publication and refuses every later write.

                        With lease_bound (the default) the answer carries a renewable lease: renewing it
                        extends not_after (up to max_ttl from publication) and never brings it forward: an
                        increment shorter than the time that remains is refused (400), and the lease keeps
                        its end. When the lease ends (expiry, lease revoke, the publisher's token revoked)
                        the publication ends.
                        """);
    }

    private Response publish(Request request) {
        String service = request.get(SERVICE);
        String instance = request.get(INSTANCE);
        Config config = settings.get();
        Role role = roles.get(request.get(ROLE)).orElseThrow(() ->
                VaultException.badRequest("invalid role: no role named " + request.get(ROLE)));
        PublisherIdentity publisher = PublisherIdentity.of(request, role, system);
        publisher.requireAllowed(role, service, instance);
        PublisherKey key = key(request, role);
        PublisherKeys.requireAllowed(key, role.keyTypes(), role.minRsaBits(), role.name());
        EndpointClaims claims = EndpointClaims.builder()
                .endpoints(request.get(ENDPOINTS))
                .ipAddresses(request.get(IP_ADDRESSES))
                .dnsNames(request.get(DNS_NAMES))
                .build()
                .checkedAgainst(role);
        Map<String, String> metadata = checkedMetadata(request.get(METADATA), config);

        Duration maxTtl = min(role.maxTtl().isZero() ? config.maxTtl() : role.maxTtl(), system.maxLeaseTtl());
        Duration wanted = request.find(TTL).orElse(role.ttl().isZero() ? config.defaultTtl() : role.ttl());
        Duration ttl = min(wanted, maxTtl);
        Optional<String> continuity = request.find(CONTINUITY);

        String issuer = config.effectiveIssuer(request.mount().path());
        boolean consumersCounted = consumersCounted(service, instance, key, config);
        Duration maxOverlap = max(role.maxOverlap().isZero() ? config.maxOverlap() : role.maxOverlap(), config.minOverlap());
        // The change may run more than once (a retry): only its last run's rotation is answered.
        java.util.concurrent.atomic.AtomicReference<Optional<Overlap>> rotation =
                new java.util.concurrent.atomic.AtomicReference<>(Optional.empty());

        Registry.Logged<Response> logged = registry.changeLogged(service, state -> {
            rotation.set(Optional.empty());
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            ServiceState pruned = state.pruned(now);
            Optional<Publication> current = pruned.current(instance, now);
            List<Publication> next = new ArrayList<>(pruned.of(instance));
            long generation = pruned.nextGeneration(instance);
            String eventType = "publish";
            String detail = "role " + role.name();
            if (current.isPresent()) {
                Publication live = current.get();
                if (live.sameContent(key, claims, metadata)) {
                    return Registry.Change.none(Response.data(responseData(service, live, state.sequenceAt(now), true)));
                }
                requireRotation(service, live, key, continuity, config, now);
                requireContinuity(live, new ContinuityMessage(issuer, service, instance, live.generation(),
                        key.fingerprint()), continuity.orElseThrow());
                // docs/design-ack.md §1.2: with counted consumers the old key stays until they have
                // all installed a record listing the new one (at most max_overlap), else min_overlap.
                Overlap overlap = Overlap.builder().startedAt(now).awaitingSequence(pruned.seq() + 1)
                        .oldNotAfter(live.notAfter()).minOverlap(config.minOverlap()).maxOverlap(maxOverlap)
                        .recordTtl(config.recordTtl()).consumersCounted(consumersCounted).build();
                next.remove(live);
                next.add(live.toBuilder().notAfter(overlap.oldListedUntil()).superseded(true)
                        .overlap(consumersCounted ? Optional.of(overlap) : Optional.empty()).build());
                rotation.set(Optional.of(overlap));
                eventType = "rotate";
            } else {
                Optional<Publication> last = pruned.last(instance);
                if (last.isPresent()) {
                    // The instance's publication ended, and it keeps its key: the same content revives it,
                    // anything else needs that key's consent, whoever holds a token for the instance.
                    Publication ended = last.get();
                    if (ended.sameContent(key, claims, metadata)) {
                        eventType = "revive";
                    } else {
                        requireContinuityAfterEnd(service, ended, continuity);
                        requireContinuity(ended, new ContinuityMessage(issuer, service, instance, ended.generation(),
                                key.fingerprint()), continuity.get());
                        eventType = "rotate";
                    }
                    detail += ", after the end of generation " + ended.generation();
                }
            }
            Publication published = Publication.builder()
                    .instance(instance)
                    .generation(generation)
                    .key(key)
                    .claims(claims)
                    .metadata(metadata)
                    .notBefore(now)
                    .notAfter(now.plus(ttl))
                    .maxNotAfter(now.plus(maxTtl))
                    .ttl(ttl)
                    .role(role.name())
                    .publisher(publisher)
                    .leaseBound(role.leaseBound())
                    .superseded(false)
                    .build();
            next.add(published);
            ServiceState changed = pruned.changed(instance, next);
            History.Event event = History.Event.builder().type(eventType).time(now).about(published).actor(publisher)
                    .sequence(changed.seq()).detail(detail).build();
            Map<String, Object> data = responseData(service, published, changed.seq(), false);
            rotation.get().ifPresent(overlap -> data.put("rotation", rotationData(overlap)));
            Response answer = Response.data(data);
            if (role.leaseBound()) {
                answer = answer.withLease(Lease.renewable(SECRET_TYPE, ttl, maxTtl,
                        Map.of("service", service, "instance", instance, "generation", generation)));
            }
            return new Registry.Change<>(changed, List.of(event), answer);
        });
        if (rotation.get().filter(overlap -> overlap.outcome() == Overlap.Outcome.PENDING).isPresent()) {
            consumers.awaits(service); // for the sweep
        }
        Response response = logged.committed().map(committed -> withLog(logged.result(), committed)).orElse(logged.result());
        if (wanted.compareTo(ttl) > 0) {
            response = response.withWarning("ttl " + Durations.format(wanted) + " is longer than max_ttl; "
                    + Durations.format(ttl) + " was granted");
        }
        return response;
    }

    /**
     * The answer with {@code log}: the index of the publication's leaf (the change's only event) and
     * the checkpoint it was committed in, so that the publisher can check its key is in the log.
     */
    private static Response withLog(Response answer, LogWriter.Committed committed) {
        Map<String, Object> data = new LinkedHashMap<>(answer.data());
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("index", committed.firstIndex());
        log.put("checkpoint", committed.checkpoint());
        data.put("log", log);
        Response with = Response.data(data);
        return answer.lease().map(with::withLease).orElse(with);
    }

    /**
     * Whether a rotation of the instance would await consumers: asked only when the instance has a
     * live publication with another key (a likely rotation), and before the service's change lock,
     * since it may load the service's consumer index (docs/design-ack.md §4.2).
     */
    private boolean consumersCounted(String service, String instance, PublisherKey key, Config config) {
        Instant now = clock.instant();
        return registry.state(service).current(instance, now)
                .filter(live -> !java.util.Arrays.equals(live.key().spki(), key.spki()))
                .map(live -> consumers.with(service, index -> index.anyCounted(now, config.consumerTtl())))
                .orElse(false);
    }

    /** The publish answer's {@code rotation} (docs/design-ack.md §6.4): times as NumericDate. */
    static Map<String, Object> rotationData(Overlap overlap) {
        Map<String, Object> rotation = new LinkedHashMap<>();
        rotation.put("awaiting_sequence", overlap.awaitingSequence());
        rotation.put("min_end", overlap.minEnd().getEpochSecond());
        rotation.put("max_end", overlap.maxEnd().getEpochSecond());
        rotation.put("serve_new_from", overlap.serveNewFrom().getEpochSecond());
        rotation.put("old_listed_until", overlap.oldListedUntil().getEpochSecond());
        rotation.put("counted", overlap.outcome() == Overlap.Outcome.PENDING);
        return rotation;
    }

    /** The checks of a rotation of a live publication that come before its signature. */
    private static void requireRotation(String service, Publication live, PublisherKey key, Optional<String> continuity,
                                        Config config, Instant now) {
        String name = service + "/" + live.instance();
        if (java.util.Arrays.equals(live.key().spki(), key.spki())) {
            throw VaultException.conflict("publication " + name + " (generation " + live.generation()
                    + ") is write-once: the same key cannot be published with other endpoints, addresses, names or "
                    + "metadata; publish a new key (a rotation) to change them");
        }
        if (continuity.isEmpty()) {
            throw VaultException.conflict(name + " already has a live publication (generation " + live.generation()
                    + ", " + live.key().fingerprint() + ", until " + live.notAfter() + "); a different key is a rotation,"
                    + " which needs continuity: the current key's signature over the continuity message");
        }
        Instant opens = live.rotationOpensAt(config.rotationWindow());
        if (now.isBefore(opens)) {
            throw VaultException.conflict("rotation of " + name + " opens at " + opens + " (after rotation_window "
                    + config.rotationWindow() + " of the current publication's lifetime); it is now " + now);
        }
    }

    /** A new key or other claims for an instance whose publication ended: its last key must consent. */
    private static void requireContinuityAfterEnd(String service, Publication ended, Optional<String> continuity) {
        if (continuity.isEmpty()) {
            throw VaultException.conflict(service + "/" + ended.instance() + " keeps its last key (generation "
                    + ended.generation() + ", " + ended.key().fingerprint() + ", ended " + ended.notAfter()
                    + "): publish that key with the same claims again, or give continuity signed by it over the"
                    + " continuity message; only an operator can reset the instance (revoke with reset=true)");
        }
    }

    private static void requireContinuity(Publication signer, ContinuityMessage message, String continuity) {
        PublisherKeys.verifyContinuity(signer.key(), message, continuity);
    }

    private static PublisherKey key(Request request, Role role) {
        int given = (request.has(CSR) ? 1 : 0) + (request.has(CERTIFICATE) ? 1 : 0) + (request.has(PUBLIC_KEY) ? 1 : 0);
        if (given != 1) {
            throw VaultException.badRequest("give exactly one of csr, certificate and public_key (got " + given + ")");
        }
        if (request.has(CSR)) {
            return PublisherKeys.fromCsr(request.get(CSR));
        }
        if (request.has(CERTIFICATE)) {
            return PublisherKeys.fromCertificate(request.get(CERTIFICATE));
        }
        if (role.requireProof()) {
            throw VaultException.badRequest("role " + role.name() + " requires proof of possession: publish a csr or"
                    + " a self-signed certificate instead of public_key");
        }
        return PublisherKeys.fromPublicKey(request.get(PUBLIC_KEY));
    }

    private static Map<String, String> checkedMetadata(Map<String, String> metadata, Config config) {
        for (String key : metadata.keySet()) {
            if (key.isEmpty() || key.length() > 128) {
                throw VaultException.badRequest("invalid metadata: keys must be 1-128 characters");
            }
        }
        int size = Json.write(metadata).getBytes(StandardCharsets.UTF_8).length;
        if (size > config.maxMetadataBytes()) {
            throw VaultException.badRequest("invalid metadata: " + size + " bytes of JSON, more than max_metadata_bytes ("
                    + config.maxMetadataBytes() + ")");
        }
        return metadata;
    }

    private static Map<String, Object> responseData(String service, Publication publication, long sequence,
                                                    boolean unchanged) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("service", service);
        data.put("instance", publication.instance());
        data.put("generation", publication.generation());
        data.put("fingerprint", publication.key().fingerprint());
        data.put("not_before", publication.notBefore().getEpochSecond());
        data.put("not_after", publication.notAfter().getEpochSecond());
        data.put("sequence", sequence);
        data.put("unchanged", unchanged);
        return data;
    }

    /**
     * Renew of a publication's lease: not_after becomes now + the increment (the publication's ttl if
     * none was asked), up to max_ttl from publication, but never earlier than it was: an increment
     * that would end it sooner is refused (400), and the lease keeps its end.
     */
    Response renew(Request request) {
        Lease lease = request.lease().orElseThrow();
        LeaseTarget target = LeaseTarget.of(lease);
        if (target == null) {
            throw VaultException.badRequest("this lease does not name a publication of this mount");
        }
        return registry.change(target.service(), state -> {
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            ServiceState pruned = state.pruned(now);
            Publication publication = pruned.find(target.instance(), target.generation()).orElseThrow(() ->
                    VaultException.badRequest("publication " + target + " has ended; its lease cannot be renewed"));
            Instant end = publication.notAfter();
            // The server sets the lease's new end from the increment, whatever this answer says: a
            // shorter one would end the lease early, and with it the publication. Whoever learns a
            // lease id (audit logs show them) may ask for a renewal, so a shorter one is refused.
            if (!lease.increment().isZero() && now.plus(lease.increment()).isBefore(end)) {
                long remaining = Duration.between(now, end).toSeconds();
                throw VaultException.badRequest("a renewal never shortens a publication: " + target + " ends at "
                        + end + ", in " + remaining + "s; ask for an increment of at least " + remaining
                        + "s, or none");
            }
            if (!publication.superseded()) {
                Duration step = lease.increment().isZero() ? publication.ttl() : lease.increment();
                Instant wanted = now.plus(step);
                Instant capped = wanted.isBefore(publication.maxNotAfter()) ? wanted : publication.maxNotAfter();
                end = capped.isAfter(end) ? capped : end;
            }
            Response renewed = Response.renewal(lease.renewedFor(Duration.between(now, end.isAfter(now) ? end : now)));
            if (end.equals(publication.notAfter())) {
                return Registry.Change.none(renewed); // superseded, or at max_ttl: nothing moves
            }
            List<Publication> next = new ArrayList<>(pruned.of(target.instance()));
            next.set(next.indexOf(publication), publication.endingAt(end));
            return new Registry.Change<>(pruned.changed(target.instance(), next), List.of(), renewed);
        });
    }

    /** Revoke of a publication's lease (expiry, lease revoke, token revoked, unmount): the publication ends. */
    Response revoke(Request request) {
        LeaseTarget target = LeaseTarget.of(request.lease().orElseThrow());
        if (target == null) {
            return Response.none(); // not ours to end: never block the server's revocation
        }
        return registry.change(target.service(), state -> {
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            Optional<Publication> listed = state.find(target.instance(), target.generation());
            if (listed.isEmpty()) {
                return Registry.Change.none(Response.none()); // already ended (operator revoke, or pruned)
            }
            ServiceState pruned = state.pruned(now);
            Publication ending = listed.get();
            List<Publication> next = new ArrayList<>(pruned.of(target.instance()));
            boolean wasLive = next.remove(ending);
            // docs/design-ack.md §1.2: a lease end never waits for consumers. The old key's ends its
            // awaited rotation at once; the new key's cancels the wait of the one it replaced (its
            // predecessor only: with overlapping rotations an older key's end cancels nothing).
            Optional<Publication> cancelled = wasLive ? predecessor(next, ending).filter(RotationEnds::awaiting) : Optional.empty();
            Optional<Overlap> cancelledEnd = cancelled.map(old -> old.overlap().orElseThrow().cancelledAt(now));
            cancelled.ifPresent(old -> next.set(next.indexOf(old), old.toBuilder()
                    .notAfter(cancelledEnd.orElseThrow().oldListedUntil()).overlap(cancelledEnd).build()));
            ServiceState changed = wasLive ? pruned.changed(target.instance(), next) : pruned;
            List<History.Event> events = new ArrayList<>();
            events.add(History.Event.builder().type("lease_end").time(now).about(ending)
                    .actor(ending.publisher()).sequence(changed.seq())
                    .detail(wasLive ? "lease revoked" : "lease expired").build());
            if (RotationEnds.awaiting(ending)) {
                Overlap overlap = ending.overlap().orElseThrow();
                if (!now.isBefore(overlap.maxEnd())) {
                    // Its lease ended at M (a superseded key's renewals stop there): the forced end,
                    // which the sweep would otherwise not find once this change has pruned it.
                    long s = overlap.awaitingSequence();
                    List<ConsumerEntry> laggards = consumers.with(target.service(),
                            index -> index.laggards(s, overlap.maxEnd(), settings.get().consumerTtl(), RotationSweep.NAMED));
                    events.add(RotationEnds.forcedEvent(ending, laggards, ending.publisher(), changed.seq()));
                } else {
                    events.add(RotationEnds.endedEvent(ending, overlap.oldEndedAt(now), now, ending.publisher(), changed.seq()));
                }
            }
            cancelled.ifPresent(old -> events.add(RotationEnds.endedEvent(old, cancelledEnd.orElseThrow(), now,
                    ending.publisher(), changed.seq())));
            return new Registry.Change<>(changed, events, Response.none());
        });
    }

    /** The listed publication {@code successor} replaced: the highest generation below it, if still listed. */
    private static Optional<Publication> predecessor(List<Publication> listed, Publication successor) {
        return listed.stream().filter(p -> p.generation() < successor.generation())
                .max(java.util.Comparator.comparingLong(Publication::generation));
    }

    /** The publication a lease holds, from its internal data. */
    private record LeaseTarget(String service, String instance, long generation) {
        static LeaseTarget of(Lease lease) {
            Object generation = lease.internalData().get("generation");
            Optional<String> service = lease.string("service");
            Optional<String> instance = lease.string("instance");
            if (service.isEmpty() || instance.isEmpty() || !(generation instanceof Number n)
                    || !Names.valid(service.get()) || !Names.valid(instance.get())) {
                return null;
            }
            return new LeaseTarget(service.get(), instance.get(), n.longValue());
        }

        @Override
        public String toString() {
            return service + "/" + instance + " (generation " + generation + ")";
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
