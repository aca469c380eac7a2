package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Entity;
import dev.herald.sdk.Lease;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** publish, discover, history, revoke, tidy and the publication leases, on one mount in memory. */
class PublishPathTest {
    private static final Entity POD = new Entity("e1", "pod", Map.of(), List.of(new Entity.Alias("a1", "auth_jwt_1",
            "jwt", "system:serviceaccount:prod:web", Map.of("pod_uid", "pod-1", "namespace", "prod"))), false);
    private static final Caller POD_CALLER = new Caller("e1", "tok-1", "jwt-web", "127.0.0.1");

    private final EngineFixture mount = new EngineFixture(Map.of("e1", POD));
    private final TestKeys first = TestKeys.generate("ed25519");

    PublishPathTest() {
        mount.send(Operation.UPDATE, "config", Map.of("default_ttl", "1h", "min_overlap", "10m"));
        mount.send(Operation.CREATE, "roles/web", Map.of("services", "web", "instance", "{{alias.metadata.pod_uid}}",
                "bound_mount_accessor", "auth_jwt_1", "bound_alias_metadata", Map.of("namespace", "prod"),
                "allowed_dns_names", "*.web.internal", "allowed_cidrs", "10.0.0.0/8", "allowed_ports", "443,8443"));
    }

    private Map<String, Object> body(TestKeys keys) {
        Map<String, Object> body = new HashMap<>();
        body.put("role", "web");
        body.put("csr", keys.csr());
        body.put("endpoints", List.of("a.web.internal:8443", "https://10.1.2.3/"));
        body.put("ip_addresses", List.of("10.1.2.3"));
        body.put("metadata", Map.of("zone", "a"));
        return body;
    }

    private Response publish(Map<String, Object> body) {
        return mount.write("publish/web/pod-1", body, POD_CALLER);
    }

    private Map<String, Object> discover() {
        return mount.send(Operation.READ, "discover/web", Map.of()).data();
    }

    @Test
    void aFirstPublicationIsLeasedAndListedInAVerifiableRecord() throws Exception {
        assertEquals(Optional.of(false), mount.exists("publish/web/pod-1"));
        Response published = publish(body(first));
        assertEquals(1L, published.data().get("generation"));
        assertEquals(1L, published.data().get("sequence"));
        assertEquals(false, published.data().get("unchanged"));
        Lease lease = published.lease().orElseThrow();
        assertEquals(PublishPath.SECRET_TYPE, lease.secretType());
        assertEquals(Duration.ofHours(1), lease.ttl());
        assertTrue(lease.renewable());
        assertEquals(Optional.of(true), mount.exists("publish/web/pod-1"), "rotation now needs update");

        Map<String, Object> record = discover();
        String jwt = (String) record.get("record");
        String[] parts = jwt.split("\\.");
        Map<String, Object> header = Json.parseObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
        Map<String, Object> claims = Json.parseObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        assertEquals("herald-record+jwt", header.get("typ"));
        assertEquals("EdDSA", header.get("alg"));
        assertTrue(signerKey().verifies(parts[0] + "." + parts[1], parts[2]), "the signer's key verifies the record");
        assertEquals("herald/", claims.get("iss"));
        assertEquals("web", claims.get("sub"));
        assertEquals(1L, ((Number) claims.get("seq")).longValue());
        assertEquals(300L, ((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue());
        Map<?, ?> instance = (Map<?, ?>) ((List<?>) claims.get("instances")).getFirst();
        assertEquals("pod-1", instance.get("instance"));
        assertEquals(published.data().get("fingerprint"), instance.get("fingerprint"));
        assertEquals("OKP", ((Map<?, ?>) instance.get("jwk")).get("kty"));
        assertEquals(List.of("a.web.internal:8443", "https://10.1.2.3/"), instance.get("endpoints"));
        assertEquals("e1", ((Map<?, ?>) instance.get("publisher")).get("entity_id"));
        assertEquals("pod-1", ((Map<?, ?>) ((Map<?, ?>) instance.get("publisher")).get("alias_metadata")).get("pod_uid"));
        Map<?, ?> readable = (Map<?, ?>) ((List<?>) record.get("instances")).getFirst();
        assertTrue(((String) readable.get("public_key_pem")).startsWith("-----BEGIN PUBLIC KEY-----"));
        assertEquals(record.get("seq"), claims.get("seq"));
    }

    @Test
    void theSameBodyAgainIsUnchangedAndAnythingElseWithTheSameKeyIsAConflict() {
        Response published = publish(body(first));
        Response again = publish(body(first));
        assertEquals(true, again.data().get("unchanged"));
        assertEquals(published.data().get("fingerprint"), again.data().get("fingerprint"));
        assertEquals(published.data().get("sequence"), again.data().get("sequence"));
        assertTrue(again.lease().isEmpty(), "no second lease for the same publication");

        Map<String, Object> changed = body(first);
        changed.put("metadata", Map.of("zone", "b"));
        assertStatus(409, "write-once", () -> publish(changed));
        assertEquals(1L, discover().get("seq"), "nothing changed");
    }

    @Test
    void rotationNeedsTheWindowAndContinuityAndKeepsTheOldKeyForMinOverlap() {
        publish(body(first));
        TestKeys second = TestKeys.generate("ec-p256");
        Map<String, Object> rotation = body(second);
        assertStatus(409, "needs continuity", () -> publish(rotation));
        rotation.put("continuity", first.continuityFor(second));
        assertStatus(409, "rotation of web/pod-1 opens at", () -> publish(rotation));

        mount.clock.advance(Duration.ofMinutes(31)); // past rotation_window 0.5 of 1h
        Map<String, Object> stolen = body(second);
        stolen.put("continuity", second.continuityFor(second)); // signed by the wrong key
        assertStatus(400, "continuity", () -> publish(stolen));
        assertEquals(1L, discover().get("seq"), "refused rotations change nothing");

        Response rotated = publish(rotation);
        assertEquals(2L, rotated.data().get("generation"));
        assertEquals(2L, rotated.data().get("sequence"));
        List<?> instances = (List<?>) discover().get("instances");
        assertEquals(List.of(1L, 2L), instances.stream().map(i -> ((Map<?, ?>) i).get("generation")).toList());
        long oldEnd = (Long) ((Map<?, ?>) instances.getFirst()).get("not_after");
        assertEquals(mount.clock.instant().getEpochSecond() + 600, oldEnd, "the old key stays for min_overlap");

        mount.clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        Map<String, Object> after = discover();
        assertEquals(1, ((List<?>) after.get("instances")).size());
        assertEquals(3L, after.get("seq"), "the old key's expiry is a change of the live set");
    }

    @Test
    void renewExtendsUpToMaxTtlAndRevokeEndsThePublication() {
        mount.send(Operation.UPDATE, "roles/web", Map.of("max_ttl", "90m"));
        Lease lease = publish(body(first)).lease().orElseThrow();
        mount.clock.advance(Duration.ofMinutes(40));
        Lease renewed = mount.lease(Operation.RENEW, lease).lease().orElseThrow();
        assertEquals(Duration.ofMinutes(50), renewed.ttl(), "capped at max_ttl from publication");
        Map<?, ?> instance = (Map<?, ?>) ((List<?>) discover().get("instances")).getFirst();
        assertEquals(mount.clock.instant().plus(Duration.ofMinutes(50)).getEpochSecond(), instance.get("not_after"));
        assertEquals(2L, discover().get("seq"));

        assertTrue(mount.lease(Operation.REVOKE, lease).isNone());
        assertStatus(404, "no live instance", this::discover);
        assertEquals(Optional.of(false), mount.exists("publish/web/pod-1"));
        assertStatus(400, "has ended", () -> mount.lease(Operation.RENEW, lease));
        assertTrue(mount.lease(Operation.REVOKE, lease).isNone(), "a second revoke is harmless");
        List<?> events = (List<?>) mount.send(Operation.READ, "history/web", Map.of()).data().get("events");
        assertEquals(List.of("publish", "lease_end"), events.stream().map(e -> ((Map<?, ?>) e).get("type")).toList());
        assertEquals(3L, ((Map<?, ?>) events.getLast()).get("sequence"));
    }

    @Test
    void theRoleBindsServiceInstanceIdentityAndEndpoints() {
        Map<String, Object> otherInstance = body(first);
        assertStatus(403, "requires the instance", () -> mount.write("publish/web/pod-2", otherInstance, POD_CALLER));
        assertStatus(403, "does not allow publishing service", () -> mount.write("publish/db/pod-1", body(first), POD_CALLER));
        assertStatus(403, "identity entity", () -> mount.write("publish/web/pod-1", body(first), Caller.NONE));
        Map<String, Object> farAway = body(first);
        farAway.put("ip_addresses", List.of("192.168.1.1"));
        assertStatus(403, "allowed_cidrs", () -> publish(farAway));
        Map<String, Object> badPort = body(first);
        badPort.put("endpoints", List.of("a.web.internal:22"));
        assertStatus(403, "allowed_ports", () -> publish(badPort));
        Map<String, Object> malformed = body(first);
        malformed.put("endpoints", List.of("a.web.internal"));
        assertStatus(400, "needs a port", () -> publish(malformed));
        Map<String, Object> noProof = body(first);
        noProof.remove("csr");
        noProof.put("public_key", first.publicKeyPem());
        assertStatus(400, "requires proof of possession", () -> publish(noProof));
        Map<String, Object> big = body(first);
        big.put("metadata", Map.of("blob", "x".repeat(5000)));
        assertStatus(400, "max_metadata_bytes", () -> publish(big));
        assertFalse(mount.storage.keys().stream().anyMatch(k -> k.startsWith("services/")), "nothing was stored");
    }

    @Test
    void operatorRevokeEndsAtOnceAndHistoryKeepsWhoAndWhy() {
        publish(body(first));
        Caller operator = new Caller("", "tok-op", "root", "127.0.0.1");
        Response revoked = mount.backend.handle(EngineFixture.request(Operation.UPDATE, "revoke/web/pod-1",
                Map.of("reason", "key leaked"), operator));
        assertEquals(List.of(1L), revoked.data().get("revoked_generations"));
        assertStatus(404, "no live instance", this::discover);
        assertStatus(404, "no live publication", () -> mount.send(Operation.UPDATE, "revoke/web/pod-1", Map.of()));
        List<?> events = (List<?>) mount.send(Operation.READ, "history/web", Map.of()).data().get("events");
        Map<?, ?> last = (Map<?, ?>) events.getLast();
        assertEquals("revoke", last.get("type"));
        assertEquals("key leaked", last.get("detail"));
        assertEquals("tok-op", ((Map<?, ?>) last.get("actor")).get("token_accessor"));
        Response republished = publish(body(TestKeys.generate("ed25519")));
        assertEquals(2L, republished.data().get("generation"), "generations keep counting");
    }

    @Test
    void ofManyRacingFirstPublicationsExactlyOneWins() throws Exception {
        int racers = 64;
        List<Map<String, Object>> bodies = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            bodies.add(body(TestKeys.generate("ed25519")));
        }
        ConcurrentLinkedQueue<Object> outcomes = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        for (Map<String, Object> racer : bodies) {
            pool.submit(() -> {
                start.await();
                try {
                    outcomes.add(mount.backend.handle(EngineFixture.request(Operation.CREATE, "publish/web/pod-1",
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
        assertEquals(1, ((List<?>) discover().get("instances")).size());
    }

    @Test
    void tidyDropsExpiredPublicationsButNotTheirHistoryNorTheSequence() {
        publish(body(first));
        mount.clock.advance(Duration.ofHours(2));
        long seq = (Long) ((Map<?, ?>) ((Map<?, ?>) mount.send(Operation.LIST, "services/", Map.of()).data()
                .get("key_info")).get("web")).get("sequence");
        assertEquals(2L, seq, "expiry counts as a change");
        assertEquals(1L, mount.send(Operation.UPDATE, "tidy", Map.of()).data().get("publications_removed"));
        Map<?, ?> info = (Map<?, ?>) ((Map<?, ?>) mount.send(Operation.LIST, "services/", Map.of()).data()
                .get("key_info")).get("web");
        assertEquals(2L, info.get("sequence"));
        assertEquals(0L, info.get("live_instances"));
        assertEquals(1, ((List<?>) mount.send(Operation.READ, "history/web", Map.of()).data().get("events")).size());
    }

    @Test
    void requireWrappingWrapsDiscover() {
        publish(body(first));
        assertTrue(mount.send(Operation.READ, "discover/web", Map.of()).wrapTtl().isEmpty());
        mount.send(Operation.UPDATE, "config", Map.of("require_wrapping", true, "wrap_ttl", "30s"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), mount.send(Operation.READ, "discover/web/pod-1", Map.of()).wrapTtl());
    }

    private SignerKey signerKey() throws Exception {
        String pem = (String) mount.send(Operation.READ, "signer", Map.of()).data().get("public_key");
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        return new SignerKey(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der)));
    }

    private record SignerKey(PublicKey key) {
        boolean verifies(String input, String signature) throws Exception {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(input.getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(Base64.getUrlDecoder().decode(signature));
        }
    }

    private static void assertStatus(int status, String fragment, Supplier<?> call) {
        VaultException e = assertThrows(VaultException.class, call::get);
        assertEquals(status, e.status(), e::getMessage);
        assertTrue(e.getMessage().contains(fragment), () -> "\"" + fragment + "\" in: " + e.getMessage());
    }
}
