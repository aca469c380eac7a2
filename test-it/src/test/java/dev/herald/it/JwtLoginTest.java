package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * The test's own JWT issuer ({@link JwtIssuer}) against the servers' {@code jwt} auth method: what
 * later tests rely on when they log in as a publisher.
 */
@Timeout(120)
class JwtLoginTest {

    @OnEachServer
    void aLoginGivesAnEntityWhoseAliasCarriesTheMappedClaims(Herald herald) {
        DevServer server = herald.server();
        JwtIssuer issuer = JwtIssuer.enable(server, "jwt-claims");
        issuer.role("workload", List.of(), Map.of("namespace", "k8s_namespace", "service_account", "k8s_sa"));
        String subject = "system:serviceaccount:payments:api";

        JwtIssuer.Login login = issuer.login("workload", subject,
                Map.of("namespace", "payments", "service_account", "api", "unmapped", "ignored"));

        Map<String, Object> entity = server.http("GET", "identity/entity/id/" + login.entityId(), null)
                .assertStatus(200).data();
        List<?> aliases = (List<?>) entity.get("aliases");
        List<?> onMount = aliases.stream()
                .filter(a -> issuer.mountAccessor().equals(Json.at(a, "mount_accessor"))).toList();
        assertEquals(1, onMount.size(), () -> "one alias on " + issuer.mountAccessor() + ": " + entity);
        Object alias = onMount.getFirst();
        assertEquals(subject, Json.at(alias, "name"), alias::toString);
        assertEquals(login.aliasName(), Json.at(alias, "name"));
        // The mapped claims, and the role the server adds; not the unmapped claim.
        assertEquals(Map.of("k8s_namespace", "payments", "k8s_sa", "api", "role", "workload"),
                Json.at(alias, "metadata"), alias::toString);

        // The same subject is the same entity; another subject is another one.
        assertEquals(login.entityId(), issuer.login("workload", subject, Map.of()).entityId());
        assertNotEquals(login.entityId(), issuer.login("workload", subject + "-2", Map.of()).entityId());
    }

    @OnEachServer
    void aTokenTheMountDoesNotTrustIsRefused(Herald herald) {
        DevServer server = herald.server();
        JwtIssuer trusted = JwtIssuer.enable(server, "jwt-trusted");
        // Same issuer name and audience, but a key the trusted mount does not know.
        JwtIssuer stranger = JwtIssuer.enable(server, "jwt-stranger");
        trusted.role("workload", List.of(), Map.of());
        String subject = "workload-a";

        trusted.attemptLogin("workload", trusted.mint(subject, Map.of())).assertStatus(200);

        HttpResult otherKey = trusted.attemptLogin("workload", stranger.mint(subject, Map.of())).assertStatus(400);
        assertTrue(otherKey.errors().contains("signature"), otherKey::toString);
        HttpResult otherAudience = trusted.attemptLogin("workload",
                trusted.mint(subject, Map.of("aud", "someone-else"))).assertStatus(400);
        assertTrue(otherAudience.errors().contains("aud"), otherAudience::toString);
        assertNull(Json.at(otherKey.json(), "auth"), otherKey::toString);
    }

    @OnEachServer
    void theTokenHasTheRolesPoliciesAndNoMore(Herald herald) {
        DevServer server = herald.server();
        JwtIssuer.policy(server, "mounts-reader", "path \"sys/mounts\" { capabilities = [\"read\"] }\n");
        JwtIssuer issuer = JwtIssuer.enable(server, "jwt-policies");
        issuer.role("reader", List.of("mounts-reader"), Map.of());
        issuer.role("plain", List.of(), Map.of());

        JwtIssuer.Login reader = issuer.login("reader", "reader-workload", Map.of());
        Map<String, Object> self = server.http("GET", "auth/token/lookup-self", null, reader.token())
                .assertStatus(200).data();
        assertEquals(List.of("default", "mounts-reader"), self.get("policies"), self::toString);
        assertEquals(reader.entityId(), self.get("entity_id"));
        assertEquals(reader.accessor(), self.get("accessor"));
        assertEquals("auth/jwt-policies/login", self.get("path"));
        assertEquals("reader", Json.at(self, "meta", "role"), self::toString);

        assertEquals(200, server.http("GET", "sys/mounts", null, reader.token()).status());
        assertEquals(403, server.http("GET", "sys/auth", null, reader.token()).status());
        JwtIssuer.Login plain = issuer.login("plain", "plain-workload", Map.of());
        assertEquals(List.of("default"), server.http("GET", "auth/token/lookup-self", null, plain.token())
                .assertStatus(200).data().get("policies"));
        assertEquals(403, server.http("GET", "sys/mounts", null, plain.token()).status());
    }
}
