package dev.herald.client.publisher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import dev.herald.client.VaultException;
import dev.herald.client.testing.ManualClock;
import dev.herald.client.testing.StubVault;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PublisherTest {
    private static final String PUBLISH = "herald/publish/payments/pod-7";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final LoginTokens tokens = new LoginTokens();
    private final Claims claims = Claims.builder().endpoint("pod-7.pay.svc:8443").ipAddress("10.0.0.7")
            .dnsName("pod-7.pay.svc").metadata("zone", "a").ttl(Duration.ofHours(2)).build();
    private EngineVault vault;
    private Publisher publisher;

    @BeforeEach
    void start() throws Exception {
        vault = new EngineVault(clock);
        publisher = Publisher.builder(vault.client(), tokens, "payments", "pod-7", "workloads").claims(claims)
                .clock(clock).build();
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    @Test
    void publishSendsTheRoleCsrAndClaimsAndReadsThePublication() throws Exception {
        PublisherKey key = PublisherKey.generate(PublisherKey.Type.ED25519);
        Publication publication = publisher.publish(key);

        StubVault.Request call = vault.last();
        assertEquals("POST", call.method());
        assertEquals(PUBLISH, call.path());
        assertEquals("token-1", call.token());
        Map<String, Object> body = call.body();
        assertEquals("workloads", body.get("role"));
        assertEquals(List.of("pod-7.pay.svc:8443"), body.get("endpoints"));
        assertEquals(List.of("10.0.0.7"), body.get("ip_addresses"));
        assertEquals(List.of("pod-7.pay.svc"), body.get("dns_names"));
        assertEquals(Map.of("zone", "a"), body.get("metadata"));
        assertEquals(7200L, body.get("ttl"));
        assertFalse(body.containsKey("continuity"));
        try (PEMParser parser = new PEMParser(new StringReader((String) body.get("csr")))) {
            assertArrayEquals(key.spki(), ((PKCS10CertificationRequest) parser.readObject()).getSubjectPublicKeyInfo().getEncoded());
        }

        assertEquals("payments", publication.service());
        assertEquals("pod-7", publication.instance());
        assertEquals(1, publication.generation());
        assertEquals(key.fingerprint(), publication.fingerprint());
        assertEquals(clock.instant(), publication.notBefore());
        assertEquals(clock.instant().plusSeconds(3600), publication.notAfter());
        assertEquals(1, publication.sequence());
        assertFalse(publication.unchanged());
        assertTrue(publication.leaseId().startsWith(PUBLISH + "/"));
        assertEquals(Duration.ofHours(1), publication.leaseDuration());
    }

    @Test
    void publishingTheSameAgainIsUnchangedAndKeepsTheLease() {
        PublisherKey key = PublisherKey.generate(PublisherKey.Type.EC_P256);
        Publication first = publisher.publish(key);
        Publication again = publisher.publish(key);
        assertTrue(again.unchanged());
        assertEquals(first.generation(), again.generation());
        assertEquals(first.leaseId(), again.leaseId(), "an unchanged answer has no lease; the one held stays");
    }

    @Test
    void renewAsksForTheLeaseDurationAndMovesNotAfter() {
        Publication published = publisher.publish(PublisherKey.generate(PublisherKey.Type.ED25519));
        clock.advance(Duration.ofMinutes(40));
        Publication renewed = publisher.renew();

        StubVault.Request call = vault.last();
        assertEquals("PUT", call.method());
        assertEquals("sys/leases/renew", call.path());
        assertEquals(Map.of("lease_id", published.leaseId(), "increment", 3600L), call.body());
        assertEquals(clock.instant().plusSeconds(3600), renewed.notAfter());
        assertEquals(published.generation(), renewed.generation());
    }

    @Test
    void rotateCarriesAContinuityThatVerifiesWithTheOldKey() throws Exception {
        PublisherKey old = PublisherKey.generate(PublisherKey.Type.EC_P256);
        publisher.publish(old);
        PublisherKey next = old.successor();
        Publication rotated = publisher.rotate(next);

        assertEquals(2, rotated.generation());
        assertEquals(next.fingerprint(), rotated.fingerprint());
        assertEquals(next.fingerprint(), publisher.key().orElseThrow().fingerprint());
        String continuity = (String) vault.last().body().get("continuity");
        String text = "herald-continuity-v1\nherald/\npayments\npod-7\n1\n" + next.fingerprint();
        assertTrue(EngineVault.verifies(old.spki(), text, Base64.getUrlDecoder().decode(continuity)));
    }

    @Test
    void theContinuityNamesTheConfiguredIssuer() {
        vault.issuer = "https://vault.example/herald";
        Publisher custom = Publisher.builder(vault.client(), tokens, "payments", "pod-7", "workloads").claims(claims)
                .issuer("https://vault.example/herald").clock(clock).build();
        PublisherKey old = PublisherKey.generate(PublisherKey.Type.ED25519);
        custom.publish(old);
        assertEquals(2, custom.rotate(old.successor()).generation()); // the stub checks the signature
    }

    @Test
    void aRefusedRotationKeepsTheCurrentKey() {
        PublisherKey old = PublisherKey.generate(PublisherKey.Type.ED25519);
        publisher.publish(old);
        vault.issuer = "another/";
        VaultException refused = assertThrows(VaultException.class, () -> publisher.rotate(old.successor()));
        assertEquals(400, refused.status());
        assertEquals(old.fingerprint(), publisher.key().orElseThrow().fingerprint());
        assertEquals(1, publisher.publication().orElseThrow().generation());
    }

    @Test
    void aRejectedTokenMakesTheSourceLogInAgainAndTheRequestIsSentOnceMore() {
        vault.revokeToken("token-1");
        Publication publication = publisher.publish(PublisherKey.generate(PublisherKey.Type.ED25519));
        assertEquals(List.of("token-1"), tokens.rejected);
        assertEquals(List.of("token-1", "token-2"), vault.calls(PUBLISH).stream().map(StubVault.Request::token).toList());
        assertEquals(1, publication.generation());
    }

    @Test
    void revokeRevokesTheLeaseWhenAllowed() {
        vault.leaseRevokeAllowed = true;
        Publication publication = publisher.publish(PublisherKey.generate(PublisherKey.Type.ED25519));
        publisher.revoke();
        assertEquals(List.of("sys/leases/revoke"), paths(vault.calls().subList(1, vault.calls().size())));
        assertEquals(Map.of("lease_id", publication.leaseId()), vault.last().body());
        assertFalse(vault.live(publication.leaseId()));
        assertFalse(publisher.publication().orElseThrow().leased());
        publisher.revoke(); // nothing left to revoke
        assertEquals(2, vault.calls().size());
    }

    @Test
    void revokeFallsBackToRevokeSelfWithThePublishingToken() {
        Publication publication = publisher.publish(PublisherKey.generate(PublisherKey.Type.ED25519));
        publisher.revoke();
        List<StubVault.Request> calls = vault.calls().subList(1, vault.calls().size());
        assertEquals(List.of("sys/leases/revoke", "auth/token/revoke-self"), paths(calls));
        assertTrue(calls.stream().allMatch(call -> call.token().equals("token-1")));
        assertFalse(vault.live(publication.leaseId()), "the lease ended with its token");
    }

    @Test
    void revokeSelfCanBeTurnedOff() {
        Publisher careful = Publisher.builder(vault.client(), tokens, "payments", "pod-7", "workloads")
                .revokeTokenIfLeaseRevokeRefused(false).build();
        careful.publish(PublisherKey.generate(PublisherKey.Type.ED25519));
        assertEquals(403, assertThrows(VaultException.class, careful::revoke).status());
        assertTrue(vault.calls("auth/token/revoke-self").isEmpty());
    }

    @Test
    void namesThatWouldBendThePathAreRefused() {
        HeraldException e = assertThrows(HeraldException.class,
                () -> Publisher.builder(vault.client(), tokens, "payments/../sys", "pod-7", "workloads"));
        assertTrue(e.getMessage().contains("service"), e.getMessage());
    }

    @Test
    void rotatingBeforePublishingIsAnError() {
        assertThrows(IllegalStateException.class,
                () -> publisher.rotate(PublisherKey.generate(PublisherKey.Type.ED25519)));
        assertThrows(IllegalStateException.class, publisher::renew);
    }

    private static List<String> paths(List<StubVault.Request> calls) {
        return calls.stream().map(StubVault.Request::path).toList();
    }
}
