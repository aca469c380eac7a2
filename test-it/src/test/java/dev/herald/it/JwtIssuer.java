package dev.herald.it;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test's own JWT identity provider for one server: an EC P-256 key whose public half a
 * {@code jwt} auth method on the server trusts ({@code jwt_validation_pubkeys}), so that a test can
 * log in as any workload it names, with any claims, as a real platform's tokens would.
 *
 * <p>Auth methods are not disabled between tests (only secrets engines are): each test of a class
 * must enable its issuer at its own path.
 */
public final class JwtIssuer {

    /** The {@code iss} of every token minted here, and the mount's {@code bound_issuer}. */
    public static final String ISSUER = "https://issuer.herald-test.invalid";
    /** The {@code aud} of every token minted here, and every role's {@code bound_audiences}. */
    public static final String AUDIENCE = "herald-test";
    /** How long a minted token is valid. */
    public static final Duration TOKEN_LIFETIME = Duration.ofMinutes(10);

    /** A successful login: the server token, its accessor, the entity and the entity alias's name. */
    public record Login(String token, String accessor, String entityId, String aliasName) {
    }

    private final ServerHttp server;
    private final String path;
    private final KeyPair keyPair;
    private final String mountAccessor;

    private JwtIssuer(ServerHttp server, String path, KeyPair keyPair, String mountAccessor) {
        this.server = server;
        this.path = path;
        this.keyPair = keyPair;
        this.mountAccessor = mountAccessor;
    }

    /**
     * With the root token: generates a key, enables the {@code jwt} auth method at {@code authPath}
     * and configures it to trust that key and {@link #ISSUER}.
     */
    public static JwtIssuer enable(ServerHttp server, String authPath) {
        String path = authPath.replaceAll("^/|/$", "");
        KeyPair keyPair = generateKey();
        ok(server.http("POST", "sys/auth/" + path, Map.of("type", "jwt")));
        ok(server.http("POST", "auth/" + path + "/config", Map.of(
                "jwt_validation_pubkeys", List.of(publicKeyPem(keyPair)),
                "bound_issuer", ISSUER)));
        HttpResult auth = server.http("GET", "sys/auth", null).assertStatus(200);
        Object accessor = Json.at(auth.data(), path + "/", "accessor");
        if (!(accessor instanceof String s) || s.isEmpty()) {
            throw new AssertionError("no accessor for auth mount " + path + "/ in " + auth);
        }
        return new JwtIssuer(server, path, keyPair, s);
    }

    /** With the root token: writes the ACL policy {@code name}. */
    public static void policy(ServerHttp server, String name, String hcl) {
        ok(server.http("PUT", "sys/policies/acl/" + name, Map.of("policy", hcl)));
    }

    /** The auth mount's path, without slashes (e.g. {@code jwt-login}). */
    public String path() {
        return path;
    }

    /** The auth mount's accessor ({@code auth_jwt_...}), as entity aliases name it. */
    public String mountAccessor() {
        return mountAccessor;
    }

    /**
     * With the root token: writes the {@code jwt} role {@code name}: the alias name is the
     * {@code sub} claim, the audience must be {@link #AUDIENCE}, each entry of
     * {@code claimMappings} copies a claim into the alias metadata key it names, and the token
     * gets {@code policies} (besides {@code default}) for an hour.
     */
    public void role(String name, List<String> policies, Map<String, String> claimMappings) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role_type", "jwt");
        body.put("user_claim", "sub");
        body.put("bound_audiences", List.of(AUDIENCE));
        body.put("claim_mappings", claimMappings);
        body.put("token_policies", policies);
        body.put("token_ttl", "1h");
        ok(server.http("POST", "auth/" + path + "/role/" + name, body));
    }

    /**
     * A compact JWT signed by this issuer's key: {@code iss} {@link #ISSUER}, {@code aud}
     * {@link #AUDIENCE}, {@code sub}, {@code iat} and {@code nbf} now, {@code exp} in
     * {@link #TOKEN_LIFETIME}, plus {@code extraClaims} (which may override any of these).
     */
    public String mint(String subject, Map<String, Object> extraClaims) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)));
        extraClaims.forEach(claims::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build(),
                claims.build());
        try {
            jwt.sign(new ECDSASigner((ECPrivateKey) keyPair.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a JWT", e);
        }
        return jwt.serialize();
    }

    /** {@code POST auth/<path>/login {role, jwt}} with no token, unchecked. */
    public HttpResult attemptLogin(String role, String jwt) {
        return server.http("POST", "auth/" + path + "/login", Map.of("role", role, "jwt", jwt), null);
    }

    /** Logs in with a token minted for {@code subject} with {@code claims}; fails the test unless that works. */
    public Login login(String role, String subject, Map<String, Object> claims) {
        HttpResult result = attemptLogin(role, mint(subject, claims)).assertStatus(200);
        Map<String, Object> json = result.json();
        String token = string(json, result, "auth", "client_token");
        String accessor = string(json, result, "auth", "accessor");
        String entityId = string(json, result, "auth", "entity_id");
        return new Login(token, accessor, entityId, subject);
    }

    /** The PEM ({@code PUBLIC KEY}, SPKI) of this issuer's verification key. */
    public String publicKeyPem() {
        return publicKeyPem(keyPair);
    }

    private static String string(Map<String, Object> json, HttpResult result, String... steps) {
        if (!(Json.at(json, steps) instanceof String s) || s.isEmpty()) {
            throw new AssertionError("no " + String.join(".", steps) + " in " + result);
        }
        return s;
    }

    private static void ok(HttpResult result) {
        if (result.status() != 200 && result.status() != 204) {
            throw new AssertionError("expected HTTP 200 or 204 but got " + result);
        }
    }

    private static KeyPair generateKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }

    static String publicKeyPem(KeyPair keyPair) {
        return pem("PUBLIC KEY", keyPair.getPublic().getEncoded());
    }

    /** {@code -----BEGIN type-----}, the base64 of {@code der} in lines of 64, {@code -----END type-----}. */
    static String pem(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }
}
