package dev.herald.client.log;

import dev.herald.tlog.NoteVerifier;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a client requires of the log's witnesses (design-log §8): for every checkpoint it relies on,
 * a checkpoint of {@code log/witnessed} at least as large, consistent with it, cosigned by at least
 * {@code required} of {@code witnesses}; waiting up to {@code maxWait} for the witnesses to catch up
 * (they poll the log).
 *
 * @param witnesses the known witness keys (type 0x04), each name once
 * @param required how many distinct witnesses must have cosigned, 1 to {@code witnesses.size()}
 * @param maxWait how long to re-read {@code log/witnessed} while it is behind
 */
public record WitnessPolicy(List<NoteVerifier> witnesses, int required, Duration maxWait) {
    /** How long a client waits for the witnesses by default: about ten of their polling intervals. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    /** How far a cosignature's time may be ahead of the client's clock (clocks differ a little). */
    public static final Duration SKEW = Duration.ofMinutes(1);

    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException if a key is not a witness key, a name repeats, {@code required}
     *     is out of range or {@code maxWait} negative
     */
    public WitnessPolicy {
        witnesses = List.copyOf(witnesses);
        Set<String> names = new HashSet<>();
        for (NoteVerifier w : witnesses) {
            if (w.type() != NoteVerifier.COSIGNATURE_V1) {
                throw new IllegalArgumentException("witness key " + w.vkey() + " is not a cosignature key (type 0x04)");
            }
            if (!names.add(w.name())) {
                throw new IllegalArgumentException("two witness keys named " + w.name());
            }
        }
        if (required < 1 || required > witnesses.size()) {
            throw new IllegalArgumentException("the witnesses required are between 1 and the " + witnesses.size()
                    + " witness keys given, not " + required);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("a negative wait for the witnesses");
        }
    }

    /** {@return all of {@code witnesses} required, with the default wait} */
    public static WitnessPolicy all(List<NoteVerifier> witnesses) {
        return new WitnessPolicy(witnesses, witnesses.size(), DEFAULT_WAIT);
    }
}
