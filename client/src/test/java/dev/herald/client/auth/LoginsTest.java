package dev.herald.client.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import dev.herald.client.Retry;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultConfig;
import dev.herald.client.VaultException;
import dev.herald.client.testing.StubVault;
import dev.herald.client.testing.StubVault.Answer;
import dev.herald.client.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each login method sends what its auth method expects, where it expects it, and reads the answer. */
class LoginsTest {
    static final Retry FAST = new Retry(2, Duration.ofMillis(1), Duration.ofMillis(2));

    @TempDir
    Path dir;

    private StubVault stub;

    @AfterEach
    void stop() {
        if (stub != null) {
            stub.close();
        }
    }

    private VaultClient client() {
        return VaultClient.builder(stub.config().build()).retry(FAST).build();
    }

    @Test
    void jwtLoginPostsTheRoleAndTheJwtReadAtEachLogin() throws IOException {
        stub = StubVault.http().answer("POST", "auth/jwt/login", Answer.auth("t1", 600, true), Answer.auth("t2", 600, true));
        Path jwtFile = Files.writeString(dir.resolve("jwt"), "eyJ.first.jwt\n");
        JwtLogin login = JwtLogin.builder().role("payments").jwtFile(jwtFile).build();

        LoginToken first = login.login(client());
        Files.writeString(jwtFile, "eyJ.second.jwt");
        LoginToken second = login.login(client());

        assertEquals("t1", first.token());
        assertEquals("accessor-of-t1", first.accessor());
        assertEquals(Duration.ofMinutes(10), first.ttl());
        assertTrue(first.renewable());
        assertEquals(List.of("default", "herald"), first.policies());
        assertEquals("t2", second.token());
        List<StubVault.Request> requests = stub.requests("auth/jwt/login");
        assertEquals(Map.of("role", "payments", "jwt", "eyJ.first.jwt"), requests.get(0).body());
        assertEquals(Map.of("role", "payments", "jwt", "eyJ.second.jwt"), requests.get(1).body());
        assertEquals(null, requests.get(0).token(), "a login sends no token");
    }

    @Test
    void jwtLoginWithoutRoleLeavesItToTheMountsDefaultRole() throws IOException {
        stub = StubVault.http().answer("POST", "auth/oidc/prod/login", Answer.auth("t", 60, false));
        Path jwtFile = Files.writeString(dir.resolve("jwt"), "eyJ.jwt");

        JwtLogin.builder().mount("/oidc/prod/").jwtFile(jwtFile).build().login(client());

        assertEquals(Map.of("jwt", "eyJ.jwt"), stub.requests("auth/oidc/prod/login").get(0).body());
    }

    @Test
    void jwtLoginNeedsAJwtSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JwtLogin.builder().role("r").build());

        assertTrue(e.getMessage().contains("JWT file"), e.getMessage());
    }

    @Test
    void anUnreadableJwtFileIsReportedBeforeAnythingIsSent() {
        stub = StubVault.http();
        JwtLogin login = JwtLogin.builder().jwtFile(dir.resolve("missing")).build();

        HeraldException e = assertThrows(HeraldException.class, () -> login.login(client()));

        assertTrue(e.getMessage().contains("missing: no such file"), e.getMessage());
        assertEquals(List.of(), stub.requests());
    }

    @Test
    void kubernetesLoginIsTheJwtRequestOnTheKubernetesMount() throws IOException {
        stub = StubVault.http().answer("POST", "auth/kubernetes/login", Answer.auth("k8s-token", 3600, true));
        Path serviceAccountToken = Files.writeString(dir.resolve("token"), "eyJ.service.account");

        LoginToken token = KubernetesLogin.builder().role("payments").jwtFile(serviceAccountToken).build().login(client());

        assertEquals("k8s-token", token.token());
        assertEquals(Map.of("role", "payments", "jwt", "eyJ.service.account"),
                stub.requests("auth/kubernetes/login").get(0).body());
    }

    @Test
    void kubernetesLoginDefaultsToThePodsServiceAccountTokenAndNeedsARole() {
        KubernetesLogin login = KubernetesLogin.builder().role("payments").build();

        assertEquals("KubernetesLogin[auth/kubernetes, role payments, file " + KubernetesLogin.DEFAULT_TOKEN_FILE + "]",
                login.toString());
        assertEquals(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"),
                Path.of(KubernetesLogin.DEFAULT_TOKEN_FILE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KubernetesLogin.builder().build());
        assertEquals("the Kubernetes auth role is missing", e.getMessage());
    }

    @Test
    void appRoleLoginSendsTheRoleIdAndTheSecretIdFromItsFile() throws IOException {
        stub = StubVault.http().answer("POST", "auth/approle/login", Answer.auth("ar-token", 1200, true));
        Path secretIdFile = Files.writeString(dir.resolve("secret-id"), "5f2c-secret-id\n");

        AppRoleLogin login = AppRoleLogin.builder().roleId("role-1234").secretIdFile(secretIdFile).build();
        LoginToken token = login.login(client());

        assertEquals("ar-token", token.token());
        assertEquals(Map.of("role_id", "role-1234", "secret_id", "5f2c-secret-id"),
                stub.requests("auth/approle/login").get(0).body());
        assertFalse(login.toString().contains("5f2c"), login.toString());
    }

    @Test
    void appRoleLoginWithoutSecretIdSendsOnlyTheRoleId() {
        stub = StubVault.http().answer("POST", "auth/machines/login", Answer.auth("t", 60, true));

        AppRoleLogin.builder().mount("machines").roleId("role-1").build().login(client());

        assertEquals(Map.of("role_id", "role-1"), stub.requests("auth/machines/login").get(0).body());
    }

    @Test
    void appRoleLoginNeedsARoleId() {
        assertThrows(IllegalArgumentException.class, () -> AppRoleLogin.builder().build());
    }

    @Test
    void certLoginPresentsTheClientCertificateOverTls() {
        TestPki ca = TestPki.create("vault ca");
        TestPki clients = TestPki.create("client ca");
        TestPki.Issued consumer = clients.issueClient("consumer", "EC");
        stub = StubVault.https(TestPki.serverContext(ca.issueServer(), clients), "want").on("POST", "auth/cert/login",
                request -> request.clientCertificates().isEmpty()
                        ? Answer.errors(400, "invalid certificate or no client certificate supplied")
                        : Answer.auth("cert-token", 300, true));
        VaultConfig config = stub.config().caCert(ca.writeCertificate(dir.resolve("ca.pem"))).build();
        VaultClient withCertificate = VaultClient.builder(config).retry(FAST).keyManagers(ClientCertificate.keyManagers(
                consumer.writeCertificate(dir.resolve("client.pem"), true), consumer.writeKey(dir.resolve("client.key"))))
                .build();

        LoginToken token = CertLogin.builder().name("consumers").build().login(withCertificate);

        assertEquals("cert-token", token.token());
        StubVault.Request request = stub.requests("auth/cert/login").get(0);
        assertEquals(Map.of("name", "consumers"), request.body());
        assertEquals(consumer.certificate(), request.clientCertificates().get(0));

        VaultClient withoutCertificate = VaultClient.builder(config).retry(FAST).build();
        VaultException e = assertThrows(VaultException.class, () -> CertLogin.builder().build().login(withoutCertificate));
        assertEquals(400, e.status());
        assertEquals(List.of("invalid certificate or no client certificate supplied"), e.errors());
        assertEquals(Map.of(), stub.requests("auth/cert/login").get(1).body(), "no name: the server tries every role");
    }

    @Test
    void tokenLoginLooksItselfUp() {
        stub = StubVault.http().on("GET", "auth/token/lookup-self", request -> Answer.ok(Map.of("data", Map.of(
                "id", request.token(), "accessor", "acc-9", "ttl", 2700L, "renewable", true, "policies", List.of("ops")))));

        LoginToken token = TokenLogin.of(stub.config().token("hvs.given").build()).login(client());

        assertEquals("hvs.given", token.token());
        assertEquals("acc-9", token.accessor());
        assertEquals(Duration.ofMinutes(45), token.ttl());
        assertTrue(token.renewable());
        assertEquals(List.of("ops"), token.policies());
        assertEquals("hvs.given", stub.requests().get(0).token());
    }

    @Test
    void tokenLoginReadsItsFileAtEachLogin() throws IOException {
        stub = StubVault.http().on("GET", "auth/token/lookup-self",
                request -> Answer.ok(Map.of("data", Map.of("ttl", 0L, "renewable", false))));
        Path sink = Files.writeString(dir.resolve("sink"), "hvs.one\n");
        TokenLogin login = TokenLogin.fromFile(sink);

        assertEquals("hvs.one", login.login(client()).token());
        Files.writeString(sink, "hvs.two\n");
        LoginToken second = login.login(client());

        assertEquals("hvs.two", second.token());
        assertFalse(second.expires(), "a root-like token: ttl 0");
        assertEquals("hvs.two", stub.requests().get(1).token());
    }

    @Test
    void tokenLoginPassesTheServersRefusalThrough() {
        stub = StubVault.http().answer("GET", "auth/token/lookup-self", Answer.errors(403, "permission denied"));

        VaultException e = assertThrows(VaultException.class,
                () -> TokenLogin.of(stub.config().token("hvs.dead").build()).login(client()));

        assertEquals(403, e.status());
        assertEquals(List.of("permission denied"), e.errors());
        assertFalse(e.getMessage().contains("hvs.dead"), e.getMessage());
    }

    @Test
    void tokenLoginWithoutATokenSaysWhereOneComesFrom() {
        HeraldException e = assertThrows(HeraldException.class,
                () -> TokenLogin.of(VaultConfig.fromEnvironment(Map.of()).build()));

        assertTrue(e.getMessage().contains("VAULT_TOKEN"), e.getMessage());
    }

    @Test
    void aRefusedLoginCarriesTheServersMessagesAndNoCredential() throws IOException {
        stub = StubVault.http().answer("POST", "auth/jwt/login", Answer.errors(400, "error validating token: token is expired"));
        Path jwtFile = Files.writeString(dir.resolve("jwt"), "eyJ.expired.jwt");

        VaultException e = assertThrows(VaultException.class,
                () -> JwtLogin.builder().role("r").jwtFile(jwtFile).build().login(client()));

        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("POST /v1/auth/jwt/login: 400 error validating token: token is expired"),
                e.getMessage());
        assertFalse(e.getMessage().contains("eyJ.expired.jwt"));
        assertEquals(1, stub.requests().size(), "a 4xx is not retried");
    }

    @Test
    void aLoginAnswerWithoutTokenIsAClearError() {
        stub = StubVault.http().answer("POST", "auth/approle/login", Answer.ok(Map.of("data", Map.of())));

        HeraldException e = assertThrows(HeraldException.class,
                () -> AppRoleLogin.builder().roleId("r").build().login(client()));

        assertEquals("POST /v1/auth/approle/login: the answer has no auth.client_token", e.getMessage());
    }

    @Test
    void mountPathsAreCheckedAndNormalised() {
        assertEquals("jwt/prod", JwtLogin.builder().mount(" /jwt/prod/ ").jwt(Secret.fixed("t", "x")).build().mount());
        assertEquals("approle", AppRoleLogin.builder().roleId("r").build().mount());
        assertEquals("cert", CertLogin.builder().build().mount());
        for (String bad : new String[] {"", "/", "../sys", "jwt/../sys", "jwt login", "jwt?x=1", "jwt//x", "a/./b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CertLogin.builder().mount(bad).build(), bad);
            assertTrue(e.getMessage().contains("auth mount"), e.getMessage());
        }
    }

    @Test
    void toStringsNameTheMethodAndSourceButNoCredential() throws IOException {
        Path file = Files.writeString(dir.resolve("cred"), "credential-value");

        assertEquals("JwtLogin[auth/jwt, role r, file " + file + "]",
                JwtLogin.builder().role("r").jwtFile(file).build().toString());
        assertEquals("AppRoleLogin[auth/approle, role id id-1, secret id from file " + file + "]",
                AppRoleLogin.builder().roleId("id-1").secretIdFile(file).build().toString());
        assertEquals("CertLogin[auth/cert, name c]", CertLogin.builder().name("c").build().toString());
        assertEquals("TokenLogin[file " + file + "]", TokenLogin.fromFile(file).toString());
        assertEquals("TokenLogin[configured token]",
                TokenLogin.of(VaultConfig.builder().token("hvs.secret").build()).toString());
    }
}
