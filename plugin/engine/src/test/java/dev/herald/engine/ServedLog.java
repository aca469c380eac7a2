package dev.herald.engine;

import dev.herald.sdk.Lease;
import dev.herald.sdk.Operation;
import dev.herald.sdk.RawBody;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.TileId;
import dev.herald.tlog.TlogException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A publishing mount whose log the tests read as a client does: raw bodies of log/... paths. */
final class ServedLog {
    final PublishingFixture mount = new PublishingFixture();
    private Lease lease;

    /**
     * Appends at least {@code leaves} leaves: the pod's key published, its lease ended, the same key
     * published again (a revive), each a leaf.
     */
    void grow(int leaves) {
        int i = 0;
        if (lease == null) {
            lease = mount.publish(mount.body(mount.first)).lease().orElseThrow();
            i++;
        }
        for (; i < leaves; i += 2) {
            mount.engine.lease(Operation.REVOKE, lease);
            lease = mount.publish(mount.body(mount.first)).lease().orElseThrow();
        }
    }

    /** The pod's lease ended and its key published again: the revive's answer. */
    dev.herald.sdk.Response republish() {
        mount.engine.lease(Operation.REVOKE, lease);
        dev.herald.sdk.Response answer = mount.publish(mount.body(mount.first));
        lease = answer.lease().orElseThrow();
        return answer;
    }

    RawBody raw(String path) {
        return raw(path, Map.of());
    }

    RawBody raw(String path, Map<String, Object> query) {
        RawBody raw = mount.engine.send(Operation.READ, path, query).raw().orElseThrow();
        assertEquals(200, raw.status());
        return raw;
    }

    static String text(RawBody raw) {
        return new String(raw.body(), StandardCharsets.UTF_8);
    }

    List<NoteVerifier> keys() {
        List<NoteVerifier> keys = new ArrayList<>();
        for (String line : text(raw("log/key")).split("\n")) {
            try {
                keys.add(NoteVerifier.parse(line));
            } catch (TlogException e) {
                throw new AssertionError(e);
            }
        }
        return keys;
    }

    /** log/checkpoint, verified with log/key. */
    SignedCheckpoint checkpoint() throws TlogException {
        List<NoteVerifier> keys = keys();
        return SignedCheckpoint.open(text(raw("log/checkpoint")), keys.getFirst().name(), keys);
    }

    /** A tile as a client reads it. */
    byte[] tile(TileId id) {
        return raw("log/" + id.path()).body();
    }
}
