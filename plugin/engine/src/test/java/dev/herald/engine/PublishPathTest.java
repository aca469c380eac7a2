package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Lease;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.herald.engine.PublishingFixture.POD_CALLER;
import static dev.herald.engine.PublishingFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** publish/:service/:instance and the leases of publications, on one mount in memory. */
class PublishPathTest {
    private final PublishingFixture mount = new PublishingFixture();
    private final TestKeys first = mount.first;

    @Test
    void theSameBodyAgainIsUnchangedAndAnythingElseWithTheSameKeyIsAConflict() {
        Response published = mount.publish(mount.body(first));
        Response again = mount.publish(mount.body(first));
        assertEquals(true, again.data().get("unchanged"));
        assertEquals(published.data().get("fingerprint"), again.data().get("fingerprint"));
        assertEquals(published.data().get("sequence"), again.data().get("sequence"));
        assertTrue(again.lease().isEmpty(), "no second lease for the same publication");

        Map<String, Object> changed = mount.body(first);
        changed.put("metadata", Map.of("zone", "b"));
        assertStatus(409, "write-once", () -> mount.publish(changed));
        assertEquals(1L, mount.discover().get("seq"), "nothing changed");
    }

    @Test
    void rotationNeedsTheWindowAndContinuityAndKeepsTheOldKeyForMinOverlap() {
        mount.publish(mount.body(first));
        TestKeys second = TestKeys.generate("ec-p256");
        Map<String, Object> rotation = mount.body(second);
        assertStatus(409, "needs continuity", () -> mount.publish(rotation));
        rotation.put("continuity", first.continuityFor(second, 1));
        assertStatus(409, "rotation of web/pod-1 opens at", () -> mount.publish(rotation));

        mount.engine.clock.advance(Duration.ofMinutes(31)); // past rotation_window 0.5 of 1h
        Map<String, Object> stolen = mount.body(second);
        stolen.put("continuity", second.continuityFor(second, 1)); // signed by the wrong key
        assertStatus(400, "continuity", () -> mount.publish(stolen));
        assertEquals(1L, mount.discover().get("seq"), "refused rotations change nothing");

        Response rotated = mount.publish(rotation);
        assertEquals(2L, rotated.data().get("generation"));
        assertEquals(2L, rotated.data().get("sequence"));
        List<?> instances = (List<?>) mount.discover().get("instances");
        assertEquals(List.of(1L, 2L), instances.stream().map(i -> ((Map<?, ?>) i).get("generation")).toList());
        long oldEnd = (Long) ((Map<?, ?>) instances.getFirst()).get("not_after");
        assertEquals(mount.engine.clock.instant().getEpochSecond() + 600, oldEnd, "the old key stays for min_overlap");

        mount.engine.clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        Map<String, Object> after = mount.discover();
        assertEquals(1, ((List<?>) after.get("instances")).size());
        assertEquals(3L, after.get("seq"), "the old key's expiry is a change of the live set");
    }

    @Test
    void renewExtendsUpToMaxTtlAndRevokeEndsThePublication() {
        mount.engine.send(Operation.UPDATE, "roles/web", Map.of("max_ttl", "90m"));
        Lease lease = mount.publish(mount.body(first)).lease().orElseThrow();
        mount.engine.clock.advance(Duration.ofMinutes(40));
        Lease renewed = mount.engine.lease(Operation.RENEW, lease).lease().orElseThrow();
        assertEquals(Duration.ofMinutes(50), renewed.ttl(), "capped at max_ttl from publication");
        Map<?, ?> instance = (Map<?, ?>) ((List<?>) mount.discover().get("instances")).getFirst();
        assertEquals(mount.engine.clock.instant().plus(Duration.ofMinutes(50)).getEpochSecond(), instance.get("not_after"));
        assertEquals(2L, mount.discover().get("seq"));

        assertTrue(mount.engine.lease(Operation.REVOKE, lease).isNone());
        assertStatus(404, "no live instance", mount::discover);
        assertEquals(Optional.of(false), mount.engine.exists("publish/web/pod-1"));
        assertStatus(400, "has ended", () -> mount.engine.lease(Operation.RENEW, lease));
        assertTrue(mount.engine.lease(Operation.REVOKE, lease).isNone(), "a second revoke is harmless");
        List<?> events = (List<?>) mount.engine.send(Operation.READ, "history/web", Map.of()).data().get("events");
        assertEquals(List.of("publish", "lease_end"), events.stream().map(e -> ((Map<?, ?>) e).get("type")).toList());
        assertEquals(3L, ((Map<?, ?>) events.getLast()).get("sequence"));
    }

    @Test
    void theRoleBindsServiceInstanceIdentityAndEndpoints() {
        Map<String, Object> otherInstance = mount.body(first);
        assertStatus(403, "requires the instance", () -> mount.engine.write("publish/web/pod-2", otherInstance, POD_CALLER));
        assertStatus(403, "does not allow publishing service", () -> mount.engine.write("publish/db/pod-1", mount.body(first), POD_CALLER));
        assertStatus(403, "identity entity", () -> mount.engine.write("publish/web/pod-1", mount.body(first), Caller.NONE));
        Map<String, Object> farAway = mount.body(first);
        farAway.put("ip_addresses", List.of("192.168.1.1"));
        assertStatus(403, "allowed_cidrs", () -> mount.publish(farAway));
        Map<String, Object> badPort = mount.body(first);
        badPort.put("endpoints", List.of("a.web.internal:22"));
        assertStatus(403, "allowed_ports", () -> mount.publish(badPort));
        Map<String, Object> malformed = mount.body(first);
        malformed.put("endpoints", List.of("a.web.internal"));
        assertStatus(400, "needs a port", () -> mount.publish(malformed));
        Map<String, Object> noProof = mount.body(first);
        noProof.remove("csr");
        noProof.put("public_key", first.publicKeyPem());
        assertStatus(400, "requires proof of possession", () -> mount.publish(noProof));
        Map<String, Object> big = mount.body(first);
        big.put("metadata", Map.of("blob", "x".repeat(5000)));
        assertStatus(400, "max_metadata_bytes", () -> mount.publish(big));
        assertFalse(mount.engine.storage.keys().stream().anyMatch(k -> k.startsWith("services/")), "nothing was stored");
    }

    @Test
    void ofManyRacingFirstPublicationsExactlyOneWins() throws Exception {
        int racers = 64;
        List<Map<String, Object>> bodies = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            bodies.add(mount.body(TestKeys.generate("ed25519")));
        }
        ConcurrentLinkedQueue<Object> outcomes = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        for (Map<String, Object> racer : bodies) {
            pool.submit(() -> {
                start.await();
                try {
                    outcomes.add(mount.engine.backend.handle(EngineFixture.request(Operation.CREATE, "publish/web/pod-1",
                            racer, POD_CALLER)));
                } catch (VaultException e) {
                    outcomes.add(e.status());
                }
                return null;
            });
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        assertEquals(1, outcomes.stream().filter(o -> o instanceof Response).count(), outcomes::toString);
        assertEquals(racers - 1, outcomes.stream().filter(o -> Integer.valueOf(409).equals(o)).count());
        assertEquals(1, ((List<?>) mount.discover().get("instances")).size());
    }

    // --- an instance never forgets its key (DESIGN §5.3) ---

    @Test
    void afterItsLeaseEndsAnInstanceTakesANewKeyOnlyWithContinuityByItsLastKey() {
        Lease lease = mount.publish(mount.body(first)).lease().orElseThrow();
        mount.engine.lease(Operation.REVOKE, lease); // the publisher's token revoked (revoke-self)
        assertStatus(404, "no live instance", mount::discover);

        TestKeys attacker = TestKeys.generate("ed25519");
        assertStatus(409, "keeps its last key", () -> mount.publish(mount.body(attacker)));
        Map<String, Object> selfSigned = mount.body(attacker);
        selfSigned.put("continuity", attacker.continuityFor(attacker, 1));
        assertStatus(400, "continuity", () -> mount.publish(selfSigned));
        Map<String, Object> sameKeyOtherClaims = mount.body(first);
        sameKeyOtherClaims.put("endpoints", List.of("b.web.internal:8443"));
        assertStatus(409, "keeps its last key", () -> mount.publish(sameKeyOtherClaims));
        assertStatus(404, "no live instance", mount::discover);

        Map<String, Object> handedOver = mount.body(attacker);
        handedOver.put("continuity", first.continuityFor(attacker, 1)); // the rotation window does not apply
        Response rotated = mount.publish(handedOver);
        assertEquals(2L, rotated.data().get("generation"));
        assertEquals(List.of("publish", "lease_end", "rotate"), historyTypes());
    }

    @Test
    void theSameKeyAndClaimsReviveAnEndedInstance() {
        Lease lease = mount.publish(mount.body(first)).lease().orElseThrow();
        mount.engine.lease(Operation.REVOKE, lease);
        Response revived = mount.publish(mount.body(first));
        assertEquals(2L, revived.data().get("generation"));
        assertEquals(false, revived.data().get("unchanged"));
        assertTrue(revived.lease().isPresent(), "a new lease for the new publication");
        assertEquals(List.of("publish", "lease_end", "revive"), historyTypes());
    }

    @Test
    void expiryAndTidyKeepTheTombstoneAndItSurvivesAReload() {
        mount.publish(mount.body(first));
        mount.engine.clock.advance(Duration.ofHours(2));
        mount.engine.send(Operation.UPDATE, "tidy", Map.of());
        // a fresh backend over the same storage: the tombstone was stored, not only cached
        EngineFixture reloaded = new EngineFixture(Map.of("e1", PublishingFixture.POD), mount.engine.storage,
                mount.engine.clock);
        TestKeys attacker = TestKeys.generate("ed25519");
        assertStatus(409, "keeps its last key",
                () -> reloaded.write("publish/web/pod-1", mount.body(attacker), POD_CALLER));
    }

    @Test
    void onlyAnOperatorResetClearsTheTombstone() {
        mount.publish(mount.body(first));
        Caller operator = new Caller("", "tok-op", "root", "");
        Response revoked = mount.engine.backend.handle(EngineFixture.request(Operation.UPDATE, "revoke/web/pod-1",
                Map.of("reason", "key lost"), operator));
        assertEquals(false, revoked.data().get("reset"));
        TestKeys replacement = TestKeys.generate("ec-p256");
        assertStatus(409, "keeps its last key", () -> mount.publish(mount.body(replacement)));

        mount.engine.backend.handle(EngineFixture.request(Operation.UPDATE, "revoke/web/pod-1",
                Map.of("reset", true, "reason", "new pod, same name"), operator));
        Response published = mount.publish(mount.body(replacement));
        assertEquals(2L, published.data().get("generation"), "generations never repeat");
        assertEquals(List.of("publish", "revoke", "reset", "publish"), historyTypes());
        assertStatus(404, "no last key to reset", () -> mount.engine.backend.handle(EngineFixture.request(
                Operation.UPDATE, "revoke/web/pod-9", Map.of("reset", true), operator)));
    }

    @Test
    void aRenewalNeverBringsTheEndForward() {
        Lease lease = mount.publish(mount.body(first)).lease().orElseThrow();
        long end = (Long) ((Map<?, ?>) ((List<?>) mount.discover().get("instances")).getFirst()).get("not_after");
        mount.engine.clock.advance(Duration.ofMinutes(10));
        // The server would end the lease after the increment, whatever the answer said: refused.
        assertStatus(400, "never shortens a publication", () -> mount.engine.lease(Operation.RENEW, new Lease(
                lease.secretType(), lease.internalData(), lease.ttl(), lease.maxTtl(), true, null,
                Duration.ofSeconds(1), "lease-id")));
        Lease longer = mount.engine.lease(Operation.RENEW, new Lease(lease.secretType(), lease.internalData(),
                lease.ttl(), lease.maxTtl(), true, null, Duration.ofMinutes(50), "lease-id")).lease().orElseThrow();
        assertEquals(Duration.ofMinutes(50), longer.ttl(), "exactly the time that remains is no change");
        Map<?, ?> instance = (Map<?, ?>) ((List<?>) mount.discover().get("instances")).getFirst();
        assertEquals(end, instance.get("not_after"));
        assertEquals(1L, mount.discover().get("seq"), "nothing changed");
    }

    @Test
    void aContinuityIsBoundToItsInstanceAndGeneration() {
        mount.publish(mount.body(first));
        mount.engine.clock.advance(Duration.ofMinutes(31));
        TestKeys second = TestKeys.generate("ed25519");
        Map<String, Object> wrongGeneration = mount.body(second);
        wrongGeneration.put("continuity", first.continuityFor(second, 2));
        assertStatus(400, "continuity message", () -> mount.publish(wrongGeneration));
        Map<String, Object> otherInstance = mount.body(second);
        otherInstance.put("continuity", first.sign(new ContinuityMessage("herald/", "web", "pod-2", 1, second.fingerprint())));
        assertStatus(400, "continuity message", () -> mount.publish(otherInstance));
        Map<String, Object> otherMount = mount.body(second);
        otherMount.put("continuity", first.sign(new ContinuityMessage("other/", "web", "pod-1", 1, second.fingerprint())));
        assertStatus(400, "continuity message", () -> mount.publish(otherMount));
        assertEquals(1L, mount.discover().get("seq"), "refused rotations change nothing");
    }

    private List<Object> historyTypes() {
        List<?> events = (List<?>) mount.engine.send(Operation.READ, "history/web", Map.of()).data().get("events");
        return events.stream().map(e -> (Object) ((Map<?, ?>) e).get("type")).toList();
    }
}
