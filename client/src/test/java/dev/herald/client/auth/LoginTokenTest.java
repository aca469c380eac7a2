package dev.herald.client.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoginTokenTest {

    @Test
    void readsTheAuthBlock() {
        LoginToken token = LoginToken.fromAuth(Map.of("client_token", "hvs.abc", "accessor", "acc", "lease_duration", 3600L,
                "renewable", true, "policies", List.of("default", "publisher")), "POST /v1/auth/jwt/login");

        assertEquals("hvs.abc", token.token());
        assertEquals("acc", token.accessor());
        assertEquals(Duration.ofHours(1), token.ttl());
        assertTrue(token.renewable());
        assertTrue(token.expires());
        assertEquals(List.of("default", "publisher"), token.policies());
    }

    @Test
    void missingPartsHaveSafeDefaults() {
        LoginToken token = LoginToken.fromAuth(Map.of("client_token", "root"), "op");

        assertEquals("", token.accessor());
        assertEquals(Duration.ZERO, token.ttl());
        assertFalse(token.expires());
        assertFalse(token.renewable());
        assertEquals(List.of(), token.policies());
    }

    @Test
    void anAnswerWithoutTokenIsAClearError() {
        HeraldException e = assertThrows(HeraldException.class,
                () -> LoginToken.fromAuth(Map.of("lease_duration", 5L), "POST /v1/auth/cert/login"));

        assertEquals("POST /v1/auth/cert/login: the answer has no auth.client_token", e.getMessage());
    }

    @Test
    void oddDurationsAreBounded() {
        assertEquals(Duration.ZERO, LoginToken.seconds(-5L));
        assertEquals(Duration.ZERO, LoginToken.seconds("3600"));
        assertEquals(Duration.ofSeconds(LoginToken.MAX_SECONDS), LoginToken.seconds(BigInteger.TEN.pow(30)));
        assertEquals(Duration.ofSeconds(LoginToken.MAX_SECONDS), LoginToken.seconds(Long.MAX_VALUE));
    }

    @Test
    void toStringNeverShowsTheToken() {
        LoginToken token = new LoginToken("hvs.very-secret", "acc-1", Duration.ofMinutes(5), true, List.of("default"));

        assertFalse(token.toString().contains("very-secret"), token.toString());
        assertTrue(token.toString().contains("acc-1"), token.toString());
    }

    @Test
    void anEmptyTokenIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LoginToken(" ", "", Duration.ZERO, false, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new LoginToken("t", "", Duration.ofSeconds(-1), false, List.of()));
    }
}
