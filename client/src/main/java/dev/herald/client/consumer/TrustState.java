package dev.herald.client.consumer;

import dev.herald.client.VerificationException;
import dev.herald.client.log.LogState;
import java.util.Optional;

/**
 * What a consumer keeps between records: the pinned signer keys and the highest {@code seq} seen
 * per (issuer, service), and the verifiable log's pins ({@link LogState}). {@link StateDirectory} keeps it in files shared by processes;
 * {@link MemoryState} for as long as one {@link Consumer} lives.
 */
interface TrustState extends LogState {
    /** The pinned signer keys, if any were pinned. */
    Optional<SignerKeys> signerKeys();

    /**
     * Pins {@code fetched} if nothing is pinned yet (trust on first use), and returns what is pinned
     * now: another process's first pin wins over this one.
     */
    SignerKeys pinFirst(SignerKeys fetched);

    /** Adds keys reached by following countersigned rotations; returns all pinned keys. */
    SignerKeys addSignerKeys(SignerKeys followed);

    /**
     * Records {@code seq} for the service if it is the highest yet; an equal one is fine.
     *
     * @throws VerificationException if a higher one was seen (a rollback)
     */
    void acceptSeq(String issuer, String service, long seq);

    /**
     * The consumer's session with the service (DESIGN §5.8): 32 lowercase hex digits, made at random
     * on first use and the same afterwards, so that a restarted process acknowledges as the session
     * it was rather than leaving a dead one behind.
     */
    String session(String issuer, String service);

    static VerificationException rollback(String issuer, String service, long seq, long seen) {
        return new VerificationException("rollback: seq " + seq + " is lower than " + seen
                + " already seen for service " + Claims.quote(service) + " of issuer " + Claims.quote(issuer));
    }
}
