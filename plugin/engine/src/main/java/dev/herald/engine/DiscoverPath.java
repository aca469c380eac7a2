package dev.herald.engine;

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
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Settings settings;
    private final Signer signer;
    private final Registry registry;
    private final SignedRecords records;
    private final Clock clock;

    DiscoverPath(MountState mount) {
        this.settings = mount.settings();
        this.signer = mount.signer();
        this.registry = mount.registry();
        this.records = mount.records();
        this.clock = mount.clock();
    }

    Path serviceDefinition() {
        return Path.pattern("discover/:service")
                .fields(PublishPath.SERVICE)
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
            publisher (entity_id, mount_accessor, alias_name, alias_metadata).

            The answer holds record (the compact JWT) and the same claims decoded; each decoded instance
            also has public_key_pem (and certificate_pem if it was published with a certificate), for
            agent templates. A client verifies the signature with jwks, checks typ, iss, sub, scope and
            exp, and that seq never goes down. 404 when nothing is live. With require_wrapping in config the
            answer is always response-wrapped.
            """;

    private Response discover(Request request, String instance) {
        String service = request.get(PublishPath.SERVICE);
        // Taken before anything a record is made of is read: a record made from a config or key
        // that changed meanwhile is not kept.
        long stamp = records.stamp(service, instance);
        Config config = settings.get();
        Instant now = clock.instant();
        Registry.Snapshot snapshot = registry.snapshot(service);
        ServiceState state = snapshot.state();
        long sequence = state.sequenceAt(now);
        SigningKey key = signer.current();
        String issuer = config.effectiveIssuer(request.mount().path());
        SignedRecord record = records.get(snapshot, instance);
        if (record == null || !record.reusableFor(sequence, key.kid(), issuer, now)) {
            List<Publication> listed = instance.isEmpty() ? state.liveAt(now)
                    : state.of(instance).stream().filter(p -> p.liveAt(now)).toList();
            if (listed.isEmpty()) {
                throw VaultException.notFound(instance.isEmpty()
                        ? "service " + service + " has no live instance"
                        : "instance " + instance + " of service " + service + " has no live publication");
            }
            record = sign(service, instance.isEmpty() ? SCOPE_SERVICE : SCOPE_INSTANCE, listed, sequence, key, issuer,
                    config.recordTtl(), now);
            records.keep(snapshot, instance, record, stamp);
        }
        Response response = Response.data(record.data());
        if (config.requireWrapping()) {
            response = response.wrapped(request.wrapTtl().orElse(config.wrapTtl()));
        }
        return response;
    }

    private static SignedRecord sign(String service, String scope, List<Publication> listed, long sequence, SigningKey key,
                                     String issuer, Duration recordTtl, Instant now) {
        Instant iat = now.truncatedTo(ChronoUnit.SECONDS);
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
        // Each instance's claims once: its JWK means a key decode and a thumbprint.
        List<Map<String, Object>> instances = listed.stream().map(Publication::toRecordClaims).toList();
        claims.put("instances", instances);
        String jwt = Jws.sign(key, TYPE, claims);

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("record", jwt);
        data.putAll(claims);
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
        // Reused while fresh enough that every copy handed out keeps most of its life.
        Duration life = Duration.between(iat, exp);
        Duration reuse = recordTtl.dividedBy(4).compareTo(life.dividedBy(2)) < 0 ? recordTtl.dividedBy(4) : life.dividedBy(2);
        return new SignedRecord(sequence, key.kid(), issuer, iat.plus(reuse), data);
    }
}
