package dev.herald.client.consumer;

import dev.herald.tlog.NoteVerifier;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link TrustState} in memory: what a consumer without a state directory knows while it runs (and
 * the log's state for {@code herald log} without {@code --state}). Thread-safe.
 */
public final class MemoryState implements TrustState {
    private SignerKeys keys;
    private final Map<List<String>, Long> highest = new HashMap<>();
    private List<NoteVerifier> logKeys;
    private final Map<List<String>, String> logFiles = new HashMap<>();
    private final Map<List<String>, String> sessions = new HashMap<>();

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

    @Override
    public synchronized String session(String issuer, String service) {
        return sessions.computeIfAbsent(List.of(issuer, service), key -> Acknowledger.newSession());
    }

    @Override
    public synchronized Optional<List<NoteVerifier>> logKeys() {
        return Optional.ofNullable(logKeys);
    }

    @Override
    public synchronized List<NoteVerifier> pinLogKeys(List<NoteVerifier> keys) {
        if (logKeys == null) {
            logKeys = List.copyOf(keys);
        }
        return logKeys;
    }

    @Override
    public synchronized Optional<String> readLog(String origin, String name) {
        return Optional.ofNullable(logFiles.get(List.of(origin, name)));
    }

    @Override
    public synchronized boolean replaceLog(String origin, String name, Optional<String> expected, String content) {
        if (!Optional.ofNullable(logFiles.get(List.of(origin, name))).equals(expected)) {
            return false;
        }
        logFiles.put(List.of(origin, name), content);
        return true;
    }

    @Override
    public Optional<Path> writeEvidence(String origin, Map<String, String> files) {
        return Optional.empty(); // nowhere to write: the exception and the hook carry it
    }
}
