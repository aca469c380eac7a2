package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import dev.herald.client.TamperException;
import dev.herald.client.TamperHook;
import dev.herald.client.TokenSource;
import dev.herald.client.VaultException;
import dev.herald.client.testing.StubVault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WrappedDiscoveryTest {
    private static final String PATH = "herald/discover/payments";
    private static final Map<String, Object> ANSWER = Map.of("record", "a.b.c", "seq", 3L);

    private StubVault vault;
    private final List<TamperException> told = new ArrayList<>();
    private final TamperHook hook = told::add;

    @BeforeEach
    void start() throws Exception {
        vault = StubVault.http();
        vault.wrapping(PATH, () -> ANSWER);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private WrappedDiscovery discovery() {
        return new WrappedDiscovery(vault.client(), TokenSource.of("caller-token"), "herald", Duration.ofSeconds(45), hook);
    }

    @Test
    void readsLooksUpAndUnwraps() {
        assertEquals(ANSWER, discovery().read("payments", null));
        assertTrue(told.isEmpty());

        StubVault.Request read = vault.requests(PATH).getFirst();
        assertEquals("GET", read.method());
        assertEquals("45s", read.header("X-Vault-Wrap-TTL"));
        assertEquals("caller-token", read.header("X-Vault-Token"));
        StubVault.Request lookup = vault.requests("sys/wrapping/lookup").getFirst();
        assertEquals("caller-token", lookup.header("X-Vault-Token"));
        assertEquals(Map.of("token", "hvs.wrapping-1"), lookup.body());
        StubVault.Request unwrap = vault.requests("sys/wrapping/unwrap").getFirst();
        assertEquals("hvs.wrapping-1", unwrap.header("X-Vault-Token"), "the wrapping token authenticates the unwrap");
        assertEquals("", unwrap.text(), "no body: the token is in the header");
        assertEquals(List.of(PATH, "sys/wrapping/lookup", "sys/wrapping/unwrap"),
                vault.requests().stream().map(StubVault.Request::path).toList(), "lookup before unwrap");
    }

    @Test
    void readsOneInstance() {
        vault.wrapping(PATH + "/web-1", () -> Map.of("record", "x.y.z"));
        assertEquals("x.y.z", discovery().read("payments", "web-1").get("record"));
    }

    @Test
    void aUsedWrappingTokenIsTamper() {
        // someone unwrapped it first: Vault's lookup then answers 400
        vault.on("GET", PATH, request -> {
            String token = vault.wrap(PATH, ANSWER);
            vault.client().send(dev.herald.client.VaultRequest.post("sys/wrapping/unwrap", null, token));
            return StubVault.Answer.ok(StubVault.wrapInfo(token, PATH));
        });
        TamperException e = assertThrows(TamperException.class, () -> discovery().read("payments", null));
        assertTrue(e.getMessage().contains("the lookup of the wrapping token for herald/discover/payments failed"), e.getMessage());
        assertTrue(e.getMessage().contains(StubVault.INVALID_WRAPPING_TOKEN), e.getMessage());
        assertFalse(e.getMessage().contains("hvs.wrapping"), "no token in the message");
        assertEquals(List.of(e), told);
        assertEquals(1, vault.requests("sys/wrapping/unwrap").size(), "only the interceptor's: we did not unwrap it");
    }

    @Test
    void aTokenMadeForAnotherPathIsTamper() {
        // a wrapping token of another read, slipped into our answer with our path in its wrap_info
        vault.on("GET", PATH, request -> StubVault.Answer.ok(StubVault.wrapInfo(
                vault.wrap("herald/discover/payments-attacker", ANSWER), PATH)));
        TamperException e = assertThrows(TamperException.class, () -> discovery().read("payments", null));
        assertEquals("the wrapping token was made for \"herald/discover/payments-attacker\", not for \"" + PATH + "\"",
                e.getMessage());
        assertEquals(List.of(e), told);
        assertTrue(vault.requests("sys/wrapping/unwrap").isEmpty(), "never unwrapped");
    }

    @Test
    void aPrefixOrParentPathIsNotExact() {
        vault.on("GET", PATH + "/web-1", request -> StubVault.Answer.ok(StubVault.wrapInfo(vault.wrap(PATH, ANSWER),
                PATH + "/web-1")));
        assertThrows(TamperException.class, () -> discovery().read("payments", "web-1"));
    }

    @Test
    void aLookupWithoutCreationPathIsTamper() {
        vault.on("POST", "sys/wrapping/lookup", request -> StubVault.Answer.ok(Map.of("data", Map.of())));
        TamperException e = assertThrows(TamperException.class, () -> discovery().read("payments", null));
        assertTrue(e.getMessage().startsWith("the wrapping token was made for no path"), e.getMessage());
    }

    @Test
    void anUnwrapFailureIsTamper() {
        vault.on("POST", "sys/wrapping/unwrap", request -> StubVault.Answer.errors(400, StubVault.INVALID_WRAPPING_TOKEN));
        TamperException e = assertThrows(TamperException.class, () -> discovery().read("payments", null));
        assertTrue(e.getMessage().startsWith("unwrapping the answer of herald/discover/payments failed"), e.getMessage());
        assertEquals(List.of(e), told);
    }

    @Test
    void anUnwrappedAnswerWithoutARecordIsTamper() {
        vault.wrapping(PATH, () -> Map.of("seq", 3L));
        TamperException e = assertThrows(TamperException.class, () -> discovery().read("payments", null));
        assertEquals("the unwrapped answer of herald/discover/payments holds no record", e.getMessage());
        assertEquals(List.of(e), told);
    }

    @Test
    void anUnwrappedAnswerIsRefusedButIsNoTamper() {
        vault.on("GET", PATH, request -> StubVault.Answer.ok(Map.of("data", ANSWER)));
        HeraldException e = assertThrows(HeraldException.class, () -> discovery().read("payments", null));
        assertFalse(e instanceof TamperException);
        assertTrue(e.getMessage().contains("without response wrapping"), e.getMessage());
        assertTrue(told.isEmpty());
    }

    @Test
    void aRefusedReadIsAVaultErrorAndTellsTheTokenSource() {
        List<String> rejected = new ArrayList<>();
        TokenSource tokens = new TokenSource() {
            @Override
            public String token() {
                return "caller-token";
            }

            @Override
            public void rejected(String token) {
                rejected.add(token);
            }
        };
        vault.on("GET", PATH, request -> StubVault.Answer.errors(403, "permission denied"));
        VaultException e = assertThrows(VaultException.class,
                () -> new WrappedDiscovery(vault.client(), tokens, "herald", Duration.ofSeconds(60), hook).read("payments", null));
        assertEquals(403, e.status());
        assertEquals(List.of("caller-token"), rejected);
        assertTrue(told.isEmpty());
    }

    @Test
    void aFailingHookDoesNotHideTheTamper() {
        RuntimeException hookFailure = new IllegalStateException("pager down");
        vault.on("POST", "sys/wrapping/unwrap", request -> StubVault.Answer.errors(400, StubVault.INVALID_WRAPPING_TOKEN));
        TamperException e = assertThrows(TamperException.class, () -> new WrappedDiscovery(vault.client(),
                TokenSource.of("t"), "herald", Duration.ofSeconds(60), event -> {
                    throw hookFailure;
                }).read("payments", null));
        assertSame(hookFailure, e.getSuppressed()[0]);
    }

    @Test
    void refusesNamesThatAreNotOnePathSegment() {
        assertThrows(IllegalArgumentException.class, () -> discovery().read("../sys", null));
        assertThrows(IllegalArgumentException.class, () -> discovery().read("payments", "a/b"));
        assertThrows(IllegalArgumentException.class, () -> discovery().read("Payments", null));
        assertTrue(vault.requests().isEmpty());
    }
}
