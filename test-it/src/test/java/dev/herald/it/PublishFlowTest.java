package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * The product on real servers: workloads log in through the jwt auth method, publish their keys,
 * and consumers verify the signed records with an independent JOSE library (nimbus-jose-jwt) from
 * the {@code jwks} output alone.
 */
@Timeout(180)
class PublishFlowTest {

    /** Verifies a record as a consumer does, from the JWK Set alone; returns its claims. */
    static JWTClaimsSet verify(String record, JWKSet jwks, String issuer, String service) throws Exception {
        SignedJWT jwt = SignedJWT.parse(record);
        assertEquals(new JOSEObjectType("herald-record+jwt"), jwt.getHeader().getType());
        JWK key = jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertTrue(key != null, "the record's kid is in the jwks");
        JWSVerifier verifier = key instanceof OctetKeyPair okp ? new Ed25519Verifier(okp)
                : new ECDSAVerifier((ECKey) key);
        assertTrue(jwt.verify(verifier), "the signature verifies with the jwks key");
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals(issuer, claims.getIssuer());
        assertEquals(service, claims.getSubject());
        assertTrue(claims.getExpirationTime().toInstant().isAfter(Instant.now()), "fresh");
        return claims;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> instances(JWTClaimsSet claims) {
        return (List<Map<String, Object>>) claims.getClaim("instances");
    }

    @OnEachServer
    void aPublicationIsDiscoveredAndVerifiedFromTheJwksAlone(Herald herald) throws Exception {
        PublishingMount flow = new PublishingMount(herald, "flow", "[\"create\", \"update\"]", "");
        JwtIssuer.Login pod = flow.pod("pod-1");
        Publisher key = Publisher.ed25519();
        HttpResult published = flow.publish(pod, "pod-1", key, Map.of()).assertStatus(200);
        assertEquals(key.fingerprint(), published.data().get("fingerprint"));
        assertEquals(1L, published.data().get("generation"));
        assertEquals(false, published.data().get("unchanged"));
        assertFalse(String.valueOf(published.json().get("lease_id")).isEmpty(), "a lease: " + published);
        assertEquals(true, published.json().get("renewable"));

        HttpResult discovered = flow.server.http("GET", flow.mount + "/discover/web", null, pod.token()).assertStatus(200);
        assertEquals("", discovered.json().get("lease_id"), "reads create no lease");
        JWTClaimsSet claims = verify((String) discovered.data().get("record"), flow.jwks(), flow.mount + "/", "web");
        Map<String, Object> instance = instances(claims).getFirst();
        assertEquals("pod-1", instance.get("instance"));
        assertEquals(key.fingerprint(), instance.get("fingerprint"));
        assertEquals(List.of("pod-1.web.internal:8443"), instance.get("endpoints"));
        Map<String, Object> publisher = (Map<String, Object>) instance.get("publisher");
        assertEquals(pod.entityId(), publisher.get("entity_id"));
        assertEquals(flow.issuer.mountAccessor(), publisher.get("mount_accessor"));
        assertEquals("pod-1", ((Map<?, ?>) publisher.get("alias_metadata")).get("pod_uid"));
        // The JWK in the record is the published key itself (an Ed25519 SPKI ends with the raw 32-byte key).
        byte[] raw = OctetKeyPair.parse((Map<String, Object>) instance.get("jwk")).getX().decode();
        assertArrayEquals(java.util.Arrays.copyOfRange(key.spki(), key.spki().length - 32, key.spki().length), raw);
        Map<?, ?> readable = (Map<?, ?>) ((List<?>) discovered.data().get("instances")).getFirst();
        assertTrue(String.valueOf(readable.get("public_key_pem")).contains("BEGIN PUBLIC KEY"));
        assertEquals(claims.getLongClaim("seq"), ((Number) discovered.data().get("seq")).longValue());

        // The one-instance record, the service list and the history say the same.
        verify((String) flow.server.http("GET", flow.mount + "/discover/web/pod-1", null).assertStatus(200)
                .data().get("record"), flow.jwks(), flow.mount + "/", "web");
        Map<String, Object> list = flow.server.http("GET", flow.mount + "/services?list=true", null).assertStatus(200).data();
        assertEquals(List.of("web"), list.get("keys"));
        assertEquals(1L, Json.at(list, "key_info", "web", "live_instances"));
        List<?> events = (List<?>) flow.server.http("GET", flow.mount + "/history/web", null).assertStatus(200)
                .data().get("events");
        assertEquals("publish", Json.at(events.getFirst(), "type"));
        assertEquals(pod.accessor(), Json.at(events.getFirst(), "actor", "token_accessor"));
        assertEquals("", flow.server.http("GET", flow.mount + "/history/web", null).json().get("lease_id"));
    }

    @OnEachServer
    void writeOnceRepublishAndTheRoleStopAStolenToken(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "once", "[\"create\", \"update\"]", "");
        JwtIssuer.Login pod = flow.pod("pod-1");
        Publisher key = Publisher.ecP256();
        flow.publish(pod, "pod-1", key, Map.of()).assertStatus(200);
        long seq = flow.seq();

        HttpResult again = flow.publish(pod, "pod-1", key, Map.of()).assertStatus(200);
        assertEquals(true, again.data().get("unchanged"), "a retry or Terraform re-apply: " + again);
        assertEquals(seq, flow.seq());

        HttpResult changed = flow.publish(pod, "pod-1", key, Map.of("metadata", Map.of("zone", "b"))).assertStatus(409);
        assertTrue(changed.errors().contains("write-once"), changed::toString);
        HttpResult overwrite = flow.publish(pod, "pod-1", Publisher.ecP256(), Map.of()).assertStatus(409);
        assertTrue(overwrite.errors().contains("continuity"), overwrite::toString);

        // pod-1's token publishing as pod-2: the role binds the instance to the caller's alias metadata.
        HttpResult stolen = flow.publish(pod, "pod-2", Publisher.ed25519(), Map.of()).assertStatus(403);
        assertTrue(stolen.errors().contains("instance"), stolen::toString);
        assertEquals(seq, flow.seq(), "refused writes change nothing");
        assertEquals(1, ((List<?>) flow.discover().get("instances")).size());
    }

    @OnEachServer
    void aCreateOnlyPolicyAllowsTheFirstPublicationAndNoRotation(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "createonly", "[\"create\"]", "ttl=20s");
        flow.server.cli("write", flow.mount + "/config", "rotation_window=0.1").assertSuccess();
        JwtIssuer.Login pod = flow.pod("pod-1");
        Publisher first = Publisher.ed25519();
        flow.publish(pod, "pod-1", first, Map.of()).assertStatus(200);
        sleep(Duration.ofSeconds(3)); // past the rotation window
        Publisher second = Publisher.ed25519();
        HttpResult rotation = flow.publish(pod, "pod-1", second, Map.of("continuity", first.continuityFor(second, flow.mount + "/", "web", "pod-1", 1)));
        assertEquals(403, rotation.status(), "the server itself refuses the update: " + rotation);
        assertTrue(rotation.errors().contains("permission denied"), rotation::toString);
        assertEquals(first.fingerprint(), Json.at(((List<?>) flow.discover().get("instances")).getFirst(), "fingerprint"));
    }

    @OnEachServer
    void rotationNeedsTheWindowAndContinuityAndBothKeysAreListedDuringTheOverlap(Herald herald) throws Exception {
        PublishingMount flow = new PublishingMount(herald, "rotate", "[\"create\", \"update\"]", "ttl=30s");
        flow.server.cli("write", flow.mount + "/config", "rotation_window=0.1").assertSuccess();
        JwtIssuer.Login pod = flow.pod("pod-1");
        Publisher first = Publisher.ed25519();
        // Made before the first publish: an RSA key takes long enough on a busy machine for the
        // window (3 s after publication) to open before the early attempt.
        Publisher second = Publisher.rsa(2048);
        flow.publish(pod, "pod-1", first, Map.of()).assertStatus(200);

        HttpResult early = flow.publish(pod, "pod-1", second, Map.of("continuity", first.continuityFor(second, flow.mount + "/", "web", "pod-1", 1)))
                .assertStatus(409);
        assertTrue(early.errors().contains("opens at"), early::toString);
        sleep(Duration.ofSeconds(4));
        HttpResult without = flow.publish(pod, "pod-1", second, Map.of()).assertStatus(409);
        assertTrue(without.errors().contains("continuity"), without::toString);
        HttpResult forged = flow.publish(pod, "pod-1", second, Map.of("continuity", second.continuityFor(second, flow.mount + "/", "web", "pod-1", 1)))
                .assertStatus(400);
        assertTrue(forged.errors().contains("continuity"), forged::toString);
        long before = flow.seq();

        HttpResult rotated = flow.publish(pod, "pod-1", second, Map.of("continuity", first.continuityFor(second, flow.mount + "/", "web", "pod-1", 1)))
                .assertStatus(200);
        assertEquals(2L, rotated.data().get("generation"));
        JWTClaimsSet claims = verify((String) flow.discover().get("record"), flow.jwks(), flow.mount + "/", "web");
        assertEquals(List.of(first.fingerprint(), second.fingerprint()),
                instances(claims).stream().map(i -> i.get("fingerprint")).toList(), "both keys during the overlap");
        assertTrue(claims.getLongClaim("seq") > before);
        List<?> events = (List<?>) flow.server.http("GET", flow.mount + "/history/web", null).data().get("events");
        assertEquals(List.of("publish", "rotate"), events.stream().map(e -> Json.at(e, "type")).toList());
    }

    @OnEachServer
    void leaseRevokeTokenRevokeAndOperatorRevokeEndPublicationsAndRaiseSeq(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "ends", "[\"create\", \"update\"]", "ttl=1h");
        DevServer server = flow.server;
        JwtIssuer.Login a = flow.pod("pod-a");
        JwtIssuer.Login b = flow.pod("pod-b");
        JwtIssuer.Login c = flow.pod("pod-c");
        Publisher keyA = Publisher.ed25519();
        String leaseA = (String) flow.publish(a, "pod-a", keyA, Map.of()).assertStatus(200).json().get("lease_id");
        flow.publish(b, "pod-b", Publisher.ed25519(), Map.of()).assertStatus(200);
        flow.publish(c, "pod-c", Publisher.ed25519(), Map.of()).assertStatus(200);
        long seq = flow.seq();

        // Renewal extends not_after.
        server.http("PUT", "sys/leases/renew", Map.of("lease_id", leaseA, "increment", 7200)).assertStatus(200);
        assertTrue(flow.seq() > seq, "a renewal changes the record");
        seq = flow.seq();

        server.http("PUT", "sys/leases/revoke", Map.of("lease_id", leaseA)).assertStatus(204);
        assertTrue(DevServer.await(Duration.ofSeconds(20), () -> instanceNames(flow).equals(List.of("pod-b", "pod-c"))));
        assertTrue(flow.seq() > seq, "lease revoke raises seq");
        seq = flow.seq();

        server.http("POST", "auth/token/revoke-self", Map.of(), b.token()).assertStatus(204);
        assertTrue(DevServer.await(Duration.ofSeconds(30), () -> instanceNames(flow).equals(List.of("pod-c"))),
                "revoking the publisher's token ends its publication");
        assertTrue(flow.seq() > seq, "token revoke raises seq");
        seq = flow.seq();

        HttpResult revoked = server.http("POST", flow.mount + "/revoke/web/pod-c", Map.of("reason", "compromised"))
                .assertStatus(200);
        assertEquals(List.of(1L), revoked.data().get("revoked_generations"));
        HttpResult gone = server.http("GET", flow.mount + "/discover/web", null).assertStatus(404);
        assertTrue(gone.errors().contains("no live instance"), gone::toString);
        List<?> events = (List<?>) server.http("GET", flow.mount + "/history/web", null).data().get("events");
        assertEquals(List.of("publish", "publish", "publish", "lease_end", "lease_end", "revoke"),
                events.stream().map(e -> Json.at(e, "type")).toList());
        assertEquals("compromised", Json.at(events.getLast(), "detail"));
        long lastSeq = ((Number) Json.at(events.getLast(), "sequence")).longValue();
        assertTrue(lastSeq > seq, "operator revoke raises seq");

        // Leases of ended publications do not block the unmount. (pod-a keeps its key: the same key revives it.)
        flow.publish(a, "pod-a", keyA, Map.of()).assertStatus(200);
        server.cli("secrets", "disable", flow.mount).assertSuccess();
    }

    @OnEachServer
    void requireWrappingWrapsDiscover(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "wrap", "[\"create\", \"update\"]", "");
        flow.publish(flow.pod("pod-1"), "pod-1", Publisher.ecP384(), Map.of()).assertStatus(200);
        flow.server.cli("write", flow.mount + "/config", "require_wrapping=true", "wrap_ttl=45s").assertSuccess();
        HttpResult wrapped = flow.server.http("GET", flow.mount + "/discover/web", null).assertStatus(200);
        assertEquals(null, wrapped.json().get("data"), "only a wrapping token: " + wrapped);
        assertEquals(45L, ((Number) Json.at(wrapped.json(), "wrap_info", "ttl")).longValue());
        assertEquals(flow.mount + "/discover/web", Json.at(wrapped.json(), "wrap_info", "creation_path"));
        String token = (String) Json.at(wrapped.json(), "wrap_info", "token");
        HttpResult unwrapped = flow.server.http("POST", "sys/wrapping/unwrap", Map.of(), token).assertStatus(200);
        assertTrue(String.valueOf(unwrapped.data().get("record")).split("\\.").length == 3, unwrapped::toString);
    }

    @OnEachServer
    void signerRotationIsCountersignedAndRecordsFollowTheNewKey(Herald herald) throws Exception {
        PublishingMount flow = new PublishingMount(herald, "signrot", "[\"create\", \"update\"]", "");
        flow.publish(flow.pod("pod-1"), "pod-1", Publisher.ed25519(), Map.of()).assertStatus(200);
        JWKSet pinned = flow.jwks();
        String oldRecord = (String) flow.discover().get("record");
        flow.server.cli("write", flow.mount + "/config", "signing_algorithm=ES256").assertSuccess();
        Map<String, Object> rotated = flow.server.http("POST", flow.mount + "/signer/rotate", Map.of()).assertStatus(200).data();

        // A client that pinned the old key checks the countersignature and learns the new key.
        SignedJWT countersignature = SignedJWT.parse((String) rotated.get("countersignature"));
        assertEquals(new JOSEObjectType("herald-signer-rotation+jwt"), countersignature.getHeader().getType());
        OctetKeyPair oldKey = (OctetKeyPair) pinned.getKeyByKeyId(countersignature.getHeader().getKeyID());
        assertTrue(countersignature.verify(new Ed25519Verifier(oldKey)), "countersigned by the pinned key");
        ECKey newKey = ECKey.parse((Map<String, Object>) countersignature.getJWTClaimsSet().getClaim("jwk"));
        assertEquals(rotated.get("kid"), newKey.getKeyID());

        SignedJWT newRecord = SignedJWT.parse((String) flow.discover().get("record"));
        assertEquals(newKey.getKeyID(), newRecord.getHeader().getKeyID(), "records are signed by the new key");
        assertTrue(newRecord.verify(new ECDSAVerifier(newKey)));
        JWKSet both = flow.jwks();
        assertEquals(2, both.getKeys().size(), "the old key still verifies during verification_ttl");
        verify(oldRecord, both, flow.mount + "/", "web");
        List<?> events = (List<?>) flow.server.http("GET", flow.mount + "/history/web", null).data().get("events");
        assertEquals("signer_rotate", Json.at(events.getLast(), "type"));
        assertNotEquals(oldKey.getKeyID(), newKey.getKeyID());
    }

    @OnEachServer
    void expiryEndsPublicationsWithAndWithoutLeasesAndRaisesSeq(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "expiry", "[\"create\", \"update\"]", "ttl=3s");
        DevServer server = flow.server;
        server.cli("write", flow.mount + "/roles/unleased", "services=other", "instance={{alias.metadata.pod_uid}}",
                "bound_mount_accessor=" + flow.issuer.mountAccessor(), "allowed_dns_names=*.web.internal",
                "allowed_cidrs=10.0.0.0/8", "allowed_ports=8443", "ttl=3s", "lease_bound=false").assertSuccess();
        flow.publish(flow.pod("pod-a"), "pod-a", Publisher.ed25519(), Map.of()).assertStatus(200);
        HttpResult unleased = server.http("POST", flow.mount + "/publish/other/pod-b", Map.of("role", "unleased",
                "csr", Publisher.ed25519().csrPem()), flow.pod("pod-b").token()).assertStatus(200);
        assertEquals("", unleased.json().get("lease_id"), "lease_bound=false: no lease");

        // The server revokes the expired lease (lease_end); the unleased publication simply expires.
        assertTrue(DevServer.await(Duration.ofSeconds(30), () ->
                server.http("GET", flow.mount + "/discover/web", null).status() == 404
                        && server.http("GET", flow.mount + "/discover/other", null).status() == 404), "both expire");
        assertTrue(DevServer.await(Duration.ofSeconds(30), () -> ((List<?>) server.http("GET", flow.mount
                + "/history/web", null).data().get("events")).stream().anyMatch(e -> "lease_end".equals(Json.at(e, "type")))));
        assertEquals(Map.of("web", 2L, "other", 2L), sequences(flow), "publication and expiry: two changes each");

        HttpResult tidy = server.http("POST", flow.mount + "/tidy", Map.of()).assertStatus(200);
        // web's publication left the list with its lease; other's expired one is still listed (the
        // periodic tidy waits 10 minutes after an end), and this tidy removes exactly that one.
        assertEquals(1L, ((Number) tidy.data().get("publications_removed")).longValue(), tidy::toString);
        assertEquals(Map.of("web", 2L, "other", 2L), sequences(flow), "tidy changes no sequence");
        assertEquals(List.of("publish"), ((List<?>) server.http("GET", flow.mount + "/history/other", null).data()
                .get("events")).stream().map(e -> Json.at(e, "type")).toList(), "history keeps the publication");
    }

    private static Map<String, Long> sequences(PublishingMount flow) {
        Map<String, Object> list = flow.server.http("GET", flow.mount + "/services?list=true", null).assertStatus(200).data();
        Map<String, Long> sequences = new java.util.TreeMap<>();
        for (Object name : (List<?>) list.get("keys")) {
            sequences.put((String) name, ((Number) Json.at(list, "key_info", (String) name, "sequence")).longValue());
        }
        return sequences;
    }

    private static List<String> instanceNames(PublishingMount flow) {
        HttpResult result = flow.server.http("GET", flow.mount + "/discover/web", null);
        if (result.status() != 200) {
            return List.of();
        }
        return ((List<?>) result.data().get("instances")).stream().map(i -> (String) Json.at(i, "instance")).toList();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
