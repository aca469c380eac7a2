package dev.herald.engine;

import dev.herald.sdk.Lease;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import dev.herald.sdk.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.herald.engine.PublishingFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** discover/:service and discover/:service/:instance: the signed records. */
class DiscoverPathTest {
    private final PublishingFixture mount = new PublishingFixture();
    private final TestKeys first = mount.first;

    @Test
    void aFirstPublicationIsLeasedAndListedInAVerifiableRecord() throws Exception {
        assertEquals(Optional.of(false), mount.engine.exists("publish/web/pod-1"));
        Response published = mount.publish(mount.body(first));
        assertEquals(1L, published.data().get("generation"));
        assertEquals(1L, published.data().get("sequence"));
        assertEquals(false, published.data().get("unchanged"));
        Lease lease = published.lease().orElseThrow();
        assertEquals(PublishPath.SECRET_TYPE, lease.secretType());
        assertEquals(Duration.ofHours(1), lease.ttl());
        assertTrue(lease.renewable());
        assertEquals(Optional.of(true), mount.engine.exists("publish/web/pod-1"), "rotation now needs update");

        Map<String, Object> record = mount.discover();
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

    /** docs/design-ack.md §3.2: every answer carries what a consumer needs to acknowledge its seq. */
    @Test
    void everyAnswerCarriesTheAckTokenOfItsSeqBesideTheRecordNotInIt() {
        mount.publish(mount.body(first));
        for (String path : List.of("discover/web", "discover/web/pod-1")) {
            Map<String, Object> answer = mount.engine.send(Operation.READ, path, Map.of()).data();
            Map<?, ?> ack = (Map<?, ?>) answer.get("ack");
            long seq = ((Number) answer.get("seq")).longValue();
            AckTokens tokens = new AckTokens(mount.engine.storage, java.time.Clock.systemUTC());
            assertTrue(tokens.valid("web", seq, (String) ack.get("token")), path);
            assertEquals(false, ack.get("requested"), "no rotation awaits consumers");
            assertEquals(1800L, ((Number) ack.get("heartbeat_seconds")).longValue(), "a quarter of consumer_ttl");
            String payload = ((String) answer.get("record")).split("\\.")[1];
            Map<String, Object> claims = Json.parseObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
            assertTrue(!claims.containsKey("ack"), "not signed: third-party verifiers see the records of before");
        }
    }

    @Test
    void theScopeClaimSaysWhichRecordItIsSoNeitherStandsInForTheOther() throws Exception {
        mount.publish(mount.body(mount.first));
        Map<String, Object> service = mount.engine.send(Operation.READ, "discover/web", Map.of()).data();
        Map<String, Object> instance = mount.engine.send(Operation.READ, "discover/web/pod-1", Map.of()).data();
        assertEquals("service", service.get("scope"));
        assertEquals("instance", instance.get("scope"));
        // in the signed claims, not only in the readable copy
        String payload = ((String) instance.get("record")).split("\\.")[1];
        Map<String, Object> claims = dev.herald.sdk.json.Json.parseObject(
                new String(java.util.Base64.getUrlDecoder().decode(payload), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("instance", claims.get("scope"));
    }

    @Test
    void requireWrappingWrapsDiscover() {
        mount.publish(mount.body(first));
        assertTrue(mount.engine.send(Operation.READ, "discover/web", Map.of()).wrapTtl().isEmpty());
        mount.engine.send(Operation.UPDATE, "config", Map.of("require_wrapping", true, "wrap_ttl", "30s"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), mount.engine.send(Operation.READ, "discover/web/pod-1", Map.of()).wrapTtl());
    }



    @Test
    void anUnchangedRecordIsReusedAndAnyChangeMakesANewOne() {
        mount.publish(mount.body(first));
        Map<String, Object> one = mount.discover();
        assertEquals(one.get("jti"), mount.discover().get("jti"), "no new signature for an unchanged service");
        mount.engine.clock.advance(Duration.ofSeconds(76)); // past a quarter of record_ttl (5m)
        Map<String, Object> later = mount.discover();
        assertNotEquals(one.get("jti"), later.get("jti"), "a fresh record once the old one has aged");
        assertEquals(one.get("seq"), later.get("seq"));

        mount.engine.send(Operation.UPDATE, "signer/rotate", Map.of());
        Map<String, Object> resigned = mount.discover();
        assertNotEquals(later.get("jti"), resigned.get("jti"), "a signer rotation re-signs at once");
        String kid = (String) Json.parseObject(new String(Base64.getUrlDecoder().decode(
                ((String) resigned.get("record")).split("\\.")[0]), StandardCharsets.UTF_8)).get("kid");
        assertEquals(mount.engine.send(Operation.READ, "signer", Map.of()).data().get("kid"), kid);

        mount.engine.send(Operation.UPDATE, "revoke/web/pod-1", Map.of());
        assertStatus(404, "no live instance", mount::discover);
    }

    @Test
    void unknownServicesAndInstancesAre404sAndBadNames400s() {
        assertStatus(404, "service nothing has no live instance", () -> mount.engine.send(Operation.READ, "discover/nothing", Map.of()));
        mount.publish(mount.body(first));
        assertStatus(404, "instance pod-2 of service web", () -> mount.engine.send(Operation.READ, "discover/web/pod-2", Map.of()));
        assertStatus(400, "invalid service", () -> mount.engine.send(Operation.READ, "discover/Web", Map.of()));
    }

    @Test
    void aRecordNeverOutlivesTheEarliestKeyItLists() {
        Map<String, Object> shortLived = mount.body(first);
        shortLived.put("ttl", "2m");
        mount.publish(shortLived);
        Map<String, Object> record = mount.discover();
        long notAfter = (Long) ((Map<?, ?>) ((List<?>) record.get("instances")).getFirst()).get("not_after");
        assertEquals(notAfter, record.get("exp"), "exp is capped by not_after, not iat + record_ttl (5m)");
        mount.engine.clock.advance(Duration.ofSeconds(61));
        Map<String, Object> later = mount.discover();
        assertEquals(notAfter, later.get("exp"));
        assertTrue((Long) later.get("iat") > (Long) record.get("iat"), "re-signed before half its life was gone");
    }

    @Test
    void theAnswerTellsAnAgentToReadAgainAtHalfTheRecordsRemainingLifeOutsideTheSignedClaims() {
        mount.publish(mount.body(first));
        Map<String, Object> fresh = mount.discover();
        assertEquals(300L, fresh.get("rotation_period"), "record_ttl in seconds, an integer");
        assertEquals(150L, fresh.get("ttl"), "half of exp - now for a record signed now");
        mount.engine.clock.advance(Duration.ofSeconds(60));
        Map<String, Object> reused = mount.discover();
        assertEquals(fresh.get("jti"), reused.get("jti"));
        assertEquals(120L, reused.get("ttl"), "a reused record has less left, so the agent comes back sooner");
        String payload = ((String) reused.get("record")).split("\\.")[1];
        Map<String, Object> claims = Json.parseObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
        assertTrue(!claims.containsKey("ttl") && !claims.containsKey("rotation_period"), "not signed: " + claims.keySet());
    }

    @Test
    void theTtlIsNeverZeroSoAnAgentNeverPollsEverySecond() {
        Map<String, Object> record = Map.of("exp", 1_000L);
        assertEquals(1L, DiscoverPath.withRefresh(record, Duration.ofMinutes(5), java.time.Instant.ofEpochSecond(999)).get("ttl"));
        assertEquals(1L, DiscoverPath.withRefresh(record, Duration.ofMinutes(5), java.time.Instant.ofEpochSecond(1_005)).get("ttl"));
        assertEquals(2L, DiscoverPath.withRefresh(record, Duration.ofMinutes(5), java.time.Instant.ofEpochSecond(995)).get("ttl"));
    }

    private SignerKey signerKey() throws Exception {
        String pem = (String) mount.engine.send(Operation.READ, "signer", Map.of()).data().get("public_key");
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


    /** A role that lets the pod publish any instance of "big", and {@code count} instances published there. */
    private void publishBig(List<String> instances) {
        mount.engine.send(Operation.CREATE, "roles/big", Map.of("services", "big", "instance", "*", "require_proof", false));
        for (String instance : instances) {
            Map<String, Object> body = new java.util.HashMap<>();
            body.put("role", "big");
            body.put("public_key", TestKeys.generate("ed25519").publicKeyPem());
            mount.engine.write("publish/big/" + instance, body, PublishingFixture.POD_CALLER);
        }
    }

    private Map<String, Object> read(String path, Map<String, Object> data) {
        return mount.engine.send(Operation.READ, path, data).data();
    }

    private static Map<String, Object> signedClaims(Map<String, Object> answer) {
        String payload = ((String) answer.get("record")).split("\\.")[1];
        return Json.parseObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
    }

    private static List<Object> names(Map<String, Object> claims) {
        return ((List<?>) claims.get("instances")).stream().<Object>map(i -> ((Map<?, ?>) i).get("instance")).toList();
    }

    @Test
    void aServiceLargerThanMaxRecordInstancesIsReadInSignedPagesThatChainByTheirCursor() throws Exception {
        List<String> instances = List.of("p-5", "p-1", "p-7", "p-3", "p-2", "p-6", "p-4");
        publishBig(instances);
        mount.engine.send(Operation.UPDATE, "config", Map.of("max_record_instances", 5));
        assertStatus(400, "7 live instances, more than max_record_instances (5)", () -> read("discover/big", Map.of()));
        assertStatus(400, "limit: 6 is more than max_record_instances (5)", () -> read("discover/big", Map.of("limit", "6")));
        assertStatus(400, "after", () -> read("discover/big", Map.of("after", "Not/A/Name")));
        assertEquals("instance", read("discover/big/p-7", Map.of()).get("scope"), "one instance's record at any size");

        List<Object> walked = new java.util.ArrayList<>();
        String after = "";
        long seq = -1;
        int pages = 0;
        do {
            Map<String, Object> page = read("discover/big", Map.of("limit", "3", "after", after));
            Map<String, Object> claims = signedClaims(page);
            String jwt = (String) page.get("record");
            assertTrue(signerKey().verifies(jwt.substring(0, jwt.lastIndexOf('.')), jwt.substring(jwt.lastIndexOf('.') + 1)),
                    "each page is signed");
            assertEquals("page", claims.get("scope"));
            assertTrue(!page.containsKey("instances") && page.get("next").equals(claims.get("next")),
                    "a page's answer decodes its claims but its instances, which only the record carries");
            assertEquals(after, claims.get("after"), "a page names the cursor it starts after");
            assertEquals(7L, ((Number) claims.get("total")).longValue());
            seq = seq < 0 ? ((Number) claims.get("seq")).longValue() : seq;
            assertEquals(seq, ((Number) claims.get("seq")).longValue());
            List<Object> listed = names(claims);
            assertTrue(listed.size() <= 3);
            walked.addAll(listed);
            after = (String) claims.get("next");
            assertEquals(after.isEmpty() ? "" : listed.getLast(), after, "next is the last instance listed, while more follow");
            pages++;
        } while (!after.isEmpty());
        assertEquals(3, pages);
        assertEquals(instances.stream().sorted().toList(), walked, "every live instance once, by name");

        // An instance that leaves is on no page; a cursor past the last live instance gives an empty last page.
        mount.engine.send(Operation.UPDATE, "revoke/big/p-7", Map.of("reason", "test"));
        Map<String, Object> last = signedClaims(read("discover/big", Map.of("after", "p-6")));
        assertEquals(List.of(), names(last));
        assertEquals("", last.get("next"));
        assertEquals(6L, ((Number) last.get("total")).longValue());
        assertTrue(((Number) last.get("seq")).longValue() > seq);
        Map<String, Object> second = signedClaims(read("discover/big", Map.of("limit", "2", "after", "p-2")));
        assertEquals(List.of("p-3", "p-4"), names(second), "pages of other cursors and sizes are not mixed up");
        assertEquals("p-4", second.get("next"));
        mount.engine.send(Operation.UPDATE, "config", Map.of("max_record_instances", 6));
        assertEquals("service", read("discover/big", Map.of()).get("scope"), "within the limit: the whole record");
    }
}
