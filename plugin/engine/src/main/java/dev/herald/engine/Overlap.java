package dev.herald.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How long a rotated-out key stays listed, and from when its publisher may present the new one
 * (docs/design-ack.md §1): the overlap of one rotation of an instance from publication P (the old
 * key) to P' (the new one), made at {@code startedAt} (t0) by the change that raised the service's
 * sequence to {@code awaitingSequence} (S). Immutable; made by {@link #builder} at the rotation, then
 * moved on only by {@link #acknowledgedAt}, {@link #cancelledAt} and {@link #oldEndedAt}.
 *
 * <p>The two ends are pure functions of stored instants (no timer): a pending overlap that nobody
 * completes becomes {@link Outcome#FORCED} at M by the clock alone, exactly as a publication's
 * {@code not_after} ends it today.
 *
 * @param startedAt        t0: when the rotation was published
 * @param awaitingSequence S: the first sequence whose records list the new key
 * @param minEnd           m = min(P's not_after, t0 + min_overlap): the old key never leaves earlier (unless its own lease ends)
 * @param maxEnd           M = min(P's not_after, t0 + max_overlap): nor later
 * @param recordTtl        R: the record_ttl at t0 (a later change of config does not move this overlap)
 * @param outcome          where the overlap stands, as stored
 * @param at               when the outcome was reached: C for ACKNOWLEDGED, the revoke's or lease end's
 *                         time for CANCELLED and OLD_ENDED; empty otherwise
 */
record Overlap(Instant startedAt, long awaitingSequence, Instant minEnd, Instant maxEnd, Duration recordTtl,
               Outcome outcome, Optional<Instant> at) {

    enum Outcome {
        /** Nobody was counted at t0: the old key leaves at m, as before acknowledged rotation. */
        NOT_AWAITED,
        /** Counted consumers have not all installed a record listing the new key. */
        PENDING,
        /** They all did, at C (before M). */
        ACKNOWLEDGED,
        /** M came first: the old key left at M, whoever had not moved. */
        FORCED,
        /** The new key's publication ended (revoke, lease end) while pending: nothing to wait for. */
        CANCELLED,
        /** The old key's own publication ended (revoke, lease end): it left at once. */
        OLD_ENDED
    }

    Overlap {
        Objects.requireNonNull(startedAt);
        Objects.requireNonNull(minEnd);
        Objects.requireNonNull(maxEnd);
        Objects.requireNonNull(recordTtl);
        Objects.requireNonNull(outcome);
        Objects.requireNonNull(at);
        if (minEnd.isBefore(startedAt) || maxEnd.isBefore(minEnd)) {
            throw new IllegalArgumentException("an overlap needs t0 <= m <= M: " + startedAt + ", " + minEnd + ", " + maxEnd);
        }
        if (recordTtl.isNegative() || recordTtl.isZero()) {
            throw new IllegalArgumentException("record_ttl must be positive");
        }
        boolean timed = outcome == Outcome.ACKNOWLEDGED || outcome == Outcome.CANCELLED || outcome == Outcome.OLD_ENDED;
        if (timed != at.isPresent()) {
            throw new IllegalArgumentException(outcome + (timed ? " needs" : " takes no") + " time");
        }
    }

    static Builder builder() {
        return new Builder();
    }

    /**
     * The outcome at {@code now}: a pending overlap whose M has passed is forced, whether or not a
     * write has recorded it yet.
     */
    Outcome outcomeAt(Instant now) {
        return outcome == Outcome.PENDING && !now.isBefore(maxEnd) ? Outcome.FORCED : outcome;
    }

    boolean pendingAt(Instant now) {
        return outcomeAt(now) == Outcome.PENDING;
    }

    /**
     * L: the old key's {@code not_after} as records list it. While pending it is M (the safe
     * direction: the key stays until something moves it earlier); it only ever moves earlier,
     * and never below m, except when the old key's own publication ends.
     */
    Instant oldListedUntil() {
        return switch (outcome) {
            case NOT_AWAITED -> minEnd;
            case PENDING, FORCED -> maxEnd;
            case ACKNOWLEDGED -> earliest(maxEnd, latest(minEnd, serveNewFrom().plus(recordTtl)));
            case CANCELLED -> earliest(maxEnd, latest(at.orElseThrow(), minEnd));
            case OLD_ENDED -> at.orElseThrow();
        };
    }

    /**
     * N: from when the publisher may present the new key. Never before every counted consumer
     * installed a record listing it (C), nor, where the overlap leaves room, before every record
     * signed before t0 has expired (t0 + R); always at least R before the old key leaves, so a
     * publisher polling every R/4 switches well before that. While pending: the forced end's N.
     */
    Instant serveNewFrom() {
        return switch (outcome) {
            case NOT_AWAITED -> startedAt.plus(shorter(recordTtl, Duration.between(startedAt, minEnd).dividedBy(2)));
            case PENDING, FORCED -> forcedServeNewFrom();
            case ACKNOWLEDGED -> earliest(latest(at.orElseThrow(), startedAt.plus(recordTtl)), forcedServeNewFrom());
            // The new key's publication is gone: nothing new to present before the old one leaves.
            case CANCELLED -> oldListedUntil();
            // The old key is gone: the new one is all there is (a publisher that switched earlier
            // stays switched).
            case OLD_ENDED -> at.orElseThrow();
        };
    }

    private Instant forcedServeNewFrom() {
        return maxEnd.minus(shorter(recordTtl, Duration.between(startedAt, maxEnd).dividedBy(2)));
    }

    /**
     * Every counted consumer installed a record at S or later, at {@code c}: the overlap ends as
     * acknowledged, or as forced if M came first. Only a pending overlap moves.
     */
    Overlap acknowledgedAt(Instant c) {
        if (outcome != Outcome.PENDING) {
            return this;
        }
        if (!c.isBefore(maxEnd)) {
            return with(Outcome.FORCED, Optional.empty());
        }
        return with(Outcome.ACKNOWLEDGED, Optional.of(latest(c, startedAt)));
    }

    /** The new key's publication ended at {@code when} while the overlap was pending: the wait ends. */
    Overlap cancelledAt(Instant when) {
        if (outcome != Outcome.PENDING) {
            return this;
        }
        if (!when.isBefore(maxEnd)) {
            return with(Outcome.FORCED, Optional.empty());
        }
        return with(Outcome.CANCELLED, Optional.of(when));
    }

    /** The old key's own publication ended at {@code when} (revoke, lease end): it leaves at once, whatever waited. */
    Overlap oldEndedAt(Instant when) {
        if (!when.isBefore(oldListedUntil())) {
            return this; // it had already left the list
        }
        return with(Outcome.OLD_ENDED, Optional.of(when));
    }

    /** As the instance entry holds it (docs/design-ack.md §4.1). */
    java.util.Map<String, Object> toStored() {
        java.util.Map<String, Object> stored = new java.util.LinkedHashMap<>();
        stored.put("started_at", startedAt.toString());
        stored.put("awaiting_sequence", awaitingSequence);
        stored.put("min_end", minEnd.toString());
        stored.put("max_end", maxEnd.toString());
        stored.put("record_ttl_seconds", recordTtl.toSeconds());
        stored.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
        at.ifPresent(when -> stored.put("at", when.toString()));
        return stored;
    }

    static Overlap fromStored(java.util.Map<String, Object> stored) {
        return new Overlap(Instant.parse((String) stored.get("started_at")),
                ((Number) stored.get("awaiting_sequence")).longValue(),
                Instant.parse((String) stored.get("min_end")),
                Instant.parse((String) stored.get("max_end")),
                Duration.ofSeconds(((Number) stored.get("record_ttl_seconds")).longValue()),
                Outcome.valueOf(((String) stored.get("outcome")).toUpperCase(java.util.Locale.ROOT)),
                stored.get("at") instanceof String when ? Optional.of(Instant.parse(when)) : Optional.empty());
    }

    private Overlap with(Outcome next, Optional<Instant> when) {
        return new Overlap(startedAt, awaitingSequence, minEnd, maxEnd, recordTtl, next, when);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    /** The start of an overlap, from what the rotating publish knows. Every field named. */
    static final class Builder {
        private Instant startedAt;
        private Long awaitingSequence;
        private Instant oldNotAfter;
        private Duration minOverlap;
        private Duration maxOverlap;
        private Duration recordTtl;
        private Boolean consumersCounted;

        private Builder() {
        }

        Builder startedAt(Instant t0) {
            this.startedAt = t0;
            return this;
        }

        Builder awaitingSequence(long s) {
            this.awaitingSequence = s;
            return this;
        }

        /** The old publication's not_after before the rotation: no overlap outlasts it. */
        Builder oldNotAfter(Instant notAfter) {
            this.oldNotAfter = notAfter;
            return this;
        }

        Builder minOverlap(Duration d) {
            this.minOverlap = d;
            return this;
        }

        /** The role's max_overlap if set, else the config's; at least min_overlap. */
        Builder maxOverlap(Duration d) {
            this.maxOverlap = d;
            return this;
        }

        Builder recordTtl(Duration d) {
            this.recordTtl = d;
            return this;
        }

        /** Whether any consumer of the service was counted at t0: if not, nothing is awaited. */
        Builder consumersCounted(boolean counted) {
            this.consumersCounted = counted;
            return this;
        }

        Overlap build() {
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(awaitingSequence, "awaitingSequence");
            Objects.requireNonNull(oldNotAfter, "oldNotAfter");
            Objects.requireNonNull(minOverlap, "minOverlap");
            Objects.requireNonNull(maxOverlap, "maxOverlap");
            Objects.requireNonNull(recordTtl, "recordTtl");
            Objects.requireNonNull(consumersCounted, "consumersCounted");
            if (maxOverlap.compareTo(minOverlap) < 0) {
                throw new IllegalArgumentException("max_overlap " + maxOverlap + " is shorter than min_overlap " + minOverlap);
            }
            Instant end = latest(oldNotAfter, startedAt);
            Instant m = earliest(end, startedAt.plus(minOverlap));
            Instant maxEnd = earliest(end, startedAt.plus(maxOverlap));
            return new Overlap(startedAt, awaitingSequence, m, maxEnd, recordTtl,
                    consumersCounted ? Outcome.PENDING : Outcome.NOT_AWAITED, Optional.empty());
        }
    }
}
