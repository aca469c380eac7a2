package dev.herald.client.consumer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link TrustState} in memory: what a consumer without a state directory knows while it runs. Thread-safe. */
final class MemoryState implements TrustState {
    private SignerKeys keys;
    private final Map<List<String>, Long> highest = new HashMap<>();

    @Override
    public synchronized Optional<SignerKeys> signerKeys() {
        return Optional.ofNullable(keys);
    }

    @Override
    public synchronized SignerKeys pinFirst(SignerKeys fetched) {
        if (keys == null) {
            keys = fetched;
        }
        return keys;
    }

    @Override
    public synchronized SignerKeys addSignerKeys(SignerKeys followed) {
        keys = keys == null ? followed : keys.plus(followed);
        return keys;
    }

    @Override
    public synchronized void acceptSeq(String issuer, String service, long seq) {
        Long seen = highest.get(List.of(issuer, service));
        if (seen != null && seq < seen) {
            throw TrustState.rollback(issuer, service, seq, seen);
        }
        highest.put(List.of(issuer, service), seq);
    }
}
