package dev.herald.client.publisher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.testing.ManualClock;
import dev.herald.client.testing.StubVault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublisherLoopTest {
    private static final String PUBLISH = "herald/publish/payments/pod-7";
    private static final Duration LEASE = Duration.ofHours(1);
    /** nextDouble() == 0: no jitter. */
    private static final RandomGenerator NO_JITTER = () -> 0L;
    /** nextDouble() just below 1: the most jitter. */
    private static final RandomGenerator FULL_JITTER = () -> -1L;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final LoginTokens tokens = new LoginTokens();
    private EngineVault vault;
    private Publisher publisher;

    @BeforeEach
    void start() throws Exception {
        vault = new EngineVault(clock);
        publisher = Publisher.builder(vault.client(), tokens, "payments", "pod-7", "workloads")
                .claims(Claims.builder().endpoint("pod-7.pay.svc:8443").build()).clock(clock).build();
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private PublisherLoop.Builder loop(PublisherKey key, RandomGenerator random) {
        return PublisherLoop.builder(publisher, key).scheduler(scheduler).random(random);
    }

    @Test
    void renewsAtTwoThirdsOfTheLeaseLessTheJitter() {
        loop(PublisherKey.generate(PublisherKey.Type.ED25519), NO_JITTER).start();
        assertEquals(List.of(PUBLISH), paths());
        assertEquals(LEASE.multipliedBy(2).dividedBy(3), scheduler.next().delay);

        scheduler.runNext();
        assertEquals(List.of(PUBLISH, "sys/leases/renew"), paths());
        // the renewal granted a full lease again: the next one is 2/3 of it later
        assertEquals(LEASE.multipliedBy(2).dividedBy(3), scheduler.next().delay);
    }

    @Test
    void theJitterTakesAtMostATenthOff() {
        loop(PublisherKey.generate(PublisherKey.Type.ED25519), FULL_JITTER).start();
        Duration delay = scheduler.next().delay;
        assertTrue(delay.compareTo(LEASE.multipliedBy(6).dividedBy(10)) >= 0, delay.toString());
        assertTrue(delay.compareTo(LEASE.multipliedBy(61).dividedBy(100)) < 0, delay.toString());
    }

    @Test
    void whenTheLeaseIsGoneTheSameKeyIsPublishedAgain() {
        PublisherKey key = PublisherKey.generate(PublisherKey.Type.ED25519);
        PublisherLoop running = loop(key, NO_JITTER).start();
        vault.endLease(running.publication().leaseId());

        scheduler.runNext();
        assertEquals(List.of(PUBLISH, "sys/leases/renew", PUBLISH), paths());
        Publication revived = running.publication();
        assertEquals(2, revived.generation());
        assertEquals(key.fingerprint(), revived.fingerprint());
        assertFalse(vault.last().body().containsKey("continuity"), "the same key and claims revive the instance");
        assertTrue(vault.live(revived.leaseId()));
        assertEquals(LEASE.multipliedBy(2).dividedBy(3), scheduler.next().delay);
    }

    @Test
    void whenTheTokenIsRevokedTheSourceLogsInAgainAndPublishes() {
        PublisherKey key = PublisherKey.generate(PublisherKey.Type.EC_P256);
        PublisherLoop running = loop(key, NO_JITTER).start();
        vault.revokeToken("token-1"); // its lease, and so the publication, end with it

        scheduler.runNext();
        assertEquals(List.of("token-1"), tokens.rejected);
        List<StubVault.Request> calls = vault.calls();
        assertEquals(List.of(PUBLISH, "sys/leases/renew", "sys/leases/renew", PUBLISH), paths());
        assertEquals(List.of("token-1", "token-1", "token-2", "token-2"), calls.stream().map(StubVault.Request::token).toList());
        assertEquals(2, running.publication().generation());
        assertEquals(key.fingerprint(), running.publication().fingerprint());
    }

    @Test
    void anInstanceLiveFromAnEarlierRunIsPublishedAgainWhenItEnds() {
        PublisherKey key = PublisherKey.generate(PublisherKey.Type.ED25519);
        Publisher earlierRun = Publisher.builder(vault.client(), tokens, "payments", "pod-7", "workloads")
                .claims(publisher.claims()).clock(clock).build();
        Publication earlier = earlierRun.publish(key);

        PublisherLoop running = loop(key, NO_JITTER).start();
        assertTrue(running.publication().unchanged());
        assertFalse(running.publication().leased(), "that lease belongs to the earlier run");
        assertEquals(LEASE, scheduler.next().delay, "nothing to renew: wait for its end");

        scheduler.runNext(); // Vault has not ended the lease yet
        Duration retry = scheduler.next().delay;
        assertTrue(retry.compareTo(PublisherLoop.MIN_BACKOFF) <= 0 && retry.isPositive(), retry.toString());

        vault.endLease(earlier.leaseId());
        scheduler.runNext();
        assertEquals(2, running.publication().generation());
        assertTrue(running.publication().leased());
        assertEquals(key.fingerprint(), running.publication().fingerprint());
    }

    @Test
    void aVaultThatCannotAnswerIsTriedAgainSoonWhileTheLeaseLasts() {
        PublisherLoop running = loop(PublisherKey.generate(PublisherKey.Type.ED25519), NO_JITTER).start();
        vault.failNext(1);
        scheduler.runNext();
        Duration retry = scheduler.next().delay;
        assertTrue(retry.compareTo(PublisherLoop.MIN_BACKOFF) <= 0 && !retry.isNegative(), retry.toString());

        scheduler.runNext();
        assertEquals(List.of(PUBLISH, "sys/leases/renew", "sys/leases/renew"), paths());
        assertEquals(1, running.publication().generation(), "the same lease was renewed");
    }

    @Test
    void rotatesEveryIntervalWithAContinuityByTheCurrentKey() throws Exception {
        PublisherKey first = PublisherKey.generate(PublisherKey.Type.EC_P256);
        WorkloadIdentity identity = WorkloadIdentity.builder().certificateFile(dir.resolve("tls.crt"))
                .keyFile(dir.resolve("tls.key")).build();
        PublisherLoop running = loop(first, NO_JITTER).identity(identity).rotateEvery(Duration.ofMinutes(30)).start();
        assertArrayEquals(first.spki(), identity.certificate().orElseThrow().getPublicKey().getEncoded());

        assertEquals(Duration.ofMinutes(30), scheduler.next().delay, "the rotation comes before the renewal");
        scheduler.runNext();

        PublisherKey second = running.key();
        assertNotEquals(first.fingerprint(), second.fingerprint());
        assertEquals(PublisherKey.Type.EC_P256, second.type());
        assertEquals(2, running.publication().generation());
        String continuity = (String) vault.last().body().get("continuity");
        String text = "herald-continuity-v1\nherald/\npayments\npod-7\n1\n" + second.fingerprint();
        assertTrue(EngineVault.verifies(first.spki(), text, Base64.getUrlDecoder().decode(continuity)));

        X509Certificate certificate = identity.certificate().orElseThrow();
        assertArrayEquals(second.spki(), certificate.getPublicKey().getEncoded(), "the workload got the new key");
        assertTrue(Files.readString(dir.resolve("tls.key")).contains("PRIVATE KEY"));
        assertEquals(SelfSignedCertificate.pem(certificate), Files.readString(dir.resolve("tls.crt")));
        assertEquals(Duration.ofMinutes(30), scheduler.next().delay, "counted from the new generation");
    }

    @Test
    void aLeaseAtItsMaximumIsFollowedByARotation() {
        vault.renewCapSeconds = 600;
        PublisherKey first = PublisherKey.generate(PublisherKey.Type.ED25519);
        PublisherLoop running = loop(first, NO_JITTER).start();
        scheduler.runNext(); // renewal granted 10 minutes only: the lease can grow no more
        assertEquals(Duration.ofMinutes(10).multipliedBy(2).dividedBy(3), scheduler.next().delay);

        scheduler.runNext();
        assertEquals(List.of(PUBLISH, "sys/leases/renew", PUBLISH), paths());
        assertTrue(vault.last().body().containsKey("continuity"));
        assertNotEquals(first.fingerprint(), running.key().fingerprint());
        assertEquals(2, running.publication().generation());
    }

    @Test
    void closeStopsTheLoopAndRevokesTheLease() {
        vault.leaseRevokeAllowed = true;
        PublisherLoop running = loop(PublisherKey.generate(PublisherKey.Type.ED25519), NO_JITTER).start();
        String leaseId = running.publication().leaseId();
        running.close();
        assertTrue(scheduler.pending().isEmpty());
        assertEquals(List.of(PUBLISH, "sys/leases/revoke"), paths());
        assertFalse(vault.live(leaseId));
    }

    @Test
    void closeRevokesTheTokenWhenTheLeaseRevokeIsRefused() {
        PublisherLoop running = loop(PublisherKey.generate(PublisherKey.Type.ED25519), NO_JITTER).start();
        String leaseId = running.publication().leaseId();
        running.close();
        assertEquals(List.of(PUBLISH, "sys/leases/revoke", "auth/token/revoke-self"), paths());
        assertFalse(vault.live(leaseId));
    }

    @Test
    void aKeyFileRotatedByTheLoopIsTheKeyAfterARestart() {
        Path keyFile = dir.resolve("instance.key");
        PublisherLoop running = loop(PublisherKey.fromFile(keyFile, PublisherKey.Type.ED25519), NO_JITTER)
                .rotateEvery(Duration.ofMinutes(5)).start();
        scheduler.runNext();
        assertEquals(running.key().fingerprint(), PublisherKey.fromFile(keyFile, PublisherKey.Type.ED25519).fingerprint());
    }

    /** A rotation entry as rotation/ lists it. */
    private static Map<String, Object> rotationEntry(long to, String state, Instant serveNewFrom, Instant oldListedUntil) {
        return Map.of("from_generation", to - 1, "to_generation", to, "state", state, "awaiting_sequence", 2,
                "serve_new_from", serveNewFrom.getEpochSecond(), "old_listed_until", oldListedUntil.getEpochSecond(),
                "poll_seconds", 60);
    }

    /** The publish answer's rotation of one that awaits consumers: the forced ends, in seconds after it. */
    private static java.util.function.Function<Instant, Map<String, Object>> pendingRotation(long serveNewAfter, long maxOverlap) {
        return t0 -> Map.of("awaiting_sequence", 2, "min_end", t0.plusSeconds(600).getEpochSecond(),
                "max_end", t0.plusSeconds(maxOverlap).getEpochSecond(), "serve_new_from", t0.plusSeconds(serveNewAfter).getEpochSecond(),
                "old_listed_until", t0.plusSeconds(maxOverlap).getEpochSecond(), "counted", true);
    }

    private static byte[] presented(WorkloadIdentity identity) {
        return identity.certificate().orElseThrow().getPublicKey().getEncoded();
    }

    @Test
    void aRotationThatAwaitsConsumersKeepsTheOldKeyPresentedUntilTheEngineSaysAndRotatesNoMoreUntilItLeft() {
        PublisherKey first = PublisherKey.generate(PublisherKey.Type.EC_P256);
        WorkloadIdentity identity = WorkloadIdentity.inMemory();
        vault.rotationAnswer = pendingRotation(21_000, 21_600);
        PublisherLoop running = loop(first, NO_JITTER).identity(identity).rotateEvery(Duration.ofMinutes(5)).start();
        Instant t0 = clock.instant().plus(Duration.ofMinutes(5));
        vault.rotationRead = Map.of("rotations", List.of(rotationEntry(2, "pending", t0.plusSeconds(21_000), t0.plusSeconds(21_600))));

        scheduler.runNext(); // the rotation
        assertEquals(2, running.publication().generation());
        assertArrayEquals(first.spki(), presented(identity), "the old key is presented while consumers have not moved");
        assertEquals(Duration.ofSeconds(1), scheduler.next().delay, "the engine is asked how the rotation stands");
        scheduler.runNext();
        assertEquals(1, vault.calls("herald/rotation/payments/pod-7").size());
        assertArrayEquals(first.spki(), presented(identity));
        assertEquals(Duration.ofSeconds(60), scheduler.next().delay, "then every poll_seconds");

        Instant acknowledged = clock.instant();
        vault.rotationRead = Map.of("rotations", List.of(rotationEntry(2, "acknowledged", acknowledged.plusSeconds(90),
                acknowledged.plusSeconds(600))));
        scheduler.runNext(); // reads "acknowledged": the new key from 90 s after
        assertArrayEquals(first.spki(), presented(identity));
        assertEquals(acknowledged.plusSeconds(90), clock.instant().plus(scheduler.next().delay),
                "the next step is the switch");
        scheduler.runNext();
        assertArrayEquals(running.key().spki(), presented(identity), "the new key from serve_new_from");
        int polls = vault.calls("herald/rotation/payments/pod-7").size();

        // the next rotation was due 5 minutes after the last: it waits until the old key left the records
        assertEquals(acknowledged.plusSeconds(600), clock.instant().plus(scheduler.next().delay));
        scheduler.runNext();
        assertEquals(3, running.publication().generation(), "rotated once the old key had left");
        assertEquals(polls, vault.calls("herald/rotation/payments/pod-7").size(), "an acknowledged rotation is not read again");
    }

    @Test
    void aRotationNoLongerListedEndsTheWaitAndTheNewKeyIsPresented() {
        PublisherKey first = PublisherKey.generate(PublisherKey.Type.ED25519);
        WorkloadIdentity identity = WorkloadIdentity.inMemory();
        vault.rotationAnswer = pendingRotation(3000, 3600);
        PublisherLoop running = loop(first, NO_JITTER).identity(identity).rotateEvery(Duration.ofMinutes(5)).start();
        vault.rotationRead = Map.of("rotations", List.of(rotationEntry(2, "pending", clock.instant().plusSeconds(3300),
                clock.instant().plusSeconds(3900))));
        scheduler.runNext(); // the rotation
        scheduler.runNext(); // pending
        assertArrayEquals(first.spki(), presented(identity));
        vault.rotationRead = null; // the old key was revoked: rotation/ answers 404
        scheduler.runNext();
        assertArrayEquals(running.key().spki(), presented(identity), "nothing is left to wait for");
    }

    @Test
    void anAnswerOfRotationThisClientCannotReadStopsNoRenewal() {
        PublisherKey first = PublisherKey.generate(PublisherKey.Type.ED25519);
        vault.rotationAnswer = pendingRotation(3000, 3600);
        PublisherLoop running = loop(first, NO_JITTER).identity(WorkloadIdentity.inMemory())
                .rotateEvery(Duration.ofMinutes(5)).start();
        vault.rotationRead = Map.of("rotations", List.of(Map.of("to_generation", 2, "state", "some_new_state")));
        scheduler.runNext(); // the rotation
        for (int i = 0; i < 3000 && vault.calls("sys/leases/renew").isEmpty(); i++) { // renewal at 40 of 60 minutes
            scheduler.runNext();
        }
        assertTrue(!vault.calls("sys/leases/renew").isEmpty(), "the lease is renewed all the same");
        assertEquals(2, running.publication().generation());
    }

    @Test
    void aTokenThatMayNotReadTheRotationSwitchesAtTheLatestTheEngineNamed() {
        PublisherKey first = PublisherKey.generate(PublisherKey.Type.ED25519);
        WorkloadIdentity identity = WorkloadIdentity.inMemory();
        vault.rotationAnswer = pendingRotation(3000, 3600);
        vault.rotationReadAllowed = false;
        PublisherLoop running = loop(first, NO_JITTER).identity(identity).rotateEvery(Duration.ofMinutes(5)).start();
        scheduler.runNext();
        Instant t0 = clock.instant();
        scheduler.runNext(); // refused: one warning, no more reads; then renewals, and the switch
        while (clock.instant().isBefore(t0.plusSeconds(3000))) {
            assertArrayEquals(first.spki(), presented(identity));
            scheduler.runNext();
        }
        assertArrayEquals(running.key().spki(), presented(identity));
        assertTrue(vault.calls("herald/rotation/payments/pod-7").size() <= 2, "a refused read is not repeated");
    }

    @Test
    void switchingImmediatelyOrWithAnOlderEnginePresentsTheNewKeyAtOnce() {
        PublisherKey first = PublisherKey.generate(PublisherKey.Type.ED25519);
        WorkloadIdentity identity = WorkloadIdentity.inMemory();
        vault.rotationAnswer = pendingRotation(3000, 3600);
        PublisherLoop running = loop(first, NO_JITTER).identity(identity).rotateEvery(Duration.ofMinutes(5))
                .switching(PublisherLoop.Switching.IMMEDIATELY).start();
        scheduler.runNext();
        assertArrayEquals(running.key().spki(), presented(identity));
        assertTrue(vault.calls("herald/rotation/payments/pod-7").isEmpty());
    }

    private List<String> paths() {
        return vault.calls().stream().map(StubVault.Request::path).toList();
    }
}
