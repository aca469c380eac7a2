package dev.herald.client.consumer;

import dev.herald.client.log.LogWire;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A discovery record that passed {@link RecordVerifier}: the engine's signed statement of which
 * instances of a service are live, with their keys, as of {@link #issuedAt} and until
 * {@link #expiresAt}. Immutable; made only by {@link RecordVerifier}, or from verified pages by
 * {@link Consumer} (and {@link Consumer#verifySaved}).
 *
 * <p><b>A record read in pages</b> (a service with more live instances than the mount's
 * {@code max_record_instances}) is one of these too, combined from its verified pages
 * ({@link #pages()}), and serves {@link PinnedTrust} like a whole record: its scope is
 * {@link Scope#PAGE}, its {@link #instances} are the union of the pages' in name order, its
 * {@link #seq} the highest of theirs, its {@link #issuedAt} and {@link #expiresAt} the earliest (it
 * must not be used once any page has expired), its {@link #kid} the first page's; it has no single
 * JWT ({@link #compacts()} lists the pages') and no {@link #id}.
 */
public final class DiscoveryRecord {
    /** The header {@code typ} of a record. */
    public static final String TYPE = "herald-record+jwt";

    /** What a record covers: every live instance of the service, one instance, or a page of the service. */
    public enum Scope {
        /** {@code discover/:service}. */
        SERVICE("service"),
        /** {@code discover/:service/:instance}. */
        INSTANCE("instance"),
        /** {@code discover/:service?limit=N&after=CURSOR}, and a record combined from such pages. */
        PAGE("page");

        private final String claim;

        Scope(String claim) {
            this.claim = claim;
        }

        /** The {@code scope} claim's value. */
        public String claim() {
            return claim;
        }

        /** The scope whose claim is {@code claim}, or null if none is. */
        static Scope of(String claim) {
            for (Scope scope : values()) {
                if (scope.claim.equals(claim)) {
                    return scope;
                }
            }
            return null;
        }
    }

    /**
     * The claims of one page: the cursor it starts after ("" for the first page), the cursor of the
     * page that follows ({@code next}: the last instance it lists, or "" on the last page), and how
     * many instances the service had live at its {@code seq}.
     */
    public record Page(String after, String next, long total) {
        /** Whether no page follows this one. */
        public boolean last() {
            return next.isEmpty();
        }
    }

    private final List<String> compacts;
    private final String kid;
    private final String issuer;
    private final String service;
    private final Scope scope;
    private final long seq;
    private final String id;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final List<Instance> instances;
    /** A single page's claims, else null. */
    private final Page page;
    /** The pages a record read in pages was combined from, else empty. */
    private final List<DiscoveryRecord> pages;
    /** {@code log_checkpoint}, or null (a record of an engine without a log, or one combined from pages). */
    private final String logCheckpoint;
    /** The answer's {@code log_proofs} (unsigned, beside the JWT): instance → tlog-proof text(s). */
    private final Map<String, Object> logProofs;
    /** The answer's {@code ack} (unsigned, beside the JWT), or null; of a record read in pages, its first (lowest seq) page's. */
    private final AckTicket ack;

    /** One verified JWT ({@code page}: its page claims if it is of scope page, else null). */
    DiscoveryRecord(String compact, String kid, Claims claims, Scope scope, List<Instance> instances, Page page) {
        this.compacts = List.of(compact);
        this.kid = kid;
        this.issuer = claims.string("iss");
        this.service = claims.string("sub");
        this.scope = scope;
        this.seq = claims.integer("seq");
        this.id = claims.optionalString("jti");
        this.issuedAt = claims.time("iat");
        this.expiresAt = claims.time("exp");
        this.instances = List.copyOf(instances);
        this.page = page;
        this.pages = List.of();
        this.logCheckpoint = claims.has(LogWire.CHECKPOINT_CLAIM) ? claims.string(LogWire.CHECKPOINT_CLAIM) : null;
        this.logProofs = Map.of();
        this.ack = null;
    }

    private DiscoveryRecord(DiscoveryRecord record, Map<String, Object> logProofs, AckTicket ack) {
        this.compacts = record.compacts;
        this.kid = record.kid;
        this.issuer = record.issuer;
        this.service = record.service;
        this.scope = record.scope;
        this.seq = record.seq;
        this.id = record.id;
        this.issuedAt = record.issuedAt;
        this.expiresAt = record.expiresAt;
        this.instances = record.instances;
        this.page = record.page;
        this.pages = record.pages;
        this.logCheckpoint = record.logCheckpoint;
        this.logProofs = logProofs;
        this.ack = ack;
    }

    /**
     * This record with the inclusion proofs that came beside it ({@code log_proofs} of the discover
     * answer, or of a saved one), kept so that {@link #toJson} hands them on for an offline check.
     * Only proofs of listed instances, as text or a list of texts, are kept: they are unsigned, and
     * {@code LogClient#checkRecord} checks each against the record's checkpoint.
     */
    DiscoveryRecord withLogProofs(Object answerProofs) {
        if (!pages.isEmpty() || !(answerProofs instanceof Map<?, ?> byInstance)) {
            return this;
        }
        Map<String, Object> kept = new LinkedHashMap<>();
        for (Instance instance : instances) {
            List<String> proofs = LogWire.proofsOf(byInstance, instance.name());
            if (!proofs.isEmpty() && !kept.containsKey(instance.name())) {
                kept.put(instance.name(), proofs.size() == 1 ? proofs.getFirst() : proofs);
            }
        }
        return kept.isEmpty() ? this : new DiscoveryRecord(this, Map.copyOf(kept), ack);
    }

    /**
     * This record with the {@code ack} member of the answer it came in (DESIGN §5.8), if that member
     * is a well-formed ticket; else the record as it is.
     */
    DiscoveryRecord withAck(Object answerAck) {
        return AckTicket.of(answerAck, seq).map(ticket -> new DiscoveryRecord(this, logProofs, ticket)).orElse(this);
    }

    /**
     * What acknowledging this record takes (its answer's {@code ack}); empty when the engine sent
     * none. A record read in pages has its first page's: the walk's lowest {@code seq}, which is what
     * a walk can say it installed.
     */
    public Optional<AckTicket> ackTicket() {
        return Optional.ofNullable(ack);
    }

    /** The inclusion proofs that came beside the record (see {@link #withLogProofs}); empty if none did. */
    public Map<String, Object> logProofs() {
        return logProofs;
    }

    /** The record combined from {@code pages}, verified and chained by {@code PageWalk} (see the class comment). */
    DiscoveryRecord(List<DiscoveryRecord> pages) {
        DiscoveryRecord first = pages.getFirst();
        this.compacts = pages.stream().map(DiscoveryRecord::compact).toList();
        this.kid = first.kid;
        this.issuer = first.issuer;
        this.service = first.service;
        this.scope = Scope.PAGE;
        this.seq = pages.stream().mapToLong(DiscoveryRecord::seq).max().orElseThrow();
        this.id = null;
        this.issuedAt = pages.stream().map(DiscoveryRecord::issuedAt).min(Comparator.naturalOrder()).orElseThrow();
        this.expiresAt = pages.stream().map(DiscoveryRecord::expiresAt).min(Comparator.naturalOrder()).orElseThrow();
        this.instances = pages.stream().flatMap(p -> p.instances.stream()).toList();
        this.page = null;
        this.pages = List.copyOf(pages);
        this.logCheckpoint = null; // each page carries its own, checked as it was read
        this.logProofs = Map.of();
        this.ack = first.ack;
    }

    /**
     * The signed JWT itself, to save or hand on (any JOSE library verifies it with the {@code jwks}).
     *
     * @throws IllegalStateException for a record read in pages, which has none: see {@link #compacts()}
     */
    public String compact() {
        if (!pages.isEmpty()) {
            throw new IllegalStateException("a record read in " + pages.size() + " pages has no single JWT: see compacts()");
        }
        return compacts.getFirst();
    }

    /** The signed JWTs: the record's own, or for a record read in pages each page's, in order. */
    public List<String> compacts() {
        return compacts;
    }

    /** The claims {@code after}, {@code next} and {@code total} of a single page (scope page, not combined). */
    public Optional<Page> page() {
        return Optional.ofNullable(page);
    }

    /** The verified pages a record read in pages was combined from, in order; empty for any other record. */
    public List<DiscoveryRecord> pages() {
        return pages;
    }

    /** The kid of the signer key that signed it (of a record read in pages: that signed its first page). */
    public String kid() {
        return kid;
    }

    /**
     * {@code log_checkpoint}: the log checkpoint (a signed note) the record was made against, under
     * which every listed instance's {@code log_index} must hold its publication. Empty for a record of
     * an engine without a log, and for a record combined from pages (each page has its own).
     */
    public Optional<String> logCheckpoint() {
        return Optional.ofNullable(logCheckpoint);
    }

    /** {@code iss}: the mount's issuer. */
    public String issuer() {
        return issuer;
    }

    /** {@code sub}: the service. */
    public String service() {
        return service;
    }

    public Scope scope() {
        return scope;
    }

    /** {@code seq}: the service's sequence, which rises with every change of its live set. */
    public long seq() {
        return seq;
    }

    /** {@code jti}, or null if the record has none. */
    public String id() {
        return id;
    }

    public Instant issuedAt() {
        return issuedAt;
    }

    /** {@code exp}: after this the record must not be used (a frozen record is a stale one). */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** Whether the record may still be used at {@code now}. */
    public boolean validAt(Instant now) {
        return now.isBefore(expiresAt);
    }

    public List<Instance> instances() {
        return instances;
    }

    /** The live instances' public keys, in record order (an instance in rotation gives two). */
    public List<PublicKey> publicKeys() {
        return instances.stream().map(Instance::publicKey).toList();
    }

    /**
     * The signed claims, decoded (a fresh copy), with the JWT under {@code record}: what
     * {@code herald discover} prints. For a record read in pages, the same shape combined:
     * {@code records} (each page's JWT, in order) instead of {@code record}, then {@code iss},
     * {@code sub}, {@code iat} and {@code exp} (the earliest), {@code scope} "page", {@code seq} (the
     * highest) and {@code instances} (every page's, in order); no {@code jti}, {@code after},
     * {@code next} or {@code total}. A single record that came with inclusion proofs has them under
     * {@code log_proofs} (unsigned), so that {@code herald verify} can check them offline.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        if (pages.isEmpty()) {
            json.put("record", compact());
            json.putAll(CompactJws.parse(compact()).claims());
            if (!logProofs.isEmpty()) {
                json.put(LogWire.PROOFS_MEMBER, logProofs);
            }
            return json;
        }
        List<Object> listed = new ArrayList<>();
        for (String page : compacts) {
            listed.addAll((List<?>) CompactJws.parse(page).claims().get("instances"));
        }
        json.put("records", compacts);
        json.put("iss", issuer);
        json.put("sub", service);
        json.put("iat", issuedAt.getEpochSecond());
        json.put("exp", expiresAt.getEpochSecond());
        json.put("scope", scope.claim());
        json.put("seq", seq);
        json.put("instances", listed);
        return json;
    }

    @Override
    public String toString() {
        // never the JWT itself
        return "DiscoveryRecord[" + issuer + " " + service + " " + scope.claim() + (pages.isEmpty() ? "" : " of " + pages.size()
                + " pages") + ", seq " + seq + ", " + instances.size() + " instances, until " + expiresAt + "]";
    }
}
