package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
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
        assertNoPrivateKeyMaterial(List.of(anonymous, server.http("GET", mount + "/signer", null)));

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

    /**
     * No answer of the paths that show keys or signed records carries private key material: the
     * signer before and after rotations (to ES256 and back), the jwks (both forms), and the discovery records of
     * a publication, signed by each key.
     */
    @OnEachServer
    void noAnswerCarriesPrivateKeyMaterial(Herald herald) {
        DevServer server = herald.server();
        PublishingMount flow = new PublishingMount(herald, "signer-secrets", "[\"create\", \"update\"]", "");
        String mount = flow.mount;
        flow.publish(flow.pod("pod-1"), "pod-1", Publisher.ed25519(), Map.of()).assertStatus(200);
        List<HttpResult> answers = new ArrayList<>();
        for (String algorithm : List.of("ES256", "EdDSA")) {
            answers.add(server.http("GET", mount + "/signer", null).assertStatus(200));
            answers.add(server.httpWithoutToken("GET", mount + "/jwks").assertStatus(200));
            answers.add(server.http("GET", mount + "/discover/web", null).assertStatus(200));
            answers.add(server.http("GET", mount + "/discover/web/pod-1", null).assertStatus(200));
            herald.writeConfig(mount, "signing_algorithm=" + algorithm);
            answers.add(server.http("POST", mount + "/signer/rotate", Map.of()).assertStatus(200));
        }
        answers.add(server.http("GET", mount + "/signer", null).assertStatus(200));
        answers.add(server.httpWithoutToken("GET", mount + "/.well-known/jwks.json").assertStatus(200));
        answers.add(server.httpWithoutToken("GET", mount + "/jwks").assertStatus(200));
        assertEquals(3, ((List<?>) Json.at(answers.getLast().json(), "data", "keys")).size(), answers.getLast()::toString);
        assertNoPrivateKeyMaterial(answers);
    }

    /** The scan itself: it finds a private key in each form it can take, and nothing in public keys. */
    @Test
    void theScanFindsPrivateKeysAndOnlyThem() throws Exception {
        KeyPair ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
        ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ec = ecGenerator.generateKeyPair();
        Map<String, Object> publicJwk = Map.of("kty", "OKP", "crv", "Ed25519",
                "x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
        Map<String, Object> privateJwk = new LinkedHashMap<>(publicJwk);
        privateJwk.put("d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");

        String clean = data(Map.of("keys", List.of(publicJwk), "countersignature", jws(Map.of("jwk", publicJwk)),
                "public_key", "-----BEGIN PUBLIC KEY-----\n" + pemBody(ec.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n",
                "spki", Base64.getEncoder().encodeToString(ed25519.getPublic().getEncoded()),
                "created_at", "2026-11-29T10:53:29.234Z", "endpoints", List.of("pod-1.web.internal:8443")));
        assertEquals(List.of(), privateKeyMaterial(clean), clean);

        Map<String, String> leaks = new LinkedHashMap<>();
        leaks.put("a JWK with d", data(Map.of("keys", List.of(privateJwk))));
        leaks.put("an RSA JWK's private members", data(Map.of("keys", List.of(
                Map.of("kty", "RSA", "n", "AQAB", "e", "AQAB", "p", "AQAB", "q", "AQAB")))));
        leaks.put("a JWK with d inside a JWS payload", data(Map.of("countersignature", jws(Map.of("jwk", privateJwk)))));
        leaks.put("a PEM private key", data(Map.of("public_key",
                "-----BEGIN PRIVATE KEY-----\n" + pemBody(ec.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n")));
        leaks.put("PKCS#8 DER in base64", data(Map.of("key", Base64.getEncoder().encodeToString(ed25519.getPrivate().getEncoded()))));
        leaks.put("PKCS#8 DER in base64url", data(Map.of("key",
                Base64.getUrlEncoder().withoutPadding().encodeToString(ec.getPrivate().getEncoded()))));
        leaks.put("PKCS#8 DER in PEM lines without the header", data(Map.of("key", pemBody(ec.getPrivate().getEncoded()))));
        leaks.forEach((form, body) -> assertFalse(privateKeyMaterial(body).isEmpty(), () -> form + " not found in " + body));
    }

    private static String data(Map<String, Object> data) {
        return Json.write(Map.of("data", data));
    }

    private static String pemBody(byte[] der) {
        return Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    }

    /** A compact JWS with this payload (the signature is not checked by the scan). */
    private static String jws(Map<String, Object> payload) {
        Base64.Encoder base64url = Base64.getUrlEncoder().withoutPadding();
        return base64url.encodeToString("{\"alg\":\"EdDSA\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + base64url.encodeToString(Json.write(payload).getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }

    private static void assertNoPrivateKeyMaterial(List<HttpResult> answers) {
        for (HttpResult answer : answers) {
            List<String> found = privateKeyMaterial(answer.body());
            assertEquals(List.of(), found, answer::toString);
        }
    }

    /** JWK members only a private key has (RFC 7518 section 6; RFC 8037 section 2). */
    private static final Set<String> PRIVATE_JWK_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

    /**
     * Where {@code body} carries private key material: a JSON object with a {@code d} member (any
     * object, at any depth; a JWK's private scalar or exponent), a JWK ({@code kty}) with another
     * private member, a PEM private key block, or a base64 or base64url string that decodes to the DER
     * of a private key (PKCS#8, SEC1 or PKCS#1). Strings that are compact JWS are scanned inside: their
     * header and payload are JSON.
     */
    static List<String> privateKeyMaterial(String body) {
        List<String> found = new ArrayList<>();
        if (body.toUpperCase(Locale.ROOT).contains("PRIVATE KEY")) {
            found.add("a PEM private key block");
        }
        if (!body.isBlank()) {
            scan(Json.parse(body), "$", found);
        }
        return found;
    }

    private static void scan(Object value, String where, List<String> found) {
        switch (value) {
            case Map<?, ?> map -> map.forEach((key, member) -> {
                if (key.equals("d") || map.containsKey("kty") && PRIVATE_JWK_MEMBERS.contains(key)) {
                    found.add(where + "." + key + ": a private JWK member");
                }
                scan(member, where + "." + key, found);
            });
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    scan(list.get(i), where + "[" + i + "]", found);
                }
            }
            case String text -> {
                String[] jws = text.split("\\.", -1);
                for (int i = 0; jws.length == 3 && i < 2; i++) {
                    String part = decode(jws[i]).map(bytes -> new String(bytes, StandardCharsets.UTF_8)).orElse("");
                    if (part.startsWith("{")) {
                        scan(Json.parse(part), where + "<JWS part " + i + ">", found);
                    }
                }
                for (String token : text.split("[^A-Za-z0-9+/=_-]+")) {
                    if (decode(token).filter(SignerTest::isPrivateKeyDer).isPresent()) {
                        found.add(where + ": the DER of a private key");
                    }
                }
            }
            case null, default -> {
            }
        }
    }

    private static Optional<byte[]> decode(String token) {
        if (token.length() < 16) {
            return Optional.empty();
        }
        for (Base64.Decoder decoder : List.of(Base64.getDecoder(), Base64.getUrlDecoder())) {
            try {
                return Optional.of(decoder.decode(token));
            } catch (IllegalArgumentException e) {
                // not this alphabet
            }
        }
        return Optional.empty();
    }

    /**
     * A DER SEQUENCE that opens with a small version INTEGER (0 or 1) followed by a SEQUENCE, an
     * OCTET STRING or an INTEGER: PKCS#8 PrivateKeyInfo / OneAsymmetricKey, SEC1 ECPrivateKey, PKCS#1
     * RSAPrivateKey. Public keys (SubjectPublicKeyInfo) and certificates open with a SEQUENCE instead.
     * A prefix is enough: the first line of a PEM body decodes to the start of the DER.
     */
    private static boolean isPrivateKeyDer(byte[] der) {
        if (der.length < 8 || der[0] != 0x30) {
            return false;
        }
        int length = der[1] & 0xff;
        int content = length < 0x80 ? 2 : 2 + (length & 0x7f);
        return der.length > content + 3 && der[content] == 0x02 && der[content + 1] == 0x01
                && (der[content + 2] == 0x00 || der[content + 2] == 0x01)
                && (der[content + 3] == 0x30 || der[content + 3] == 0x04 || der[content + 3] == 0x02);
    }
}
