package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/** {@code signer} and {@code jwks} on real servers. */
@Timeout(120)
class SignerTest {

    @OnEachServer
    void jwksNeedsNoTokenAndListsTheKeyTheSignerShows(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable("signer");

        HttpResult anonymous = server.httpWithoutToken("GET", mount + "/jwks").assertStatus(200);
        List<?> keys = (List<?>) Json.at(anonymous.json(), "data", "keys");
        assertEquals(1, keys.size(), anonymous::toString);
        assertEquals("OKP", Json.at(keys.getFirst(), "kty"));
        assertEquals("Ed25519", Json.at(keys.getFirst(), "crv"));
        assertEquals("EdDSA", Json.at(keys.getFirst(), "alg"));

        assertEquals(403, server.httpWithoutToken("GET", mount + "/signer").status(), "signer needs a token");
        Map<String, Object> signer = server.http("GET", mount + "/signer", null).assertStatus(200).json();
        assertEquals(Json.at(keys.getFirst(), "kid"), Json.at(signer, "data", "kid"));
        String body = anonymous.toString() + signer;
        assertFalse(body.toLowerCase().contains("private"), body);

        // The key is kept: a new plugin process shows the same one.
        server.cli("plugin", "reload", "-plugin=" + Herald.PLUGIN).assertSuccess();
        assertTrue(DevServer.await(java.time.Duration.ofSeconds(30), () ->
                server.http("GET", mount + "/signer", null).status() == 200));
        assertEquals(Json.at(signer, "data", "kid"),
                Json.at(server.http("GET", mount + "/signer", null).assertStatus(200).json(), "data", "kid"));
    }

    @OnEachServer
    void theConfiguredAlgorithmIsUsedForTheFirstKey(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable("signer-es256");
        herald.writeConfig(mount, "signing_algorithm=ES256");
        Object jwk = ((List<?>) Json.at(server.httpWithoutToken("GET", mount + "/jwks").assertStatus(200).json(),
                "data", "keys")).getFirst();
        assertEquals("EC", Json.at(jwk, "kty"));
        assertEquals("P-256", Json.at(jwk, "crv"));
        assertEquals("ES256", Json.at(jwk, "alg"));
    }

    @OnEachServer
    void rotationKeepsTheOldKeyVerifyingAndCountersignsTheNewOne(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable("signer-rotate");
        Object before = Json.at(server.http("GET", mount + "/signer", null).assertStatus(200).json(), "data", "kid");
        Map<String, Object> rotated = server.http("POST", mount + "/signer/rotate", Map.of()).assertStatus(200).json();
        Object after = Json.at(rotated, "data", "kid");
        assertFalse(before.equals(after), "a new key");
        assertTrue(String.valueOf(Json.at(rotated, "data", "countersignature")).split("\\.").length == 3,
                () -> "a compact JWS: " + rotated);
        List<?> keys = (List<?>) Json.at(server.httpWithoutToken("GET", mount + "/jwks").assertStatus(200).json(),
                "data", "keys");
        assertEquals(List.of(before, after), keys.stream().map(k -> Json.at(k, "kid")).toList());
    }
}
