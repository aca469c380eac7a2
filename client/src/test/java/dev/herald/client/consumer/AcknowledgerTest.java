package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.TokenSource;
import dev.herald.client.testing.ManualClock;
import dev.herald.client.testing.StubVault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When a consumer acknowledges, what it sends, and what it does with refusals, against a stub Vault. */
class AcknowledgerTest {
    private static final String ACK = "herald/ack/payments";
    private static final Duration HEARTBEAT = Duration.ofMinutes(30);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private StubVault vault;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-30T12:00:00Z"));
    private final List<String> rejected = new ArrayList<>();
    private final TokenSource tokens = new TokenSource() {
        @Override
        public String token() {
            return "consumer-token";
        }

        @Override
        public void rejected(String token) {
            synchronized (rejected) {
                rejected.add(token);
            }
        }
    };
    private Acknowledger acknowledger;

    @BeforeEach
    void start() {
        vault = StubVault.http();
        vault.on("POST", ACK, request -> StubVault.Answer.ok(Map.of("data", Map.of("seq", request.body().get("seq")))));
        vault.on("DELETE", ACK, request -> StubVault.Answer.noContent());
        acknowledger = new Acknowledger(vault.client(), tokens, "herald", "payments", Acknowledger.newSession(), clock);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private static AckTicket ticket(long seq, boolean requested) {
        return new AckTicket(seq, "t".repeat(21) + (char) ('a' + seq % 26), requested, HEARTBEAT);
    }

    private List<Long> ackedSeqs() {
        return vault.requests(ACK).stream().filter(request -> request.method().equals("POST"))
                .map(request -> ((Number) request.body().get("seq")).longValue()).toList();
    }

    private void installed(AckTicket ticket) throws InterruptedException {
        acknowledger.installed(ticket);
        assertTrue(acknowledger.awaitSent(WAIT), "the acknowledgement was not sent in time");
    }

    @Test
    void theFirstRecordIsAcknowledgedAtOnceWithItsTokenAndTheSession() throws Exception {
        AckTicket first = ticket(7, false);
        installed(first);

        StubVault.Request sent = vault.requests(ACK).getFirst();
        assertEquals("consumer-token", sent.token());
        assertEquals(Map.of("seq", 7L, "ack_token", first.token(), "session", acknowledger.session()),
                Map.of("seq", ((Number) sent.body().get("seq")).longValue(), "ack_token", sent.body().get("ack_token"),
                        "session", sent.body().get("session")));
        assertTrue(Acknowledger.SESSION.matcher(acknowledger.session()).matches());
        assertEquals(7, acknowledger.acknowledged());
    }

    @Test
    void laterRecordsAreAcknowledgedOnlyWhenARotationAsksOrAHeartbeatIsDue() throws Exception {
        installed(ticket(7, false));
        installed(ticket(8, false)); // a renewal: nobody waits
        installed(ticket(7, true)); // not higher than what is stored
        assertEquals(List.of(7L), ackedSeqs());

        installed(ticket(9, true)); // a rotation awaits consumers
        assertEquals(List.of(7L, 9L), ackedSeqs());

        clock.advance(HEARTBEAT.minusSeconds(1));
        installed(ticket(9, false));
        assertEquals(List.of(7L, 9L), ackedSeqs());
        clock.advance(Duration.ofSeconds(1));
        installed(ticket(10, false)); // the heartbeat says what is installed now
        assertEquals(List.of(7L, 9L, 10L), ackedSeqs());
        assertEquals(10, acknowledger.acknowledged());
    }

    @Test
    void aFailureToReachTheEngineIsRetriedAndTheLatestWantedTicketWins() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        vault.on("POST", ACK, request -> calls.incrementAndGet() == 1 ? StubVault.Answer.errors(503, "sealed")
                : StubVault.Answer.ok(Map.of("data", Map.of())));
        installed(ticket(7, false));

        assertEquals(List.of(7L, 7L), ackedSeqs());
        assertEquals(7, acknowledger.acknowledged());
    }

    @Test
    void anEngineRefusalIsDroppedNotRetriedAndAcknowledgingGoesOn() throws Exception {
        vault.answer("POST", ACK, StubVault.Answer.errors(403, "seq 7 of service payments was not served with this ack_token"),
                StubVault.Answer.ok(Map.of("data", Map.of())));
        installed(ticket(7, false));
        assertEquals(List.of(7L), ackedSeqs());
        assertEquals(0, acknowledger.acknowledged());

        installed(ticket(8, false)); // still the first: nothing stored yet
        assertEquals(List.of(7L, 8L), ackedSeqs());
        assertEquals(8, acknowledger.acknowledged());
        assertTrue(rejected.isEmpty(), "an engine's refusal says nothing about the token");
    }

    @Test
    void aPolicyWithoutUpdateOnAckTurnsAcknowledgingOffAfterAFreshLoginIsRefusedToo() throws Exception {
        vault.on("POST", ACK, request -> StubVault.Answer.errors(403, "1 error occurred:\n\t* permission denied\n\n"));
        installed(ticket(7, false));
        assertEquals(List.of(7L, 7L), ackedSeqs(), "tried once more with a fresh login");
        assertEquals(List.of("consumer-token", "consumer-token"), rejected);

        installed(ticket(9, true));
        installed(ticket(10, true));
        assertEquals(2, ackedSeqs().size(), "a consumer that may not acknowledge stops trying");
        acknowledger.leave();
        assertTrue(vault.requests(ACK).stream().noneMatch(request -> request.method().equals("DELETE")),
                "it never registered, so it has nothing to leave");
    }

    @Test
    void leavingDeletesTheSessionAndStopsAcknowledging() throws Exception {
        installed(ticket(7, false));
        acknowledger.leave();

        List<StubVault.Request> deletes = vault.requests(ACK).stream().filter(request -> request.method().equals("DELETE")).toList();
        assertEquals(1, deletes.size());
        assertEquals(acknowledger.session(), deletes.getFirst().query().get("session"));
        installed(ticket(9, true));
        assertEquals(List.of(7L), ackedSeqs());
        acknowledger.leave();
        assertEquals(1, vault.requests(ACK).stream().filter(request -> request.method().equals("DELETE")).count());
    }

    @Test
    void aSessionIsThirtyTwoLowercaseHexDigitsAndNothingElseIsTaken() {
        assertThrows(IllegalArgumentException.class,
                () -> new Acknowledger(vault.client(), tokens, "herald", "payments", "not-a-session", clock));
        assertFalse(Acknowledger.newSession().equals(Acknowledger.newSession()));
    }

    @Test
    void ticketsAreReadFromTheAnswerOrIgnoredWhenMalformed() {
        assertEquals(new AckTicket(5, "a".repeat(22), true, Duration.ofSeconds(1800)),
                AckTicket.of(Map.of("token", "a".repeat(22), "requested", true, "heartbeat_seconds", 1800), 5).orElseThrow());
        assertTrue(AckTicket.of(null, 5).isEmpty());
        assertTrue(AckTicket.of(Map.of("token", "short", "heartbeat_seconds", 1800), 5).isEmpty());
        assertTrue(AckTicket.of(Map.of("token", "a".repeat(22), "heartbeat_seconds", 0), 5).isEmpty());
        assertFalse(ticket(5, true).toString().contains(ticket(5, true).token()), "no token in logs");
    }

    @Test
    void aLoginThatFailsIsTriedAgainAndAcknowledgingGoesOn() throws Exception {
        java.util.concurrent.atomic.AtomicInteger logins = new java.util.concurrent.atomic.AtomicInteger();
        TokenSource flaky = () -> {
            if (logins.incrementAndGet() == 1) {
                throw new dev.herald.client.VaultException("POST /v1/auth/jwt/login", new java.io.IOException("connection refused"));
            }
            return "consumer-token";
        };
        Acknowledger withFlakyLogin = new Acknowledger(vault.client(), flaky, "herald", "payments", Acknowledger.newSession(), clock);
        withFlakyLogin.installed(ticket(7, false));
        assertTrue(withFlakyLogin.awaitSent(WAIT));
        assertEquals(7, withFlakyLogin.acknowledged(), "sent once the login worked");
        withFlakyLogin.installed(ticket(9, true));
        assertTrue(withFlakyLogin.awaitSent(WAIT));
        assertEquals(9, withFlakyLogin.acknowledged(), "and the sender lives on");
    }

    @Test
    void aLeaveComesAfterAnAcknowledgementOnItsWayAndUndoesOneWhoseAnswerWasLost() throws Exception {
        vault.on("POST", ACK, request -> StubVault.Answer.errors(503, "standby"));
        acknowledger.installed(ticket(7, false)); // may have been stored, the answer lost
        acknowledger.leave();
        assertTrue(vault.requests(ACK).stream().anyMatch(request -> request.method().equals("DELETE")),
                "a session that was ever sent is left");
    }
}
