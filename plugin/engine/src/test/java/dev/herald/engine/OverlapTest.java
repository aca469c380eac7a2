package dev.herald.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ends of a rotation's overlap (docs/design-ack.md §1.2), case by case and over random inputs. */
class OverlapTest {
    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private static final Duration R = Duration.ofMinutes(5);

    /** min_overlap 1 h, max_overlap 6 h, a key good for a day. */
    private static Overlap.Builder rotation(boolean consumersCounted) {
        return Overlap.builder().startedAt(T0).awaitingSequence(7).oldNotAfter(T0.plus(Duration.ofHours(24)))
                .minOverlap(Duration.ofHours(1)).maxOverlap(Duration.ofHours(6)).recordTtl(R)
                .consumersCounted(consumersCounted);
    }

    private static Instant at(String hms) {
        return Instant.parse("2026-11-30T" + hms + "Z");
    }

    @Test
    void withNobodyCountedTheOldKeyLeavesAtMinOverlapAsBefore() {
        Overlap overlap = rotation(false).build();
        assertEquals(Overlap.Outcome.NOT_AWAITED, overlap.outcomeAt(at("18:00:00")));
        assertEquals(at("13:00:00"), overlap.oldListedUntil(), "L = m");
        assertEquals(at("12:05:00"), overlap.serveNewFrom(), "N = t0 + R: every record without the new key has expired");
        assertSame(overlap, overlap.acknowledgedAt(at("12:10:00")), "nothing to acknowledge");
    }

    @Test
    void pendingHoldsTheOldKeyUntilMaxOverlapAndIsForcedThereByTheClockAlone() {
        Overlap overlap = rotation(true).build();
        assertTrue(overlap.pendingAt(at("17:59:59")));
        assertEquals(at("18:00:00"), overlap.oldListedUntil(), "L = M while pending");
        assertEquals(at("17:55:00"), overlap.serveNewFrom(), "the forced end's N = M - R");
        assertEquals(Overlap.Outcome.FORCED, overlap.outcomeAt(at("18:00:00")), "no write needed at M");
        assertFalse(overlap.pendingAt(at("18:00:00")));
    }

    @Test
    void anAcknowledgementBeforeMinOverlapStillKeepsTheOldKeyUntilM() {
        Overlap acked = rotation(true).build().acknowledgedAt(at("12:02:00"));
        assertEquals(Overlap.Outcome.ACKNOWLEDGED, acked.outcome());
        assertEquals(at("12:05:00"), acked.serveNewFrom(), "N = max(C, t0 + R)");
        assertEquals(at("13:00:00"), acked.oldListedUntil(), "L = max(m, N + R) = m");
    }

    @Test
    void anAcknowledgementBetweenMinAndMaxOverlapEndsTheOverlapOneRecordTtlAfterIt() {
        Overlap acked = rotation(true).build().acknowledgedAt(at("14:30:00"));
        assertEquals(at("14:30:00"), acked.serveNewFrom(), "N = C");
        assertEquals(at("14:35:00"), acked.oldListedUntil(), "L = N + R: a publisher polling every R/4 has switched");
        assertSame(acked, acked.acknowledgedAt(at("15:00:00")), "only a pending overlap moves");
    }

    @Test
    void anAcknowledgementAtOrAfterMaxOverlapIsAForcedEnd() {
        Overlap late = rotation(true).build().acknowledgedAt(at("18:00:00"));
        assertEquals(Overlap.Outcome.FORCED, late.outcome());
        assertEquals(at("18:00:00"), late.oldListedUntil());
    }

    @Test
    void anAcknowledgementJustBeforeMaxOverlapNeverMovesTheEndsPastTheForcedOnes() {
        Overlap acked = rotation(true).build().acknowledgedAt(at("17:58:00"));
        assertEquals(at("17:55:00"), acked.serveNewFrom(), "N at most the forced N");
        assertEquals(at("18:00:00"), acked.oldListedUntil(), "L at most M");
    }

    @Test
    void theNewKeyEndingWhilePendingCancelsTheWaitButNotMinOverlap() {
        Overlap pending = rotation(true).build();
        Overlap early = pending.cancelledAt(at("12:30:00"));
        assertEquals(Overlap.Outcome.CANCELLED, early.outcome());
        assertEquals(at("13:00:00"), early.oldListedUntil(), "L = max(now, m)");
        Overlap later = pending.cancelledAt(at("15:00:00"));
        assertEquals(at("15:00:00"), later.oldListedUntil(), "L = now once m has passed");
        assertEquals(later.oldListedUntil(), later.serveNewFrom(), "no new key to present before the old one leaves");
    }

    @Test
    void theOldKeyEndingLeavesAtOnceWhateverWaited() {
        Overlap pending = rotation(true).build();
        Overlap ended = pending.oldEndedAt(at("12:20:00"));
        assertEquals(Overlap.Outcome.OLD_ENDED, ended.outcome());
        assertEquals(at("12:20:00"), ended.oldListedUntil(), "below m: a lease end never waits");
        assertEquals(at("12:20:00"), ended.serveNewFrom());

        Overlap notAwaited = rotation(false).build();
        assertEquals(at("12:40:00"), notAwaited.oldEndedAt(at("12:40:00")).oldListedUntil());
        assertSame(notAwaited, notAwaited.oldEndedAt(at("13:30:00")), "it had already left at m");
    }

    @Test
    void theOldKeysOwnEndCapsBothMinAndMaxOverlap() {
        Overlap overlap = rotation(true).oldNotAfter(at("12:40:00")).build();
        assertEquals(at("12:40:00"), overlap.minEnd());
        assertEquals(at("12:40:00"), overlap.maxEnd());
        assertEquals(at("12:40:00"), overlap.oldListedUntil());
        assertEquals(at("12:35:00"), overlap.serveNewFrom());

        Overlap shortKey = rotation(false).oldNotAfter(at("12:06:00")).build();
        assertEquals(at("12:06:00"), shortKey.oldListedUntil());
        assertEquals(at("12:03:00"), shortKey.serveNewFrom(), "no room for R: half the overlap");
    }

    @Test
    void aSupersededPublicationKeepsItsOverlapThroughItsInstanceEntry() {
        Overlap pending = rotation(true).build();
        for (Overlap overlap : java.util.List.of(pending, pending.acknowledgedAt(at("14:00:00")),
                pending.cancelledAt(at("12:30:00")), rotation(false).build())) {
            Publication superseded = TestValues.publication("pod-1", 1, PublisherKeys.fromPublicKey(
                    TestKeys.generate("ed25519").publicKeyPem())).toBuilder()
                    .superseded(true).notAfter(overlap.oldListedUntil()).overlap(java.util.Optional.of(overlap)).build();
            Publication read = Publication.fromStored(dev.herald.sdk.json.Json.parseObject(
                    dev.herald.sdk.json.Json.write(superseded.toStored())));
            assertEquals(superseded, read);
            assertEquals(overlap.oldListedUntil(), read.overlap().orElseThrow().oldListedUntil());
        }
        Publication plain = TestValues.publication("pod-1", 1, PublisherKeys.fromPublicKey(
                TestKeys.generate("ed25519").publicKeyPem()));
        assertFalse(plain.toStored().containsKey("overlap"), "entries without one are as before");
        assertEquals(java.util.Optional.empty(), Publication.fromStored(plain.toStored()).overlap());
    }

    @Test
    void aMaxOverlapShorterThanMinOverlapIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rotation(true).maxOverlap(Duration.ofMinutes(30)).build());
        assertTrue(e.getMessage().contains("shorter than min_overlap"), e.getMessage());
    }

    /**
     * Over random rotations and events: the old key is listed at least until m (unless its own
     * publication ended) and at most until M; the new key is presented no later than R before the
     * old one leaves where there is room, never before C (unless the forced end came first), and
     * never before every older record expired.
     */
    @Test
    void theEndsKeepTheirBoundsOverRandomRotations() {
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            Duration min = Duration.ofSeconds(1 + random.nextInt(7200));
            Duration max = min.plusSeconds(random.nextInt(30000));
            Duration ttl = Duration.ofSeconds(1 + random.nextInt(900));
            Instant notAfter = T0.plusSeconds(random.nextInt(40000));
            Overlap start = Overlap.builder().startedAt(T0).awaitingSequence(1).oldNotAfter(notAfter)
                    .minOverlap(min).maxOverlap(max).recordTtl(ttl).consumersCounted(random.nextBoolean()).build();
            Instant event = T0.plusSeconds(random.nextInt(40000));
            Overlap overlap = switch (random.nextInt(4)) {
                case 0 -> start;
                case 1 -> start.acknowledgedAt(event);
                case 2 -> start.cancelledAt(event);
                default -> start.oldEndedAt(event);
            };
            String context = start + " then " + overlap;
            Instant l = overlap.oldListedUntil();
            Instant n = overlap.serveNewFrom();
            assertFalse(l.isAfter(start.maxEnd()), "L <= M: " + context);
            assertFalse(n.isAfter(l), "N <= L: " + context);
            if (overlap.outcome() != Overlap.Outcome.OLD_ENDED) {
                assertFalse(l.isBefore(start.minEnd()), "L >= m: " + context);
            }
            if (overlap.outcome() == Overlap.Outcome.ACKNOWLEDGED) {
                // Past the forced N the publisher switches anyway (the old key leaves at M): an
                // acknowledgement after it changes nothing for the publisher.
                Instant forcedN = start.serveNewFrom();
                Instant c = overlap.at().orElseThrow();
                assertEquals(c.isAfter(forcedN) ? forcedN : n, n, "N = the forced N once C is after it: " + context);
                assertFalse(n.isBefore(c) && !c.isAfter(forcedN), "N >= C while C is before the forced N: " + context);
                if (Duration.between(T0, start.maxEnd()).compareTo(ttl.multipliedBy(2)) >= 0) {
                    assertFalse(n.isBefore(T0.plus(ttl)), "N >= t0 + R: " + context);
                    assertFalse(n.plus(ttl).isAfter(l), "N + R <= L: " + context);
                }
            }
        }
    }
}
