package dev.herald.client.publisher;

import dev.herald.client.HeraldException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where a rotation of an instance stands (DESIGN §5.8): from the publish answer's {@code rotation}
 * or a read of {@code rotation/:service/:instance}. The publisher presents the new key from
 * {@link #serveNewFrom()} and the old one leaves the records at {@link #oldListedUntil()}; while the
 * rotation is {@link State#PENDING pending} both are the latest they can be (the forced ends), and
 * an acknowledgement of every counted consumer brings them forward.
 *
 * @param toGeneration     the generation of the new key
 * @param state            what the engine says of it
 * @param awaitingSequence the seq consumers must reach (0 when nobody was awaited)
 * @param serveNewFrom     from when the new key may be presented
 * @param oldListedUntil   when the old key leaves the records
 * @param poll             how often to read {@code rotation/} again while it is pending
 */
public record Rotation(long toGeneration, State state, long awaitingSequence, Instant serveNewFrom, Instant oldListedUntil,
                       Duration poll) {
    /** The longest pause between two reads of a pending rotation when the engine did not say. */
    static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    /** A rotation's state, as {@code rotation/} names it. */
    public enum State {
        /** Counted consumers have not all acknowledged the new key yet. */
        PENDING,
        /** Every counted consumer acknowledged it. */
        ACKNOWLEDGED,
        /** max_overlap passed first: the old key leaves whoever has not moved. */
        FORCED,
        /** The new key's lease ended while the rotation was pending. */
        CANCELLED,
        /** The old key's lease ended (or an operator revoked it). */
        OLD_ENDED,
        /** Ended (the old key is no longer listed). */
        ENDED,
        /** Nobody was counted when it was made: the old key stays for min_overlap, as without consumers. */
        NOT_AWAITED;

        /** The state named {@code name} (the engine's lowercase word). */
        static State parse(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new HeraldException("the engine named an unknown rotation state " + name);
            }
        }
    }

    /** Whether it still waits for consumers. */
    public boolean pending() {
        return state == State.PENDING;
    }

    /** The publish answer's {@code rotation}, if the answer was of a rotation. */
    static Optional<Rotation> fromPublishAnswer(Map<String, Object> data, long toGeneration) {
        if (!(data.get("rotation") instanceof Map<?, ?> rotation)) {
            return Optional.empty();
        }
        try {
            boolean counted = Boolean.TRUE.equals(rotation.get("counted"));
            return Optional.of(new Rotation(toGeneration, counted ? State.PENDING : State.NOT_AWAITED,
                    counted ? number(rotation, "awaiting_sequence") : 0, time(rotation, "serve_new_from"),
                    time(rotation, "old_listed_until"), DEFAULT_POLL));
        } catch (ClassCastException | NullPointerException e) {
            throw new HeraldException("the publish answer's rotation lacks serve_new_from or old_listed_until");
        }
    }

    /** The entry of {@code rotation/}'s answer about the rotation to {@code toGeneration}, if it lists one. */
    static Optional<Rotation> fromRotationAnswer(Map<String, Object> data, long toGeneration) {
        if (!(data.get("rotations") instanceof List<?> rotations)) {
            throw new HeraldException("the answer of rotation/ has no rotations list");
        }
        for (Object entry : rotations) {
            if (entry instanceof Map<?, ?> rotation && rotation.get("to_generation") instanceof Number to
                    && to.longValue() == toGeneration) {
                try {
                    return Optional.of(new Rotation(toGeneration, State.parse((String) rotation.get("state")),
                            number(rotation, "awaiting_sequence"), time(rotation, "serve_new_from"),
                            time(rotation, "old_listed_until"), Duration.ofSeconds(Math.max(1, number(rotation, "poll_seconds")))));
                } catch (ClassCastException | NullPointerException e) {
                    throw new HeraldException("an entry of rotation/'s answer lacks state, awaiting_sequence, serve_new_from,"
                            + " old_listed_until or poll_seconds");
                }
            }
        }
        return Optional.empty();
    }

    private static long number(Map<?, ?> map, String name) {
        return ((Number) map.get(name)).longValue();
    }

    private static Instant time(Map<?, ?> map, String name) {
        return Instant.ofEpochSecond(number(map, name));
    }
}
