package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.LogEvidence;
import dev.herald.client.LogInconsistencyException;
import dev.herald.client.TamperException;
import dev.herald.client.TamperHook;
import dev.herald.client.TokenSource;
import dev.herald.client.VerificationException;
import dev.herald.client.log.LogClient;
import dev.herald.client.testing.LogFixture;
import dev.herald.client.testing.ManualClock;
import dev.herald.client.testing.StubVault;
import dev.herald.client.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consumer checks that every key it pins is in the mount's log (design-log §6.3, §7.2, §7.3). */
class ConsumerLogTest {
    private static final String DISCOVER = "herald/discover/payments";
    private static final PublicKey WEB1 = TestKeys.ed25519().getPublic();
    private static final PublicKey WEB2 = TestKeys.p256().getPublic();

    @TempDir
    Path temp;
    private StubVault vault;
    private final LogFixture log = new LogFixture();
    private final ManualClock clock = new ManualClock(Records.NOW.plusSeconds(1));
    private final TestSigner signer = TestSigner.ed25519();
    /** What the engine's discover answers with now: record and log_proofs. */
    private final AtomicReference<Map<String, Object>> served = new AtomicReference<>();
    private final List<LogEvidence> inconsistencies = new ArrayList<>();
    private long web1;
    private long web2;

    @BeforeEach
    void start() {
        vault = StubVault.http();
        vault.on("GET", "herald/jwks", request -> StubVault.Answer.ok(Map.of("data", TestSigner.jwks(signer))));
        vault.on("GET", "herald/log/key", request -> text(log.answer("key", request.query())));
        vault.on("GET", "herald/log/proof/consistency", request -> text(log.answer("proof/consistency", request.query())));
        vault.wrapping(DISCOVER, served::get);
        web1 = log.publish("payments", "web-1", 1, WEB1, "entity-1");
        log.publish("other", "x-1", 1, WEB2, "entity-2");
        web2 = log.publish("payments", "web-2", 1, WEB2, "entity-1");
        log.publish();
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private static StubVault.Answer text(byte[] body) {
        return body == null ? StubVault.Answer.errors(404, "not found") : new StubVault.Answer(200, new String(body, StandardCharsets.UTF_8));
    }

    private static Map<String, Object> instance(String name, PublicKey key, Long logIndex) {
        Map<String, Object> instance = Records.instance(name, 1, key);
        if (logIndex != null) {
            instance.put("log_index", logIndex);
        }
        return instance;
    }

    /** Serves a record of seq {@code seq} under {@code checkpoint} (null: none), with these proofs. */
    @SafeVarargs
    private void serve(long seq, String checkpoint, Map<String, Object> proofs, Map<String, Object>... instances) {
        Map<String, Object> claims = Records.claims("payments", "service", seq, instances);
        if (checkpoint != null) {
            claims.put("log_checkpoint", checkpoint);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("record", signer.sign(DiscoveryRecord.TYPE, claims));
        if (proofs != null) {
            data.put("log_proofs", proofs);
        }
        served.set(data);
    }

    private void serveHonest(long seq) {
        serve(seq, log.served().checkpoint(), Map.of("web-1", log.inclusionProof(web1), "web-2", log.inclusionProof(web2)),
                instance("web-1", WEB1, web1), instance("web-2", WEB2, web2));
    }

    private Consumer consumer(StateDirectory state) {
        return Consumer.builder(vault.client(), TokenSource.of("caller-token"), "payments").clock(clock).state(state)
                .tamperHook(new TamperHook() {
                    @Override
                    public void tampered(TamperException event) {
                    }

                    @Override
                    public void logInconsistent(LogEvidence evidence) {
                        inconsistencies.add(evidence);
                    }
                }).build();
    }

    private static String storedCheckpoint(StateDirectory state) {
        return state.readLog(LogFixture.ORIGIN, LogClient.CHECKPOINT_FILE).orElseThrow();
    }

    @Test
    void keysInTheLogAreAcceptedAndTheLogIsPinnedThenFollowedConsistently() {
        StateDirectory state = StateDirectory.open(temp);
        serveHonest(5);
        assertEquals(5, consumer(state).refresh().seq());
        assertEquals(List.of(log.verifier()), state.logKeys().orElseThrow(), "pinned on first use from log/key");
        assertEquals(log.served().checkpoint(), storedCheckpoint(state));

        for (int i = 0; i < 300; i++) {
            log.publish("other", "y-" + i, 1, WEB1, "entity-2");
        }
        log.publish();
        serveHonest(6);
        assertEquals(6, consumer(state).refresh().seq());
        assertEquals(log.served().checkpoint(), storedCheckpoint(state), "a larger checkpoint, consistent, is kept");
        assertEquals(1, vault.requests("herald/log/proof/consistency").size());
        assertEquals("3", vault.requests("herald/log/proof/consistency").getFirst().query().get("from"));
        assertEquals(1, vault.requests("herald/log/key").size());
        assertTrue(inconsistencies.isEmpty());
    }

    @Test
    void anInstanceWithoutItsProofIsAnInconsistency() throws Exception {
        StateDirectory state = StateDirectory.open(temp);
        serveHonest(5);
        consumer(state).refresh();
        String kept = storedCheckpoint(state);
        serve(6, log.served().checkpoint(), Map.of("web-1", log.inclusionProof(web1)),
                instance("web-1", WEB1, web1), instance("web-2", WEB2, web2));
        LogInconsistencyException e = assertThrows(LogInconsistencyException.class, () -> consumer(state).refresh());
        assertTrue(e.getMessage().contains("no inclusion proof of instance web-2"), e.getMessage());
        assertEquals(1, inconsistencies.size());
        Path evidence = inconsistencies.getFirst().directory().orElseThrow();
        assertEquals(served.get().get("record"), Files.readString(evidence.resolve("record")));
        assertEquals(kept, storedCheckpoint(state));
        assertEquals(5, state.highestSeq("herald/", "payments").getAsLong(), "the record was not accepted");
    }

    @Test
    void aProofTheAnswerDoesNotCarryIsReadFromTheLog() {
        vault.on("GET", "herald/log/proof/inclusion", request -> text(log.answer("proof/inclusion", request.query())));
        StateDirectory state = StateDirectory.open(temp);
        // as for a record of more instances than the engine puts proofs beside
        serve(5, log.served().checkpoint(), Map.of("web-1", log.inclusionProof(web1)),
                instance("web-1", WEB1, web1), instance("web-2", WEB2, web2));
        assertEquals(5, consumer(state).refresh().seq());
        assertEquals(List.of(Map.of("index", Long.toString(web2), "size", "3")),
                vault.requests("herald/log/proof/inclusion").stream().map(StubVault.Request::query).toList());

        // a leaf the log does not hold at that index: 404, an inconsistency
        serve(6, log.served().checkpoint(), Map.of(), instance("web-1", WEB1, 7L));
        assertThrows(LogInconsistencyException.class, () -> consumer(state).refresh());
    }

    @Test
    void anInstanceWhoseIndexHoldsAnotherLeafIsAnInconsistency() {
        StateDirectory state = StateDirectory.open(temp);
        // web-1's key claimed at web-2's leaf, with the honest proof of that leaf
        serve(5, log.served().checkpoint(), Map.of("web-1", log.inclusionProof(web2)), instance("web-1", WEB1, web2));
        LogInconsistencyException e = assertThrows(LogInconsistencyException.class, () -> consumer(state).refresh());
        assertTrue(e.getMessage().contains("is of instance web-2"), e.getMessage());

        // the right leaf, but a proof that does not lead to the root
        String proof = log.inclusionProof(web1);
        String[] lines = proof.split("\n", -1);
        lines[3] = lines[4]; // a wrong sibling hash
        serve(5, log.served().checkpoint(), Map.of("web-1", String.join("\n", lines)), instance("web-1", WEB1, web1));
        e = assertThrows(LogInconsistencyException.class, () -> consumer(state).refresh());
        assertTrue(e.getMessage().contains("is not at its log_index"), e.getMessage());

        // an instance without log_index under a checkpoint
        serve(5, log.served().checkpoint(), Map.of(), instance("web-1", WEB1, null));
        assertThrows(LogInconsistencyException.class, () -> consumer(state).refresh());
        assertEquals(3, inconsistencies.size());
        assertTrue(state.readLog(LogFixture.ORIGIN, LogClient.CHECKPOINT_FILE).isEmpty(), "no checkpoint kept from a failure");
    }

    @Test
    void aMountWhoseLogIsPinnedCannotDropIt() {
        StateDirectory state = StateDirectory.open(temp);
        serve(4, null, null, instance("web-1", WEB1, null));
        assertEquals(4, consumer(state).refresh().seq(), "an engine without a log: accepted as before");
        assertTrue(vault.requests("herald/log/key").isEmpty());

        serveHonest(5);
        consumer(state).refresh();
        serve(6, null, null, instance("web-1", WEB1, null));
        VerificationException e = assertThrows(VerificationException.class, () -> consumer(state).refresh());
        assertTrue(e.getMessage().contains("does not drop it"), e.getMessage());
    }

    @Test
    void aForkedCheckpointInARecordIsAnInconsistency() {
        StateDirectory state = StateDirectory.open(temp);
        serveHonest(5);
        consumer(state).refresh();
        String kept = storedCheckpoint(state);
        // the same key signs another tree of the same size, holding the same two publications at the same indices
        LogFixture fork = log.sameKey();
        fork.appendBytes(log.leafBytes(0));
        fork.publish("other", "evil", 1, WEB1, "entity-9");
        fork.appendBytes(log.leafBytes(2));
        fork.publish();
        serve(6, fork.served().checkpoint(), Map.of("web-1", fork.inclusionProof(web1), "web-2", fork.inclusionProof(web2)),
                instance("web-1", WEB1, web1), instance("web-2", WEB2, web2));
        LogInconsistencyException e = assertThrows(LogInconsistencyException.class, () -> consumer(state).refresh());
        assertTrue(e.getMessage().contains("fork"), e.getMessage());
        assertEquals(kept, storedCheckpoint(state));
        assertFalse(inconsistencies.getFirst().files().get("stored-checkpoint").equals(inconsistencies.getFirst().files().get("checkpoint")));
    }

    @Test
    void aCheckpointNotSignedByThePinnedKeyIsAVerificationFailure() {
        StateDirectory state = StateDirectory.open(temp);
        LogFixture other = new LogFixture(); // same origin, another key
        other.publish("payments", "web-1", 1, WEB1, "entity-1");
        other.publish();
        serve(5, other.served().checkpoint(), Map.of("web-1", other.inclusionProof(0)), instance("web-1", WEB1, 0L));
        VerificationException e = assertThrows(VerificationException.class, () -> consumer(state).refresh());
        assertTrue(e.getMessage().contains("log checkpoint"), e.getMessage());
        assertTrue(inconsistencies.isEmpty());
    }

    @Test
    void aSavedRecordKeepsItsProofsAndIsCheckedOfflineWithTheLogKey() {
        serveHonest(5);
        DiscoveryRecord read = consumer(StateDirectory.open(temp)).refresh();
        Map<String, Object> saved = read.toJson();
        assertEquals(served.get().get("log_proofs"), saved.get("log_proofs"), "herald discover prints the proofs");
        int fetchedBefore = vault.requests("herald/log/key").size();

        DiscoveryRecord again = Consumer.verifySaved(dev.herald.sdk.json.Json.write(saved), SignerKeys.fromJwks(TestSigner.jwks(signer)),
                RecordVerifier.builder().issuer("herald/").anyService().clock(clock).build(), null);
        assertEquals(saved.get("log_proofs"), again.logProofs());
        LogClient.checkSaved(again, log.verifier(), TamperHook.NONE);
        assertEquals(fetchedBefore, vault.requests("herald/log/key").size(), "nothing fetched: offline");

        // a saved proof at web-1's index that does not lead to the signed root: two signed statements disagree
        String[] lines = log.inclusionProof(web1).split("\n", -1);
        lines[3] = lines[4]; // a wrong sibling hash
        Map<String, Object> swapped = new LinkedHashMap<>(saved);
        swapped.put("log_proofs", Map.of("web-1", String.join("\n", lines), "web-2", log.inclusionProof(web2)));
        DiscoveryRecord lying = Consumer.verifySaved(dev.herald.sdk.json.Json.write(swapped), SignerKeys.fromJwks(TestSigner.jwks(signer)),
                RecordVerifier.builder().issuer("herald/").anyService().clock(clock).build(), null);
        assertThrows(LogInconsistencyException.class, () -> LogClient.checkSaved(lying, log.verifier(), TamperHook.NONE));

        // a proof the file lacks cannot be fetched offline: not verified, not an inconsistency
        Map<String, Object> partial = new LinkedHashMap<>(saved);
        partial.put("log_proofs", Map.of("web-1", log.inclusionProof(web1)));
        DiscoveryRecord lacking = Consumer.verifySaved(dev.herald.sdk.json.Json.write(partial), SignerKeys.fromJwks(TestSigner.jwks(signer)),
                RecordVerifier.builder().issuer("herald/").anyService().clock(clock).build(), null);
        VerificationException e = assertThrows(VerificationException.class,
                () -> LogClient.checkSaved(lacking, log.verifier(), TamperHook.NONE));
        assertTrue(e.getMessage().contains("lacks what an offline check needs"), e.getMessage());

        // another log key than the one that signed the checkpoint
        assertThrows(VerificationException.class, () -> LogClient.checkSaved(again, new LogFixture().verifier(), TamperHook.NONE));
    }

    @Test
    void aKeyProvedOnceNeedsNoNewProofUnderALaterConsistentCheckpoint() {
        vault.on("GET", "herald/log/proof/inclusion", request -> text(log.answer("proof/inclusion", request.query())));
        Consumer consumer = consumer(StateDirectory.open(temp));
        serveHonest(5);
        consumer.refresh();
        for (int i = 0; i < 300; i++) {
            log.publish("other", "z-" + i, 1, WEB1, "entity-2");
        }
        long web3 = log.publish("payments", "web-3", 1, WEB1, "entity-1");
        log.publish();
        // as the engine answers for a record of more instances than it puts proofs beside
        serve(6, log.served().checkpoint(), Map.of(), instance("web-1", WEB1, web1), instance("web-2", WEB2, web2),
                instance("web-3", WEB1, web3));
        assertEquals(6, consumer.refresh().seq());
        assertEquals(List.of(Long.toString(web3)), vault.requests("herald/log/proof/inclusion").stream()
                .map(r -> r.query().get("index")).toList(), "only the new key's proof is read");
        assertEquals(1, vault.requests("herald/log/proof/consistency").size(), "the old proofs hold through consistency");

        // a proved index claimed for another key is checked again, and fails
        serve(7, log.served().checkpoint(), Map.of(), instance("web-1", WEB2, web1));
        assertThrows(LogInconsistencyException.class, consumer::refresh);
    }
}
