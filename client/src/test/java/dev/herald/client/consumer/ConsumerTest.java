package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import dev.herald.client.TamperException;
import dev.herald.client.TokenSource;
import dev.herald.client.VaultException;
import dev.herald.client.VerificationException;
import dev.herald.client.testing.ManualClock;
import dev.herald.client.testing.StubVault;
import dev.herald.client.testing.TestKeys;
import dev.herald.sdk.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole consumer against a stub Vault that plays the engine (jwks, signer, wrapped discover). */
class ConsumerTest {
    private static final String DISCOVER = "herald/discover/payments";
    private static final java.security.KeyPair WEB1_PAIR = TestKeys.ed25519();
    private static final PublicKey WEB1 = WEB1_PAIR.getPublic();
    private static final PublicKey WEB2 = TestKeys.p256().getPublic();

    @TempDir
    Path temp;
    private StubVault vault;
    private final ManualClock clock = new ManualClock(Records.NOW.plusSeconds(1));
    private final TestSigner first = TestSigner.ed25519();
    private final TestSigner second = TestSigner.es256();
    /** What the engine's discover answers with now. */
    private final AtomicReference<String> served = new AtomicReference<>();
    /** What the engine's signer path lists now. */
    private final List<Map<String, Object>> signerEntries = new ArrayList<>();
    private final List<TamperException> tampers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vault = StubVault.http();
        signerEntries.add(first.signerEntry(null, Records.NOW.minusSeconds(3600)));
        vault.on("GET", "herald/jwks", request -> StubVault.Answer.ok(Map.of("data", TestSigner.jwks(first))));
        vault.on("GET", "herald/signer", request -> StubVault.Answer.ok(Map.of("data", Map.of("keys", List.copyOf(signerEntries)))));
        vault.wrapping(DISCOVER, () -> Map.of("record", served.get()));
        vault.wrapping(DISCOVER + "/web-1", () -> Map.of("record", served.get()));
        served.set(record(first, 5, WEB1, WEB2));
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private String record(TestSigner signer, long seq, PublicKey... keys) {
        return record(signer, "service", seq, keys);
    }

    @SuppressWarnings("unchecked")
    private static String record(TestSigner signer, String scope, long seq, PublicKey... keys) {
        Map<String, Object>[] instances = new Map[keys.length];
        for (int i = 0; i < keys.length; i++) {
            instances[i] = Records.instance("web-" + (i + 1), 1, keys[i]);
        }
        return signer.sign(DiscoveryRecord.TYPE, Records.claims("payments", scope, seq, instances));
    }

    private Consumer.Builder consumer() {
        return Consumer.builder(vault.client(), TokenSource.of("caller-token"), "payments").clock(clock).tamperHook(tampers::add);
    }

    @Test
    void firstUsePinsTheJwksThenVerifiesAndInstallsTheRecord() {
        StateDirectory state = StateDirectory.open(temp);
        Consumer consumer = consumer().state(state).build();
        assertTrue(consumer.current().isEmpty());
        DiscoveryRecord record = consumer.refresh();
        assertEquals(5, record.seq());
        assertEquals(List.of(WEB1, WEB2), record.publicKeys());
        assertEquals(record, consumer.current().orElseThrow());
        assertEquals(record, consumer.trustManager().installed().orElseThrow());
        assertEquals(SignerKeys.fromJwks(TestSigner.jwks(first)), state.signerKeys().orElseThrow());
        assertEquals(OptionalLong.of(5), state.highestSeq("herald/", "payments"));

        assertNull(vault.requests("herald/jwks").getFirst().header("X-Vault-Token"), "jwks is read without a token");
        assertEquals("caller-token", vault.requests(DISCOVER).getFirst().header("X-Vault-Token"));
        assertEquals("60s", vault.requests(DISCOVER).getFirst().header("X-Vault-Wrap-TTL"));
        assertEquals(1, vault.requests("sys/wrapping/unwrap").size());
        assertTrue(vault.requests("herald/signer").isEmpty(), "no need to follow anything");

        consumer.refresh();
        assertEquals(1, vault.requests("herald/jwks").size(), "pinned once");
    }

    @Test
    void followsASignerRotationAndKeepsItInTheState() {
        StateDirectory state = StateDirectory.open(temp);
        consumer().state(state).build().refresh();
        signerEntries.add(second.signerEntry(first, Records.NOW));
        served.set(record(second, 6, WEB1));
        // the jwks would now list the new key too, but what is pinned is not replaced by it
        vault.on("GET", "herald/jwks", request -> StubVault.Answer.ok(Map.of("data", TestSigner.jwks(TestSigner.ed25519()))));

        Consumer later = consumer().state(state).build();
        assertEquals(6, later.refresh().seq());
        assertEquals(1, vault.requests("herald/signer").size());
        assertEquals("caller-token", vault.requests("herald/signer").getFirst().header("X-Vault-Token"));
        assertEquals(List.of(first.kid(), second.kid()), List.copyOf(StateDirectory.open(temp).signerKeys().orElseThrow().kids()));
        consumer().state(state).build().refresh();
        assertEquals(1, vault.requests("herald/signer").size(), "the followed key is pinned now");
    }

    @Test
    void aRecordOfAKeyNoChainLeadsToIsRefusedAndTheLastGoodOneStays() {
        Consumer consumer = consumer().build();
        DiscoveryRecord good = consumer.refresh();
        TestSigner stranger = TestSigner.ed25519();
        served.set(record(stranger, 7, TestKeys.p256().getPublic()));
        VerificationException e = assertThrows(VerificationException.class, consumer::refresh);
        assertTrue(e.getMessage().startsWith("record is signed by kid \"" + stranger.kid() + "\", which is not pinned,"
                + " and no countersigned rotation in herald/signer leads to it"), e.getMessage());
        assertEquals(good, consumer.current().orElseThrow());
        assertEquals(good, consumer.trustManager().installed().orElseThrow());
    }

    @Test
    void aRollbackIsRefusedInMemoryAndAcrossRuns() {
        Consumer consumer = consumer().build();
        consumer.refresh();
        served.set(record(first, 4, WEB1));
        VerificationException e = assertThrows(VerificationException.class, consumer::refresh);
        assertTrue(e.getMessage().startsWith("rollback: seq 4 is lower than 5 already seen"), e.getMessage());
        assertEquals(5, consumer.current().orElseThrow().seq());

        StateDirectory state = StateDirectory.open(temp);
        served.set(record(first, 5, WEB1));
        consumer().state(state).build().refresh();
        served.set(record(first, 3, WEB1));
        assertThrows(VerificationException.class, () -> consumer().state(state).build().refresh());
    }

    @Test
    void aTamperedAnswerTellsTheHookAndTheLastGoodOneStays() {
        Consumer consumer = consumer().build();
        DiscoveryRecord good = consumer.refresh();
        vault.on("POST", "sys/wrapping/lookup", request -> StubVault.Answer.errors(400, StubVault.INVALID_WRAPPING_TOKEN));
        TamperException e = assertThrows(TamperException.class, consumer::refresh);
        assertEquals(List.of(e), tampers);
        assertEquals(good, consumer.current().orElseThrow());
    }

    @Test
    void aForgedRecordIsRefused() {
        Consumer consumer = consumer().build();
        consumer.refresh();
        String genuine = record(first, 8, WEB1);
        String[] parts = genuine.split("\\.");
        String otherPayload = record(first, 8, TestKeys.p256().getPublic()).split("\\.")[1];
        served.set(parts[0] + "." + otherPayload + "." + parts[2]);
        assertThrows(VerificationException.class, consumer::refresh);
        assertEquals(5, consumer.current().orElseThrow().seq());
    }

    @Test
    void theRecordIsNotCurrentOnceExpired() {
        Consumer consumer = consumer().build();
        consumer.refresh();
        clock.set(Records.NOW.plusSeconds(300));
        assertTrue(consumer.current().isEmpty());
        assertThrows(VerificationException.class, consumer::refresh, "the server's record is as old");
    }

    @Test
    void oneInstanceAndScopeConfusion() {
        served.set(record(first, "instance", 5, WEB1));
        DiscoveryRecord record = consumer().instance("web-1").build().refresh();
        assertEquals(DiscoveryRecord.Scope.INSTANCE, record.scope());
        assertEquals(1, vault.requests(DISCOVER + "/web-1").size());
        // the whole service's record where one instance was asked for, and the other way round
        served.set(record(first, "service", 6, WEB1));
        assertThrows(VerificationException.class, () -> consumer().instance("web-1").build().refresh());
        served.set(record(first, "instance", 6, WEB1));
        assertThrows(VerificationException.class, () -> consumer().build().refresh());
    }

    @Test
    void withoutWrappingReadsThePlainAnswer() {
        DiscoveryRecord record = consumer().withoutWrapping().build().refresh();
        assertEquals(5, record.seq());
        assertNull(vault.requests(DISCOVER).getFirst().header("X-Vault-Wrap-TTL"));
        assertTrue(vault.requests("sys/wrapping/lookup").isEmpty());
        // a server that wraps anyway (require_wrapping) gets a clear message
        vault.on("GET", DISCOVER, request -> StubVault.Answer.ok(StubVault.wrapInfo(vault.wrap(DISCOVER, Map.of()), DISCOVER)));
        HeraldException e = assertThrows(HeraldException.class, () -> consumer().withoutWrapping().build().refresh());
        assertTrue(e.getMessage().contains("require_wrapping"), e.getMessage());
    }

    @Test
    void anotherMountAndIssuer() {
        vault.on("GET", "teams/herald/jwks", request -> StubVault.Answer.ok(Map.of("data", TestSigner.jwks(first))));
        vault.wrapping("teams/herald/discover/payments", () -> Map.of("record", served.get()));
        // the records say iss "herald/": right for a mount whose config issuer is that, wrong by default
        assertThrows(VerificationException.class, () -> consumer().mount("/teams/herald/").build().refresh());
        assertEquals(5, consumer().mount("teams/herald").issuer("herald/").build().refresh().seq());
    }

    @Test
    void aVaultFailureIsAVaultException() {
        vault.on("GET", DISCOVER, request -> StubVault.Answer.errors(404, "service payments has no live instance"));
        VaultException e = assertThrows(VaultException.class, () -> consumer().build().refresh());
        assertEquals(404, e.status());
    }

    @Test
    void refreshesAtTwoThirdsOfTheRecordsLifeWithJitter() {
        DiscoveryRecord record = consumer().build().refresh(); // iat NOW, exp NOW + 300 s
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            Duration delay = Consumer.delayAfterSuccess(record, Records.NOW, random);
            assertTrue(delay.compareTo(Duration.ofSeconds(170)) >= 0 && delay.compareTo(Duration.ofSeconds(230)) <= 0,
                    delay.toString());
        }
        assertEquals(Consumer.MIN_DELAY, Consumer.delayAfterSuccess(record, Records.NOW.plusSeconds(290), random));
        Duration atExpiry = Consumer.delayAfterSuccess(record, Records.NOW.plusSeconds(300).minusMillis(300), random);
        Duration earliest = Duration.ofMillis(300).plus(Consumer.AFTER_EXPIRY);
        assertTrue(atExpiry.compareTo(earliest) >= 0 && atExpiry.compareTo(earliest.plus(Consumer.EXPIRY_SPREAD)) <= 0,
                "a record with less than a second left: the next as it expires: " + atExpiry);
        Duration expired = Consumer.delayAfterSuccess(record, Records.NOW.plusSeconds(301), random);
        assertTrue(expired.compareTo(Consumer.AFTER_EXPIRY) >= 0
                && expired.compareTo(Consumer.AFTER_EXPIRY.plus(Consumer.EXPIRY_SPREAD)) <= 0, expired.toString());
        for (int failures = 1; failures < 40; failures++) {
            long cap = Math.min(30_000, 1000L << Math.min(failures - 1, 10));
            long delay = Consumer.delayAfterFailure(failures, random).toMillis();
            assertTrue(delay >= cap / 2 && delay <= cap, failures + ": " + delay);
        }
    }

    /** An executor that records what is scheduled instead of running it; the test runs it. */
    private static final class RecordingExecutor extends ScheduledThreadPoolExecutor {
        final List<Runnable> tasks = new ArrayList<>();
        final List<Long> delaysMillis = new ArrayList<>();

        RecordingExecutor() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            tasks.add(command);
            delaysMillis.add(unit.toMillis(delay));
            return super.schedule(() -> { }, 1, TimeUnit.DAYS);
        }

        void runLast() {
            tasks.getLast().run();
        }
    }

    @Test
    void backgroundRefreshingSchedulesItselfAndRetriesSoonAfterAFailure() {
        RecordingExecutor executor = new RecordingExecutor();
        try {
            Consumer consumer = consumer().build();
            List<RuntimeException> failures = new ArrayList<>();
            Consumer.Refreshing refreshing = consumer.startRefreshing(executor, failures::add);
            assertEquals(List.of(0L), executor.delaysMillis, "at once: no record yet");
            executor.runLast();
            assertEquals(5, consumer.current().orElseThrow().seq());
            long next = executor.delaysMillis.getLast();
            assertTrue(next >= 169_000 && next <= 229_000, String.valueOf(next)); // from now = iat + 1 s

            vault.on("GET", DISCOVER, request -> StubVault.Answer.errors(503, "sealed"));
            executor.runLast();
            assertEquals(1, failures.size());
            assertTrue(failures.getFirst() instanceof VaultException);
            assertTrue(executor.delaysMillis.getLast() <= 1000, "retried soon");
            assertEquals(5, consumer.current().orElseThrow().seq(), "the last good record stays");

            refreshing.close();
            int scheduled = executor.tasks.size();
            executor.runLast(); // a run already under way when close() came
            assertEquals(scheduled, executor.tasks.size(), "nothing scheduled after close");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void verifiesASavedRecordOffline() throws Exception {
        DiscoveryRecord record = consumer().build().refresh();
        SignerKeys keys = SignerKeys.parseJwks(Json.write(TestSigner.jwks(first)));
        RecordVerifier verifier = RecordVerifier.builder().issuer("herald/").anyService().clock(clock).build();
        StateDirectory state = StateDirectory.open(temp);

        Path json = temp.resolve("record.json");
        Files.writeString(json, Json.write(record.toJson()) + "\n");
        assertEquals(5, Consumer.verifySaved(Files.readString(json), keys, verifier, state).seq());
        assertEquals(5, Consumer.verifySaved(record.compact() + "\n", keys, verifier, null).seq());
        assertEquals(OptionalLong.of(5), state.highestSeq("herald/", "payments"));

        String older = record(first, 2, WEB1);
        assertThrows(VerificationException.class, () -> Consumer.verifySaved(older, keys, verifier, state));
        assertEquals(2, Consumer.verifySaved(older, keys, verifier, null).seq(), "no state: no rollback check");
        VerificationException noRecord = assertThrows(VerificationException.class,
                () -> Consumer.verifySaved("{\"seq\": 5}", keys, verifier, null));
        assertTrue(noRecord.getMessage().contains("no \"record\""), noRecord.getMessage());
        assertThrows(VerificationException.class, () -> Consumer.verifySaved("{nope", keys, verifier, null));
        assertThrows(VerificationException.class, () -> Consumer.verifySaved("nope", keys, verifier, null));
    }

    @Test
    void theBuilderRefusesBadNames() {
        assertThrows(IllegalArgumentException.class, () -> Consumer.builder(vault.client(), TokenSource.of("t"), "../sys"));
        assertThrows(IllegalArgumentException.class, () -> consumer().instance("web/1"));
        assertThrows(IllegalArgumentException.class, () -> consumer().mount("a/../b"));
        assertThrows(IllegalArgumentException.class, () -> consumer().wrapTtl(Duration.ofMillis(500)));
        assertFalse(consumer().build().toString().contains("caller-token"));
    }

    /** The discover answers carry an ack ticket of the served record's seq; the engine's ack path answers. */
    private void servingAckTickets(boolean requested) {
        vault.wrapping(DISCOVER, () -> Map.of("record", served.get(), "ack",
                Map.of("token", ACK_TOKEN, "requested", requested, "heartbeat_seconds", 1800)));
        vault.on("POST", ACK, request -> StubVault.Answer.ok(Map.of("data", Map.of())));
        vault.on("DELETE", ACK, request -> StubVault.Answer.noContent());
    }

    private static final String ACK = "herald/ack/payments";
    private static final String ACK_TOKEN = "AbCdEfGhIjKlMnOpQrStUv";

    private List<StubVault.Request> acks(String method) {
        return vault.requests(ACK).stream().filter(request -> request.method().equals(method)).toList();
    }

    @Test
    void aConsumerAcknowledgesTheRecordItInstalledAndLeavesWhenClosed() throws Exception {
        servingAckTickets(false);
        Consumer consumer = consumer().build();
        consumer.refresh();
        assertTrue(consumer.awaitAcknowledged(Duration.ofSeconds(20)));

        StubVault.Request ack = acks("POST").getFirst();
        assertEquals(5L, ((Number) ack.body().get("seq")).longValue());
        assertEquals(ACK_TOKEN, ack.body().get("ack_token"));
        assertEquals(consumer.session().orElseThrow(), ack.body().get("session"));
        assertEquals(5, consumer.acknowledged());

        served.set(record(first, 6, WEB1, WEB2)); // a change nobody waits for: no acknowledgement
        consumer.refresh();
        assertTrue(consumer.awaitAcknowledged(Duration.ofSeconds(20)));
        assertEquals(1, acks("POST").size());

        consumer.close();
        assertEquals(consumer.session().orElseThrow(), acks("DELETE").getFirst().query().get("session"));
        servingAckTickets(true);
        served.set(record(first, 7, WEB1, WEB2));
        consumer.refresh(); // a closed consumer still refreshes, but speaks for nobody
        assertEquals(1, acks("POST").size());
    }

    @Test
    void aConsumerAcknowledgesByTheCallersWordOrNever() throws Exception {
        servingAckTickets(true);
        Consumer byCaller = consumer().acknowledging(Consumer.Acknowledging.BY_CALLER).build();
        DiscoveryRecord record = byCaller.refresh();
        assertTrue(byCaller.awaitAcknowledged(Duration.ofSeconds(20)));
        assertTrue(acks("POST").isEmpty(), "nothing until the caller says it installed the record");
        byCaller.acknowledge(record);
        assertTrue(byCaller.awaitAcknowledged(Duration.ofSeconds(20)));
        assertEquals(1, acks("POST").size());

        Consumer never = consumer().acknowledging(Consumer.Acknowledging.NEVER).build();
        never.acknowledge(never.refresh());
        assertEquals(1, acks("POST").size());
        assertTrue(never.session().isEmpty());
    }

    @Test
    void aStateDirectoryKeepsTheSessionAcrossConsumers() throws Exception {
        servingAckTickets(false);
        Consumer one = consumer().state(StateDirectory.open(temp)).build();
        one.refresh();
        Consumer two = consumer().state(StateDirectory.open(temp)).build();
        two.refresh();
        Consumer elsewhere = consumer().build();
        elsewhere.refresh();
        assertEquals(one.session(), two.session());
        assertFalse(one.session().equals(elsewhere.session()));
    }

    @Test
    void aRecordThatExpiredOnItsWayIsReadOnceMore() {
        java.util.Map<String, Object> claims = new java.util.LinkedHashMap<>(Records.claims("payments", "service", 5,
                Records.instance("web-1", 1, WEB1)));
        claims.put("exp", Records.NOW.plusSeconds(1).getEpochSecond()); // the clock is at NOW + 1 s: expired
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        vault.wrapping(DISCOVER, () -> Map.of("record", reads.incrementAndGet() == 1
                ? first.sign(DiscoveryRecord.TYPE, claims) : record(first, 6, WEB2)));
        DiscoveryRecord record = consumer().build().refresh();
        assertEquals(6, record.seq());
        assertEquals(2, reads.get());

        vault.wrapping(DISCOVER, () -> Map.of("record", first.sign(DiscoveryRecord.TYPE, claims)));
        assertThrows(VerificationException.class, () -> consumer().build().refresh(), "only once");
    }

    @Test
    void freshGivesARecordThatLastsTheMarginOrWaitsForTheOneAfterAKeyLeaves() throws Exception {
        Consumer consumer = consumer().build();
        DiscoveryRecord installed = consumer.refresh(); // exp NOW + 300 s; the clock is at NOW + 1 s
        assertEquals(installed, consumer.fresh(Duration.ofSeconds(10)), "the current one lasts");
        int reads = vault.requests(DISCOVER).size();

        clock.advance(Duration.ofSeconds(295)); // 4 s left
        served.set(record(first, 6, WEB1, WEB2));
        DiscoveryRecord fresh = consumer.fresh(Duration.ofSeconds(10));
        assertEquals(6, fresh.seq(), "refreshed");
        assertTrue(vault.requests(DISCOVER).size() > reads);
    }

    @Test
    void aHandshakeThatFindsTheRecordExpiredRefreshesOnceBeforeItRefuses() throws Exception {
        Consumer consumer = consumer().build();
        consumer.refresh(); // exp NOW + 300 s
        java.security.cert.X509Certificate[] web1 = {dev.herald.client.testing.TestPki.selfSigned(WEB1_PAIR, "web-1")};
        clock.advance(Duration.ofSeconds(400));
        served.set(record(first, 6, WEB1)); // iat NOW: still expired at NOW + 401 s
        assertThrows(java.security.cert.CertificateException.class,
                () -> consumer.trustManager().checkServerTrusted(web1, "EdDSA"), "no fresher record: refused");
        int reads = vault.requests(DISCOVER).size();

        java.util.Map<String, Object> claims = new java.util.LinkedHashMap<>(Records.claims("payments", "service", 7,
                Records.instance("web-1", 1, WEB1)));
        claims.put("iat", Records.NOW.plusSeconds(401).getEpochSecond());
        claims.put("exp", Records.NOW.plusSeconds(700).getEpochSecond());
        served.set(first.sign(DiscoveryRecord.TYPE, claims));
        assertThrows(java.security.cert.CertificateException.class,
                () -> consumer.trustManager().checkServerTrusted(web1, "EdDSA"), "at most one such refresh a second");
        assertEquals(reads, vault.requests(DISCOVER).size());
        clock.advance(Consumer.MIN_DELAY);
        consumer.trustManager().checkServerTrusted(web1, "EdDSA"); // refreshed in the handshake, then trusted
        assertEquals(7, consumer.current().orElseThrow().seq());
        assertTrue(vault.requests(DISCOVER).size() > reads);
    }
}
