package dev.herald.client.consumer;

import dev.herald.client.VerificationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checks a discovery record (DESIGN §5.4) against what the consumer asked for: header {@code typ}
 * {@value DiscoveryRecord#TYPE}, an {@code alg} and {@code kid} of a pinned signer key, the signature, then
 * {@code iss}, {@code sub}, {@code scope} (and for an instance record, that it lists only the
 * instance asked for), {@code exp} after now, {@code iat} not in the future beyond a small clock
 * skew, and every instance's JWK against its fingerprint. Claims are read only once the signature
 * holds. The {@code seq} rollback check needs state and is {@link Consumer}'s. Immutable.
 *
 * <p>A page of a service's record ({@link #verifyPage}) is checked the same way, and must be of
 * scope {@code page} with an {@code after} equal to the cursor asked for; a page is never accepted
 * where the whole record was asked for, nor the other way round. Its own claims must hang together:
 * it lists instances by name, all after its cursor, and {@code next} is "" or the last it lists (so
 * that a walk always moves on).
 */
public final class RecordVerifier {
    /** How far in the future {@code iat} may be, for clocks that disagree a little. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

    private final String issuer;
    private final String service;
    private final String instance;
    private final Clock clock;
    private final Duration clockSkew;

    private RecordVerifier(Builder builder) {
        this.issuer = Objects.requireNonNull(builder.issuer, "issuer");
        this.service = builder.service;
        this.instance = builder.instance;
        this.clock = builder.clock;
        this.clockSkew = builder.clockSkew;
        if (service == null && !builder.anyService) {
            throw new IllegalArgumentException("a RecordVerifier needs the service (or anyService() for a saved record)");
        }
        if (instance != null && service == null) {
            throw new IllegalArgumentException("an instance needs its service");
        }
    }

    /** A builder; {@link Builder#issuer} and {@link Builder#service} (or {@link Builder#anyService}) are needed. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies {@code compact} with {@code keys}.
     *
     * @return the verified record
     * @throws VerificationException naming the first check that failed
     */
    public DiscoveryRecord verify(String compact, SignerKeys keys) {
        return verify(compact, keys, null);
    }

    /**
     * Verifies {@code compact} as the page of the service's record that starts after {@code after}
     * ("" for the first page): as {@link #verify}, and it must be of scope {@code page} with that
     * {@code after}. Chaining the pages and their {@code seq} is the walk's ({@link Consumer}).
     *
     * @throws VerificationException naming the first check that failed
     */
    public DiscoveryRecord verifyPage(String compact, SignerKeys keys, String after) {
        Objects.requireNonNull(after, "after");
        if (instance != null) {
            throw new IllegalStateException("a page is of the whole service, not of instance " + instance);
        }
        return verify(compact, keys, after);
    }

    /** @param cursor the page asked for, or null for the whole record (or the instance's) */
    private DiscoveryRecord verify(String compact, SignerKeys keys, String cursor) {
        CompactJws jws = CompactJws.parse(compact);
        String type = jws.type().orElse(null);
        if (!DiscoveryRecord.TYPE.equals(type)) {
            throw new VerificationException("record typ is " + Claims.quote(type) + ", expected " + DiscoveryRecord.TYPE);
        }
        String kid = jws.kid().orElseThrow(() -> new VerificationException("record header has no kid"));
        Jwk key = keys.key(kid).orElseThrow(() -> new VerificationException("record is signed by kid "
                + Claims.quote(kid) + ", which is not a pinned signer key (pinned: " + String.join(", ", keys.kids()) + ")"));
        SignerKeys.requireAlgorithm(key, jws.algorithm(), "record");
        jws.verify(key.publicKey(), kid);

        Claims claims = Claims.of(jws.claims(), "record");
        String iss = claims.string("iss");
        if (!iss.equals(issuer)) {
            throw new VerificationException("record iss is " + Claims.quote(iss) + ", expected " + Claims.quote(issuer));
        }
        String sub = claims.string("sub");
        if (service != null && !sub.equals(service)) {
            throw new VerificationException("record sub is " + Claims.quote(sub) + ", expected service "
                    + Claims.quote(service));
        }
        DiscoveryRecord.Scope scope = scope(claims.string("scope"), cursor);
        Instant now = clock.instant();
        Instant exp = claims.time("exp");
        if (!now.isBefore(exp)) {
            throw new Expired("record expired at " + exp + " (now " + now + ")");
        }
        Instant iat = claims.time("iat");
        if (iat.isAfter(now.plus(clockSkew))) {
            throw new VerificationException("record iat " + iat + " is in the future (now " + now + ", allowed skew "
                    + clockSkew.toSeconds() + "s)");
        }
        long seq = claims.integer("seq");
        if (seq < 0) {
            throw new VerificationException("record seq " + seq + " is negative");
        }
        List<Instance> instances = new ArrayList<>();
        for (Object member : claims.list("instances")) {
            instances.add(Instance.fromClaims(member));
        }
        if (scope == DiscoveryRecord.Scope.INSTANCE) {
            if (instances.isEmpty()) {
                throw new VerificationException("record of scope instance lists no instance");
            }
            String expected = instance != null ? instance : instances.getFirst().name();
            for (Instance listed : instances) {
                // an instance in rotation is listed once per generation; anything else is another instance
                if (!listed.name().equals(expected)) {
                    throw new VerificationException("record of scope instance lists instance " + Claims.quote(listed.name())
                            + ", expected only " + Claims.quote(expected));
                }
            }
        }
        DiscoveryRecord.Page page = scope == DiscoveryRecord.Scope.PAGE ? page(claims, instances, cursor) : null;
        return new DiscoveryRecord(compact, kid, claims, scope, instances, page);
    }

    private DiscoveryRecord.Scope scope(String claim, String cursor) {
        DiscoveryRecord.Scope scope = DiscoveryRecord.Scope.of(claim);
        if (scope == null) {
            throw new VerificationException("record scope " + Claims.quote(claim) + " is unknown");
        }
        if (service == null && cursor == null) {
            return scope; // a saved record: the record says what it is
        }
        DiscoveryRecord.Scope expected = cursor != null ? DiscoveryRecord.Scope.PAGE
                : instance == null ? DiscoveryRecord.Scope.SERVICE : DiscoveryRecord.Scope.INSTANCE;
        if (scope != expected) {
            throw new VerificationException("record scope is " + Claims.quote(claim) + ", expected "
                    + Claims.quote(expected.claim()) + (cursor != null ? " (asked for the page after " + Claims.quote(cursor) + ")"
                    : instance == null ? " (asked for the whole service)" : " (asked for instance " + Claims.quote(instance) + ")"));
        }
        return scope;
    }

    /** A page's own claims, checked against the cursor asked for (null: a saved page, any cursor) and its instances. */
    private static DiscoveryRecord.Page page(Claims claims, List<Instance> instances, String cursor) {
        String after = claims.string("after");
        if (cursor != null && !after.equals(cursor)) {
            throw new VerificationException("page after is " + Claims.quote(after) + ", expected " + Claims.quote(cursor)
                    + " (the cursor asked for)");
        }
        String next = claims.string("next");
        long total = claims.integer("total");
        String last = after;
        long names = 0;
        for (Instance listed : instances) {
            // by name, all after the cursor; an instance in rotation is listed once per generation
            int order = listed.name().compareTo(last);
            if (order < 0 || order == 0 && names == 0) {
                throw new VerificationException("page after " + Claims.quote(after) + " lists instance "
                        + Claims.quote(listed.name()) + " out of order (after " + Claims.quote(last) + ")");
            }
            if (order > 0) {
                names++;
            }
            last = listed.name();
        }
        if (!next.isEmpty() && (names == 0 || !next.equals(last))) {
            throw new VerificationException("page after " + Claims.quote(after) + " has next " + Claims.quote(next)
                    + ", which is not the last instance it lists");
        }
        if (total < names) {
            throw new VerificationException("page after " + Claims.quote(after) + " lists " + names
                    + " instances but says the service has " + total);
        }
        return new DiscoveryRecord.Page(after, next, total);
    }

    /** The clock records are checked against. */
    Clock clock() {
        return clock;
    }

    /** The issuer records of a mount carry unless the mount's config names another: the mount path, with its slash. */
    public static String defaultIssuer(String mount) {
        return Consumer.normalizeMount(mount) + "/";
    }

    /** Builds a {@link RecordVerifier}. */
    public static final class Builder {
        private String issuer;
        private String service;
        private String instance;
        private boolean anyService;
        private Clock clock = Clock.systemUTC();
        private Duration clockSkew = DEFAULT_CLOCK_SKEW;

        private Builder() {
        }

        /** The expected {@code iss}: {@link #defaultIssuer} of the mount unless its config sets {@code issuer}. */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** The expected {@code sub}; the record must then be of scope {@code service}, unless {@link #instance} is set. */
        public Builder service(String service) {
            this.service = Objects.requireNonNull(service, "service");
            return this;
        }

        /** The one instance asked for: the record must be of scope {@code instance} and list only it. */
        public Builder instance(String instance) {
            this.instance = instance;
            return this;
        }

        /**
         * Accept the record's own {@code sub} and {@code scope} (for {@code herald verify} of a saved
         * record, where nothing else says which service it should be). An instance record must still
         * list a single instance name.
         */
        public Builder anyService() {
            this.anyService = true;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How far in the future {@code iat} may be; default {@link #DEFAULT_CLOCK_SKEW}. */
        public Builder clockSkew(Duration clockSkew) {
            if (clockSkew.isNegative()) {
                throw new IllegalArgumentException("clock skew must not be negative");
            }
            this.clockSkew = clockSkew;
            return this;
        }

        public RecordVerifier build() {
            return new RecordVerifier(this);
        }
    }

    /** A record whose {@code exp} has passed (otherwise good so far: signature, type, issuer, service and scope checked). */
    static final class Expired extends VerificationException {
        Expired(String message) {
            super(message);
        }
    }
}
