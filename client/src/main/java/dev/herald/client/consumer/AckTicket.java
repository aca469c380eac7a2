package dev.herald.client.consumer;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a {@code discover} answer carries beside its record so that a consumer can acknowledge it
 * (DESIGN §5.8): the token the engine made for this service and {@code seq}, whether a rotation of
 * the service awaits consumers ({@code requested}), and how often a consumer should say it is still
 * there. Unsigned, like the log proofs beside a record: it grants nothing but the right to say "I
 * installed this seq", which the engine checks itself.
 *
 * @param seq       the seq of the record (of the page) it came with
 * @param token     the engine's {@code ack_token} for that service and seq
 * @param requested whether a rotation of the service awaits its consumers' acknowledgements
 * @param heartbeat how often an installed record should be acknowledged again while nothing changes
 */
public record AckTicket(long seq, String token, boolean requested, Duration heartbeat) {
    /** The engine's tokens: 16 bytes, base64url without padding. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{22}");

    public AckTicket {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(heartbeat, "heartbeat");
        if (seq < 1 || !TOKEN.matcher(token).matches() || heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("not an ack ticket: seq " + seq + ", heartbeat " + heartbeat);
        }
    }

    /**
     * The ticket in a discover answer's {@code ack} member for the record of {@code seq}, or empty
     * when there is none (an engine older than acknowledged rotation) or it is malformed: either way
     * the record is still good, only not acknowledged.
     */
    static Optional<AckTicket> of(Object member, long seq) {
        if (!(member instanceof Map<?, ?> ack) || !(ack.get("token") instanceof String token)
                || !(ack.get("heartbeat_seconds") instanceof Number heartbeat)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new AckTicket(seq, token, Boolean.TRUE.equals(ack.get("requested")),
                    Duration.ofSeconds(heartbeat.longValue())));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        // the token is no secret, but it has no business in logs either
        return "AckTicket[seq " + seq + (requested ? ", requested" : "") + ", heartbeat " + heartbeat.toSeconds() + "s]";
    }
}
