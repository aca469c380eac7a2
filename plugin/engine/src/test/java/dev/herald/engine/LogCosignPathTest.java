package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.Cosignature;
import dev.herald.tlog.Ed25519Keys;
import dev.herald.tlog.Hash;
import dev.herald.tlog.NoteSigner;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.SignedNote;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogCosignPathTest {
    private final ServedLog log = new ServedLog();
    private final Witness a = new Witness("witness-a"), b = new Witness("witness-b");

    /** A witness's key pair, cosigning at the mount's clock. */
    private final class Witness {
        final String name;
        final KeyPair keys = Ed25519Keys.generate();

        Witness(String name) {
            this.name = name;
        }

        NoteVerifier vkey() {
            return NoteVerifier.cosigner(name, keys.getPublic());
        }

        SignedNote cosign(SignedCheckpoint checkpoint) {
            return cosign(checkpoint.note(), checkpoint.checkpoint(), log.mount.engine.clock.instant().getEpochSecond());
        }

        SignedNote cosign(SignedNote note, Checkpoint checkpoint, long time) {
            return note.with(Cosignature.sign(name, keys.getPrivate(), keys.getPublic(), checkpoint, time));
        }
    }

    private void configure(Witness... witnesses) {
        log.mount.engine.send(Operation.UPDATE, "config", Map.of("log_witnesses",
                Arrays.stream(witnesses).map(w -> w.vkey().vkey()).toList()));
    }

    private Map<String, Object> post(SignedNote note) {
        return log.mount.engine.send(Operation.UPDATE, "log/cosign", Map.of("checkpoint", note.encode())).data();
    }

    private SignedCheckpoint witnessed() throws Exception {
        List<NoteVerifier> keys = log.keys();
        return SignedCheckpoint.open(ServedLog.text(log.raw("log/witnessed")), keys.getFirst().name(), keys);
    }

    @Test
    void cosignaturesOfOneSizeMergeALargerSizeReplacesThemAndASmallerOneIsDropped() throws Exception {
        configure(a, b);
        log.grow(3);
        SignedCheckpoint first = log.checkpoint();
        assertEquals(Map.of("stored", true, "size", 3L, "witnessed_size", 3L, "cosignatures", 1L), post(a.cosign(first)));
        assertEquals(2L, post(b.cosign(first)).get("cosignatures"));
        assertEquals(List.of(a.vkey(), b.vkey()), witnessed().cosignatures(List.of(a.vkey(), b.vkey())).stream()
                .map(Cosignature::witness).toList());
        assertEquals(first.checkpoint(), witnessed().checkpoint());

        log.grow(2);
        SignedCheckpoint second = log.checkpoint();
        assertEquals(1L, post(b.cosign(second)).get("cosignatures"), "a larger size starts over");
        assertEquals(second.checkpoint(), witnessed().checkpoint());
        assertEquals(List.of(b.vkey()), witnessed().cosignatures(List.of(a.vkey(), b.vkey())).stream().map(Cosignature::witness).toList());

        Map<String, Object> late = post(a.cosign(first));
        assertEquals(false, late.get("stored"));
        assertEquals(second.checkpoint().size(), late.get("witnessed_size"));
        assertTrue(String.valueOf(late.get("reason")).contains("larger"), late.toString());
        assertEquals(second.checkpoint(), witnessed().checkpoint(), "a smaller size changes nothing");
    }

    @Test
    void anOlderCheckpointOfTheTreeIsAcceptedAgainstTheRootTheTreeHadThen() throws Exception {
        configure(a);
        log.grow(3);
        SignedCheckpoint old = log.checkpoint();
        log.grow(300);
        assertEquals(true, post(a.cosign(old)).get("stored"), "a witness polling slower than the log still cosigns");
        assertEquals(old.checkpoint(), witnessed().checkpoint());
    }

    @Test
    void aCheckpointThatIsNotOfTheLogsTreeOrNotSignedByItIsRefused() throws Exception {
        configure(a);
        log.grow(3);
        SignedCheckpoint real = log.checkpoint();
        NoteSigner logKey = LogKey.load(log.mount.engine.storage).orElseThrow();
        String origin = real.checkpoint().origin();
        long now = log.mount.engine.clock.instant().getEpochSecond();

        Checkpoint fork = Checkpoint.of(origin, 3, Hash.of(new byte[32]));
        assertRefused("its root is not the root of the log's tree of size 3", a.cosign(SignedNote.sign(fork.body(), logKey), fork, now));
        Checkpoint beyond = Checkpoint.of(origin, 9, real.checkpoint().root());
        assertRefused("its size 9 is beyond the log's tree (3)", a.cosign(SignedNote.sign(beyond.body(), logKey), beyond, now));

        KeyPair other = Ed25519Keys.generate();
        NoteSigner impostor = NoteSigner.ed25519(origin, other.getPrivate(), other.getPublic());
        assertRefused("not signed by this log's key", a.cosign(SignedNote.sign(real.checkpoint().body(), impostor), real.checkpoint(), now));
        Checkpoint elsewhere = Checkpoint.of("example.org/other", 3, real.checkpoint().root());
        assertRefused("not of this mount's", a.cosign(SignedNote.sign(elsewhere.body(), impostor), elsewhere, now));

        assertRefused("carries no cosignature", real.note());
        assertRefused("neither this log's key nor a witness", b.cosign(real));
        assertRefused("in the future", a.cosign(real.note(), real.checkpoint(), now + Duration.ofMinutes(5).toSeconds()));
        // A's line over another body: the signature does not verify.
        Checkpoint body = Checkpoint.of(origin, 2, real.checkpoint().root());
        SignedNote wrong = real.note().with(Cosignature.sign(a.name, a.keys.getPrivate(), a.keys.getPublic(), body, now));
        assertRefused("does not verify", wrong);
        assertRefused("invalid checkpoint: a note", new Object());

        VaultException none = assertThrows(VaultException.class, () -> log.mount.engine.send(Operation.READ, "log/witnessed", Map.of()));
        assertEquals(404, none.status(), "nothing was stored");
        assertTrue(none.getMessage().contains("no witnessed checkpoint yet"), none.getMessage());
    }

    @Test
    void twoWitnessesCosigningAtOnceBothEndUpInTheWitnessedCheckpoint() throws Exception {
        configure(a, b);
        for (int round = 0; round < 20; round++) {
            log.grow(2);
            SignedCheckpoint c = log.checkpoint();
            SignedNote fromA = a.cosign(c), fromB = b.cosign(c);
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                var first = pool.submit(() -> {
                    start.await();
                    return post(fromA);
                });
                var second = pool.submit(() -> {
                    start.await();
                    return post(fromB);
                });
                first.get();
                second.get();
            }
            assertEquals(c.checkpoint(), witnessed().checkpoint());
            assertEquals(2, witnessed().cosignatures(List.of(a.vkey(), b.vkey())).size(), "round " + round + ": no cosignature lost");
        }
    }

    @Test
    void withoutConfiguredWitnessesNothingIsAccepted() throws Exception {
        log.grow(3);
        assertRefused("no witnesses are configured", a.cosign(log.checkpoint()));
    }

    @Test
    void aWitnessDroppedFromTheConfigLosesItsStoredCosignatureOnTheNextMerge() throws Exception {
        configure(a, b);
        log.grow(3);
        SignedCheckpoint c = log.checkpoint();
        post(a.cosign(c));
        configure(b);
        Response answer = log.mount.engine.send(Operation.UPDATE, "log/cosign", Map.of("checkpoint", b.cosign(c).encode()));
        assertEquals(1L, answer.data().get("cosignatures"));
        assertEquals(List.of(b.vkey()), witnessed().cosignatures(List.of(a.vkey(), b.vkey())).stream().map(Cosignature::witness).toList());
    }

    @Test
    void cosigningNeedsATokenAndIsDoneByTheActiveNode() {
        assertFalse(log.mount.engine.backend.specialPaths().unauthenticated().contains("log/cosign"));
        assertTrue(log.mount.engine.backend.specialPaths().unauthenticated().contains("log/witnessed"));
        EngineFixture standby = new EngineFixture(Map.of(), log.mount.engine.storage, log.mount.engine.clock, true);
        VaultException e = assertThrows(VaultException.class,
                () -> standby.send(Operation.UPDATE, "log/cosign", Map.of("checkpoint", "x")));
        assertEquals(VaultException.Kind.FORWARD_TO_ACTIVE, e.kind());
    }

    @Test
    void aStandbyServesTheWitnessedCheckpointFromStorage() throws Exception {
        configure(a);
        log.grow(3);
        post(a.cosign(log.checkpoint()));
        EngineFixture standby = new EngineFixture(Map.of(), log.mount.engine.storage, log.mount.engine.clock, true);
        var raw = standby.send(Operation.READ, "log/witnessed", Map.of()).raw().orElseThrow();
        assertEquals(ServedLog.text(log.raw("log/witnessed")), ServedLog.text(raw));
        assertEquals("text/plain; charset=utf-8", raw.contentType());
        assertEquals("no-cache, max-age=0", raw.cacheControl().orElseThrow());
    }

    private void assertRefused(String fragment, Object note) {
        String body = note instanceof SignedNote n ? n.encode() : "not a note\n";
        VaultException e = assertThrows(VaultException.class,
                () -> log.mount.engine.send(Operation.UPDATE, "log/cosign", Map.of("checkpoint", body)));
        assertEquals(400, e.status(), e::getMessage);
        assertTrue(e.getMessage().contains(fragment), () -> "\"" + fragment + "\" in: " + e.getMessage());
    }
}
