package dev.herald.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A signed discovery record and the response data made of it, kept for reuse: while the service's
 * sequence, the signing key and the issuer are unchanged, and until {@code reuseUntil}, a discover
 * answers with it, with no storage round trip and no new signature. (The signing key is held whole,
 * not by its kid: no two components share a type, so none can be passed in another's place.)
 * {@code instances} names those it lists (a page's answer has no decoded copy to count them in).
 */
record SignedRecord(long sequence, SigningKey signedBy, String issuer, Instant reuseUntil, Map<String, Object> data,
                    List<String> instances) {
    SignedRecord {
        data = Map.copyOf(data);
        instances = List.copyOf(instances);
    }

    /** How many instances it lists: its weight among the kept records. */
    int listed() {
        return instances.size();
    }

    boolean reusableFor(long currentSequence, String currentKid, String currentIssuer, Instant now) {
        return sequence == currentSequence && signedBy.kid().equals(currentKid) && issuer.equals(currentIssuer)
                && now.isBefore(reuseUntil);
    }
}
