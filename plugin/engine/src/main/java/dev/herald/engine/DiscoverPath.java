package dev.herald.engine;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code discover/:service} and {@code discover/:service/:instance}: the signed record of a
 * service's live instances (DESIGN §5.4), a JWT of typ {@value #TYPE}, with its claims decoded
 * beside it for people and agent templates.
 */
final class DiscoverPath {
    static final String TYPE = "herald-record+jwt";
    /** The {@code scope} claim: a client asks for one and refuses the other, so neither stands in for the other. */
    static final String SCOPE_SERVICE = "service";
    static final String SCOPE_INSTANCE = "instance";
    /** A page of a service's record: it names the cursor it starts after, so no page stands in for another. */
    static final String SCOPE_PAGE = "page";
    static final Field<Long> LIMIT = Field.integer("limit",
            "Read the service's record in pages of at most this many instances (at most max_record_instances).")
            .between(1, 20_000);
    static final Field<String> AFTER = Field.string("after",
            "Read the page of the service's record that starts after this instance (the next of the page before).")
            .matching("(?:" + Names.PATTERN + ")?", "be empty or an instance name");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Settings settings;
    private final Signer signer;
    private final Registry registry;
    private final SignedRecords records;
    private final LogReader log;
    private final AckTokens ackTokens;
    private final Clock clock;

    DiscoverPath(MountState mount) {
        this.settings = mount.settings();
        this.signer = mount.signer();
        this.registry = mount.registry();
        this.records = mount.records();
        this.log = mount.logReader();
        this.ackTokens = mount.ackTokens();
        this.clock = mount.clock();
    }

    Path serviceDefinition() {
        return Path.pattern("discover/:service")
                .fields(PublishPath.SERVICE, LIMIT, AFTER)
                .read("Read the signed record of a service's live instances.", request -> discover(request, ""))
                .help("The signed record of all live instances of a service.", HELP);
    }

    Path instanceDefinition() {
        return Path.pattern("discover/:service/:instance")
                .fields(PublishPath.SERVICE, PublishPath.INSTANCE)
                .read("Read the signed record of one instance.", request ->
                        discover(request, request.get(PublishPath.INSTANCE)))
                .help("The signed record of one live instance of a service.", HELP);
    }

    private static final String HELP = """
            The record is a JWT (header typ herald-record+jwt, alg EdDSA or ES256, kid) signed with the
            engine's current key, which jwks lists. Claims: iss (config issuer), sub (the service),
            iat, exp (iat + record_ttl, never after the earliest not_after listed), jti, scope ("service"
            for discover/:service, "instance" for discover/:service/:instance), seq (rises with every
            change of the service's live set), and instances: instance, generation, jwk,
            fingerprint, endpoints, ip_addresses, dns_names, metadata, not_before, not_after and
            publisher (entity_id, mount_accessor, alias_name, alias_metadata), and log_index (the
            index of the leaf of the mount's log that published the key). With a log, the record also
            has log_checkpoint: the log's signed checkpoint (a C2SP signed note) whose tree holds
            every listed log_index.

            The answer holds record (the compact JWT) and the same claims decoded; each decoded instance
            also has public_key_pem (and certificate_pem if it was published with a certificate), for
            agent templates. A client verifies the signature with jwks, checks typ, iss, sub, scope and
            exp, and that seq never goes down. 404 when nothing is live. With require_wrapping in config the
            answer is always response-wrapped.

            A service with more live instances than max_record_instances (config) is read in pages:
            discover/:service with limit (and after, the next of the page before). A page is a record of
            scope "page" with three more claims: after (the cursor it starts after, "" for the first),
            next (the last instance it lists, or "" when no live instance follows) and total (the live
            instances of the service at its seq). A client checks that after is the cursor it asked
            for and that seq never goes down from page to page. A page's answer holds the record and
            its claims decoded, except its instances, which only the record carries.

            Beside the claims (not signed, not in the record), a record listing at most 16 instances
            has log_proofs: per instance, a C2SP tlog-proof of its leaf (the leaf, log_index, the
            inclusion proof and log_checkpoint; a list when the instance is listed in two
            generations). Each checks against log_checkpoint, so it needs no signature of its own;
            for larger records read log/proof/inclusion.

            Beside the claims every answer has two integers for the
            vault/bao agent: ttl, the seconds after which to read again (half the time left before
            exp, at least 1), and rotation_period (record_ttl in seconds). With both present the
            agent's templates re-read this path after ttl + 1 seconds instead of after
            static_secret_render_interval, so a rendered file follows the live set within
            record_ttl / 2 + 1 seconds and is re-rendered before the record expires.
            """;

    private Response discover(Request request, String instance) {
        String service = request.get(PublishPath.SERVICE);
        View view = View.of(request, instance);
        // Taken before anything a record is made of is read: a record made from a config or key
        // that changed meanwhile is not kept.
        long stamp = records.stamp(service, view.key());
        Config config = settings.get();
        view.check(config);
        Instant now = clock.instant();
        Registry.Snapshot snapshot = registry.snapshot(service);
        ServiceState state = snapshot.state();
        long sequence = state.sequenceAt(now);
        SigningKey key = signer.current();
        String issuer = config.effectiveIssuer(request.mount().path());
        SignedRecord record = records.get(snapshot, view.key());
        if (record == null || !record.reusableFor(sequence, key.kid(), issuer, now)) {
            record = view.sign(state, now, config, new Signing(sequence, key, issuer, config.recordTtl(), now, log,
                    ack(state, sequence, now, config)));
            records.keep(snapshot, view.key(), record, stamp);
        }
        Response response = Response.data(withRefresh(record.data(), config.recordTtl(), now));
        if (config.requireWrapping()) {
            response = response.wrapped(request.wrapTtl().orElse(config.wrapTtl()));
        }
        return response;
    }

    /**
     * The answer with {@code rotation_period} and {@code ttl} beside the claims (never in the JWT):
     * the agents' template library (consul-template, openbao-template) reads a secret without a
     * lease again after exactly {@code ttl + 1} seconds when both keys are integers, instead of
     * after its static render interval (5 minutes by default), which may be longer than the
     * record's life. {@code ttl} is half the time left before {@code exp}, at least 1: a reread
     * comes before the record expires (and with it before any key it lists expires), and a 0 would
     * make the agent read every second. A reused record has less left than a new one, so its ttl
     * is shorter: computed per answer, not kept with the record.
     */
    static Map<String, Object> withRefresh(Map<String, Object> record, Duration recordTtl, Instant now) {
        long left = ((Number) record.get("exp")).longValue() - now.getEpochSecond();
        Map<String, Object> data = new LinkedHashMap<>(record);
        data.put("rotation_period", Math.max(1, recordTtl.toSeconds()));
        data.put("ttl", Math.max(1, left / 2));
        return data;
    }

    /**
     * What a record is signed with and when: the same for every kind of record.
     *
     * @param ack the answer's {@code ack} object, beside the record (never in it)
     */
    private record Signing(long sequence, SigningKey key, String issuer, Duration recordTtl, Instant now, LogReader log,
                           Map<String, Object> ack) {
    }

    /**
     * What a consumer needs to acknowledge this seq (docs/design-ack.md §3): its token, whether a
     * rotation of the service awaits consumers at a seq it has reached ({@code requested}: an
     * acknowledgement is due now, else only heartbeats), and how often to heartbeat (a quarter of
     * consumer_ttl). Fixed per state and config, so it is kept with the record.
     */
    private Map<String, Object> ack(ServiceState state, long sequence, Instant now, Config config) {
        // Every awaited rotation's S is at most the service's seq (it was the seq of its change), so
        // any awaited rotation asks for an acknowledgement; O(1), not a scan of the service.
        boolean requested = state.awaitsConsumers();
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("token", ackTokens.token(state.service(), sequence));
        ack.put("requested", requested);
        ack.put("heartbeat_seconds", Math.max(1, config.consumerTtl().toSeconds() / 4));
        return ack;
    }

    /**
     * Which record a request asks for: one instance's, the whole service's, or a page of it. Its
     * {@link #key} names it among the mount's kept records: the instance's name, "" for the service,
     * or "?after&limit" for a page, with limit as asked ("" for the mount's max_record_instances:
     * a change of config clears the kept records). Names have neither '?' nor '&'.
     */
    private sealed interface View {
        String key();

        /** Refuses what the mount's config does not allow; before anything is read. */
        default void check(Config config) {
        }

        SignedRecord sign(ServiceState state, Instant now, Config config, Signing signing);

        static View of(Request request, String instance) {
            if (!instance.isEmpty()) {
                return new OneInstance(instance);
            }
            if (!request.has(LIMIT) && !request.has(AFTER)) {
                return new WholeService();
            }
            return new Page(request.find(AFTER).orElse(""), request.find(LIMIT));
        }
    }

    private record OneInstance(String instance) implements View {
        @Override
        public String key() {
            return instance;
        }

        @Override
        public SignedRecord sign(ServiceState state, Instant now, Config config, Signing signing) {
            List<Publication> listed = state.of(instance).stream().filter(p -> p.liveAt(now)).toList();
            if (listed.isEmpty()) {
                throw VaultException.notFound("instance " + instance + " of service " + state.service()
                        + " has no live publication");
            }
            return DiscoverPath.sign(state.service(), SCOPE_INSTANCE, listed, Map.of(), signing);
        }
    }

    private record WholeService() implements View {
        @Override
        public String key() {
            return "";
        }

        @Override
        public SignedRecord sign(ServiceState state, Instant now, Config config, Signing signing) {
            long live = state.instanceCountAt(now);
            long most = config.maxRecordInstances();
            if (live > most) {
                throw VaultException.badRequest("service " + state.service() + " has " + live
                        + " live instances, more than max_record_instances (" + most + ") of this mount:"
                        + " read its record in pages (limit, after) or one instance at a time");
            }
            List<Publication> listed = state.liveAt(now);
            if (listed.isEmpty()) {
                throw notLive(state);
            }
            return DiscoverPath.sign(state.service(), SCOPE_SERVICE, listed, Map.of(), signing);
        }
    }

    /** @param limit as asked; none for the mount's max_record_instances */
    private record Page(String after, Optional<Long> limit) implements View {
        @Override
        public String key() {
            return "?" + after + "&" + limit.map(String::valueOf).orElse("");
        }

        @Override
        public void check(Config config) {
            long most = config.maxRecordInstances();
            if (limit.isPresent() && limit.get() > most) {
                throw VaultException.badRequest("invalid limit: " + limit.get() + " is more than max_record_instances ("
                        + most + ") of this mount");
            }
        }

        @Override
        public SignedRecord sign(ServiceState state, Instant now, Config config, Signing signing) {
            long total = state.instanceCountAt(now);
            if (total == 0) {
                throw notLive(state);
            }
            // A page past the last live instance (they left while a client walked the pages) is
            // signed empty: "nothing live after this cursor at this seq" is true and ends the walk.
            ServiceState.Page page = state.liveAfter(after, (int) (long) limit.orElse(config.maxRecordInstances()), now);
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("after", after);
            claims.put("next", page.next());
            claims.put("total", total);
            return DiscoverPath.sign(state.service(), SCOPE_PAGE, page.listed(), claims, signing);
        }
    }

    private static VaultException notLive(ServiceState state) {
        return VaultException.notFound("service " + state.service() + " has no live instance");
    }

    private static SignedRecord sign(String service, String scope, List<Publication> listed, Map<String, Object> pageClaims,
                                     Signing signing) {
        SigningKey key = signing.key();
        String issuer = signing.issuer();
        long sequence = signing.sequence();
        Duration recordTtl = signing.recordTtl();
        Instant iat = signing.now().truncatedTo(ChronoUnit.SECONDS);
        Instant exp = iat.plus(recordTtl);
        for (Publication publication : listed) {
            if (publication.notAfter().isBefore(exp)) {
                exp = publication.notAfter();
            }
        }
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", service);
        claims.put("iat", iat.getEpochSecond());
        claims.put("exp", exp.getEpochSecond());
        claims.put("jti", Base64.getUrlEncoder().withoutPadding().encodeToString(id));
        claims.put("scope", scope);
        claims.put("seq", sequence);
        claims.putAll(pageClaims);
        // Against the newest checkpoint that holds every listed leaf: taken after the state, whose
        // publications the writer committed (with their checkpoint) before anyone could read them.
        Optional<RecordLog> log = RecordLog.of(listed, signing.log());
        log.ifPresent(l -> claims.put("log_checkpoint", l.checkpoint()));
        // Each instance's claims once: its JWK means a key decode and a thumbprint.
        List<Map<String, Object>> instances = listed.stream().map(Publication::toRecordClaims).toList();
        claims.put("instances", instances);
        String jwt = Jws.sign(key, TYPE, claims);

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("record", jwt);
        data.putAll(claims);
        log.filter(l -> !l.proofs().isEmpty()).ifPresent(l -> data.put("log_proofs", l.proofs()));
        data.put("ack", signing.ack());
        if (scope.equals(SCOPE_PAGE)) {
            // Pages are for programs, which verify and read the JWT: without the decoded copy of its
            // instances (and their PEMs) a page is about half the size.
            data.remove("instances");
        } else {
            List<Map<String, Object>> readable = new ArrayList<>();
            for (int i = 0; i < listed.size(); i++) {
                Publication publication = listed.get(i);
                Map<String, Object> instance = new LinkedHashMap<>(instances.get(i));
                instance.put("public_key_pem", publication.key().publicKeyPem());
                if (publication.key().certificatePem() != null) {
                    instance.put("certificate_pem", publication.key().certificatePem());
                }
                readable.add(instance);
            }
            data.put("instances", readable);
        }
        // Reused while fresh enough that every copy handed out keeps most of its life.
        Duration life = Duration.between(iat, exp);
        Duration reuse = recordTtl.dividedBy(4).compareTo(life.dividedBy(2)) < 0 ? recordTtl.dividedBy(4) : life.dividedBy(2);
        return new SignedRecord(sequence, key, issuer, iat.plus(reuse), data,
                listed.stream().map(Publication::instance).toList());
    }
}
