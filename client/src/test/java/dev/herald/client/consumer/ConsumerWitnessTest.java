package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.LogInconsistencyException;
import dev.herald.client.TokenSource;
import dev.herald.client.VerificationException;
import dev.herald.client.log.LogClient;
import dev.herald.client.log.WitnessPolicy;
import dev.herald.client.testing.LogFixture;
import dev.herald.client.testing.ManualClock;
import dev.herald.client.testing.StubVault;
import dev.herald.client.testing.TestKeys;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.Cosignature;
import dev.herald.tlog.Ed25519Keys;
import dev.herald.tlog.MalformedException;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.SignedNote;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A consumer that requires k of n witnesses (design-log §8): of every record's checkpoint, through log/witnessed. */
class ConsumerWitnessTest {
    private static final String DISCOVER = "herald/discover/payments";
    private static final PublicKey WEB1 = TestKeys.ed25519().getPublic();
    private static final Duration SHORT = Duration.ofMillis(300);

    @TempDir
    Path temp;
    private StubVault vault;
    private final LogFixture log = new LogFixture();
    private final ManualClock clock = new ManualClock(Records.NOW.plusSeconds(1));
    private final TestSigner signer = TestSigner.ed25519();
    private final AtomicReference<String> witnessed = new AtomicReference<>();
    private final AtomicReference<Map<String, Object>> served = new AtomicReference<>();
    private final KeyPair a = Ed25519Keys.generate(), b = Ed25519Keys.generate();
    private long web1;

    @BeforeEach
    void start() {
        vault = StubVault.http();
        vault.on("GET", "herald/jwks", request -> StubVault.Answer.ok(Map.of("data", TestSigner.jwks(signer))));
        log.routeOn(vault, "herald", "key", "proof/consistency", "checkpoint");
        vault.on("GET", "herald/log/witnessed", request -> witnessed.get() == null ? StubVault.Answer.errors(404, "none yet")
                : new StubVault.Answer(200, witnessed.get()));
        web1 = log.publish("payments", "web-1", 1, WEB1, "entity-1");
        log.publish("other", "x-1", 1, WEB1, "entity-2");
        log.publish();
        served.set(record(true));
        vault.wrapping(DISCOVER, served::get);
    }

    /** A discover answer listing web-1, with or without the log (checkpoint, index, proof). */
    private Map<String, Object> record(boolean withLog) {
        Map<String, Object> instance = Records.instance("web-1", 1, WEB1);
        Map<String, Object> claims = Records.claims("payments", "service", 1, instance);
        Map<String, Object> data = new LinkedHashMap<>();
        if (withLog) {
            instance.put("log_index", web1);
            claims.put("log_checkpoint", log.served().checkpoint());
            data.put("log_proofs", Map.of("web-1", log.inclusionProof(web1)));
        }
        data.put("record", signer.sign(DiscoveryRecord.TYPE, claims));
        return data;
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private static NoteVerifier vkey(String name, KeyPair pair) {
        return NoteVerifier.cosigner(name, pair.getPublic());
    }

    /** The note cosigned by the witnesses given as name, key pair, name, key pair... at {@code time}. */
    private static String cosigned(String note, long time, Object... witnesses) throws MalformedException {
        SignedNote signed = SignedNote.parse(note);
        Checkpoint checkpoint = Checkpoint.parse(signed.text());
        for (int i = 0; i < witnesses.length; i += 2) {
            KeyPair pair = (KeyPair) witnesses[i + 1];
            signed = signed.with(Cosignature.sign((String) witnesses[i], pair.getPrivate(), pair.getPublic(), checkpoint, time));
        }
        return signed.encode();
    }

    private Consumer consumer(int required) {
        return Consumer.builder(vault.client(), TokenSource.of("caller-token"), "payments").clock(clock)
                .state(StateDirectory.open(temp.resolve("state")))
                .witnesses(new WitnessPolicy(List.of(vkey("a", a), vkey("b", b)), required, SHORT)).build();
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    @Test
    void aRecordWhoseCheckpointEnoughWitnessesCosignedIsAccepted() throws Exception {
        witnessed.set(cosigned(log.served().checkpoint(), now(), "a", a, "b", b));
        assertEquals(1, consumer(2).refresh().instances().size());
        assertEquals(log.served().checkpoint(), StateDirectory.open(temp.resolve("state"))
                .readLog(LogFixture.ORIGIN, LogClient.CHECKPOINT_FILE).orElseThrow().substring(0, log.served().checkpoint().length()));
    }

    @Test
    void tooFewCosignaturesACheckpointBehindOrNoneAtAllIsAVerificationFailureAfterTheWait() throws Exception {
        witnessed.set(cosigned(log.served().checkpoint(), now(), "a", a));
        VerificationException few = assertThrows(VerificationException.class, () -> consumer(2).refresh());
        assertTrue(few.getMessage().contains("has 1 of the 2 cosignatures required"), few.getMessage());
        assertEquals(1, consumer(1).refresh().instances().size());

        witnessed.set(cosigned(log.served().checkpoint(), now() + 3600, "a", a, "b", b));
        VerificationException ahead = assertThrows(VerificationException.class, () -> consumer(1).refresh());
        assertTrue(ahead.getMessage().contains("has 0 of the 1"), "a cosignature dated an hour ahead does not count: " + ahead.getMessage());

        witnessed.set(null);
        VerificationException none = assertThrows(VerificationException.class, () -> consumer(1).refresh());
        assertTrue(none.getMessage().contains("log/witnessed holds no checkpoint yet"), none.getMessage());
    }

    @Test
    void aWitnessedForkIsALogInconsistency() throws Exception {
        // The witnesses were shown another tree of the record's size, signed by the same log key.
        LogFixture fork = log.sameKey();
        fork.publish("payments", "web-9", 1, WEB1, "entity-evil");
        fork.publish("payments", "web-8", 1, WEB1, "entity-evil");
        witnessed.set(cosigned(fork.publish().checkpoint(), now(), "a", a, "b", b));
        LogInconsistencyException e = assertThrows(LogInconsistencyException.class, () -> consumer(2).refresh());
        assertTrue(e.getMessage().contains("two different roots for size 2"), e.getMessage());
    }

    @Test
    void aRecordWithoutTheLogNeedsTheLogItselfWitnessedAndPinsNothing() throws Exception {
        served.set(record(false)); // an engine whose records do not carry the log yet
        witnessed.set(cosigned(log.served().checkpoint(), now(), "a", a, "b", b));
        assertEquals(1, consumer(2).refresh().instances().size());
        assertTrue(StateDirectory.open(temp.resolve("state")).logKeys().isEmpty(), "nothing of the log is pinned for it");
        witnessed.set(cosigned(log.served().checkpoint(), now(), "b", b));
        VerificationException few = assertThrows(VerificationException.class, () -> consumer(2).refresh());
        assertTrue(few.getMessage().contains("has 1 of the 2 cosignatures required"), few.getMessage());
    }
}
