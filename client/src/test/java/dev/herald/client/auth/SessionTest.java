package dev.herald.client.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.Retry;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultConfig;
import dev.herald.client.VaultException;
import dev.herald.client.testing.ManualClock;
import dev.herald.client.testing.StubVault;
import dev.herald.client.testing.StubVault.Answer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions against a stub server whose JWT login hands out t1, t2, ... and a clock the test moves.
 * Tokens live {@value #TTL} s: renewal is due between 60 % (180 s) and 2/3 (200 s) of that.
 */
class SessionTest {
    static final long TTL = 300;
    static final Duration BEFORE_DUE = Duration.ofSeconds(179);
    static final Duration DUE = Duration.ofSeconds(200);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final AtomicInteger issued = new AtomicInteger();
    private StubVault stub;
    private VaultClient vault;
    private Path jwtFile;
    private volatile boolean renewable = true;

    @BeforeEach
    void start() throws IOException {
        stub = StubVault.http().on("POST", "auth/jwt/login",
                request -> Answer.auth("t" + issued.incrementAndGet(), TTL, renewable));
        vault = VaultClient.builder(stub.config().build()).retry(Retry.NONE).build();
        jwtFile = Files.writeString(dir.resolve("jwt"), "jwt-1");
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private Session.Builder session() {
        return Session.builder(vault, JwtLogin.builder().role("payments").jwtFile(jwtFile).build()).clock(clock);
    }

    private int logins() {
        return stub.requests("auth/jwt/login").size();
    }

    private List<StubVault.Request> renewals() {
        return stub.requests("auth/token/renew-self");
    }

    @Test
    void logsInOnTheFirstTokenCallOnly() {
        Session session = session().build();
        assertEquals(0, stub.requests().size(), "no login before a token is needed");
        assertTrue(session.current().isEmpty());

        assertEquals("t1", session.token());
        assertEquals("t1", session.token());
        clock.advance(BEFORE_DUE);
        assertEquals("t1", session.token());

        assertEquals(1, logins());
        assertEquals(0, renewals().size());
        assertEquals("accessor-of-t1", session.current().orElseThrow().accessor());
    }

    @Test
    void renewsOnceTwoThirdsOfTheTtlHavePassed() {
        stub.on("POST", "auth/token/renew-self", request -> Answer.auth(request.token(), TTL, true));
        Session session = session().build();
        session.token();

        clock.advance(BEFORE_DUE);
        session.token();
        assertEquals(0, renewals().size(), "not before 60 % of the TTL");

        clock.advance(DUE.minus(BEFORE_DUE));
        assertEquals("t1", session.token());
        assertEquals(1, renewals().size());
        assertEquals("t1", renewals().get(0).token(), "renew-self with the token itself");

        // the renewed TTL counts from the renewal
        clock.advance(BEFORE_DUE);
        session.token();
        assertEquals(1, renewals().size());
        clock.advance(DUE.minus(BEFORE_DUE));
        assertEquals("t1", session.token());
        assertEquals(2, renewals().size());
        assertEquals(1, logins());
    }

    @Test
    void logsInAgainWhenRenewalFails() {
        assertLogsInAgainOnceDueWhenRenewalAnswers(Answer.errors(403, "permission denied"));
    }

    @Test
    void logsInAgainWhenRenewalNoLongerRestoresTheTtl() {
        // the max TTL is 100 s away: Vault caps the renewal
        assertLogsInAgainOnceDueWhenRenewalAnswers(Answer.auth("t1", 100, true));
    }

    /** One renewal is tried when due; with {@code renewal} as its answer, the session logs in again. */
    private void assertLogsInAgainOnceDueWhenRenewalAnswers(Answer renewal) {
        stub.answer("POST", "auth/token/renew-self", renewal);
        Session session = session().build();
        session.token();

        clock.advance(DUE);

        assertEquals("t2", session.token());
        assertEquals(1, renewals().size());
        assertEquals(2, logins());
    }

    @Test
    void replacesANonRenewableTokenBeforeItExpires() {
        renewable = false;
        Session session = session().build();
        session.token();

        clock.advance(BEFORE_DUE);
        assertEquals("t1", session.token());
        clock.advance(DUE.minus(BEFORE_DUE));

        assertEquals("t2", session.token());
        assertEquals(0, renewals().size(), "no renewal attempt for a token that says it cannot be renewed");
    }

    @Test
    void aRejectedTokenIsReplacedWithALoginThatReadsTheJwtFileAgain() throws IOException {
        Session session = session().build();
        assertEquals("t1", session.token());

        Files.writeString(jwtFile, "jwt-2\n"); // the kubelet rotated the projected token
        session.rejected("t1");

        assertEquals("t2", session.token());
        List<StubVault.Request> logins = stub.requests("auth/jwt/login");
        assertEquals("jwt-1", logins.get(0).body().get("jwt"));
        assertEquals("jwt-2", logins.get(1).body().get("jwt"));
    }

    @Test
    void rejectingATokenThatIsNoLongerCurrentChangesNothing() {
        Session session = session().build();
        session.token();
        session.rejected("t1");
        session.token();

        session.rejected("t1"); // a late report about the replaced token

        assertEquals("t2", session.token());
        assertEquals(2, logins());
    }

    @Test
    void concurrentCallersShareOneLogin() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Login slow = client -> {
            calls.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new LoginToken("shared", "", Duration.ofMinutes(5), true, List.of());
        };
        Session session = Session.builder(vault, slow).clock(clock).build();
        List<String> tokens = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofPlatform().start(() -> tokens.add(session.token())));
        }

        // once one thread is inside the login and the others wait for it, let the login finish
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (calls.get() == 0 || threads.stream().filter(t -> t.getState() == Thread.State.WAITING).count() < 8) {
            assertTrue(System.nanoTime() < deadline, "threads did not line up: " + calls.get() + " logins");
            Thread.onSpinWait();
        }
        release.countDown();
        for (Thread thread : threads) {
            thread.join(10_000);
        }

        assertEquals(1, calls.get());
        assertEquals(List.of("shared", "shared", "shared", "shared", "shared", "shared", "shared", "shared"), tokens);
    }

    /** A session that logged in (t1); from then on Vault refuses its renewal and is sealed for logins. */
    private Session holdingT1WhileRenewalAndLoginFail() {
        stub.answer("POST", "auth/token/renew-self", Answer.errors(403, "permission denied"));
        Session session = session().build();
        session.token();
        stub.answer("POST", "auth/jwt/login", Answer.errors(503, "Vault is sealed"));
        return session;
    }

    @Test
    void keepsAUsableTokenWhileRenewalAndLoginFailAndThrowsOnceItExpired() {
        Session session = holdingT1WhileRenewalAndLoginFail();

        clock.advance(DUE);
        assertEquals("t1", session.token(), "t1 has 100 s left");
        assertEquals(2, logins());

        // the next attempt waits a tenth of the time left (10 s)
        assertEquals("t1", session.token());
        assertEquals(2, logins());
        clock.advance(Duration.ofSeconds(10));
        assertEquals("t1", session.token());
        assertEquals(3, logins());

        clock.advance(Duration.ofSeconds(90)); // t1 expired
        VaultException e = assertThrows(VaultException.class, session::token);
        assertEquals(503, e.status());
        assertEquals(List.of("Vault is sealed"), e.errors());

        stub.on("POST", "auth/jwt/login", request -> Answer.auth("t9", TTL, true));
        assertEquals("t9", session.token());
    }

    @Test
    void anExpiredTokenIsNeverHandedOutEvenWhileWaitingToRetry() {
        Session session = holdingT1WhileRenewalAndLoginFail();

        clock.advance(Duration.ofMillis(TTL * 1000 - 500));
        assertEquals("t1", session.token(), "half a second left");
        clock.advance(Duration.ofMillis(500));

        assertThrows(VaultException.class, session::token);
    }

    @Test
    void aTokenWithoutTtlIsUsedAsItIs() {
        stub.on("GET", "auth/token/lookup-self", request -> Answer.ok(Map.of("data", Map.of("ttl", 0L))));
        Session session = Session.builder(vault, TokenLogin.of(stub.config().token("root").build())).clock(clock).build();

        assertEquals("root", session.token());
        clock.advance(Duration.ofDays(1000));
        assertEquals("root", session.token());

        assertEquals(1, stub.requests().size());
    }

    @Test
    void aGivenTokenIsRenewedLikeALoggedInOne() {
        stub.on("GET", "auth/token/lookup-self", request -> Answer.ok(Map.of("data", Map.of("ttl", TTL, "renewable", true))));
        stub.on("POST", "auth/token/renew-self", request -> Answer.auth(request.token(), 3600, true));
        Session session = Session.builder(vault, TokenLogin.of(stub.config().token("hvs.given").build())).clock(clock).build();
        session.token();

        clock.advance(DUE);

        assertEquals("hvs.given", session.token());
        assertEquals(1, renewals().size());
        assertEquals(Duration.ofHours(1), session.current().orElseThrow().ttl());
    }

    @Test
    void closeRevokesTheTokenWhenAskedAndEndsTheSession() {
        stub.answer("POST", "auth/token/revoke-self", Answer.noContent());
        Session session = session().revokeOnClose(true).build();
        session.token();

        session.close();
        session.close();

        List<StubVault.Request> revocations = stub.requests("auth/token/revoke-self");
        assertEquals(1, revocations.size());
        assertEquals("t1", revocations.get(0).token());
        IllegalStateException e = assertThrows(IllegalStateException.class, session::token);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertTrue(session.current().isEmpty());
    }

    @Test
    void closeLeavesTheTokenAliveByDefault() {
        Session session = session().build();
        session.token();

        session.close();

        assertEquals(List.of(), stub.requests("auth/token/revoke-self"));
    }

    @Test
    void toStringShowsTheLoginNotTheToken() {
        Session session = session().build();
        session.token();

        assertEquals("Session[JwtLogin[auth/jwt, role payments, file " + jwtFile + "]]", session.toString());
    }

    @Test
    void theBackgroundTaskRenewsAtTheDueMomentAndStopsOnClose() {
        stub.on("POST", "auth/token/renew-self", request -> Answer.auth(request.token(), TTL, true));
        CapturingExecutor executor = new CapturingExecutor();
        try {
            Session session = session().background(executor).build();
            assertEquals(0, executor.delays.size(), "nothing to renew before the first login");
            session.token();

            long delay = executor.delays.get(0);
            assertTrue(delay >= 180_000 && delay <= 200_000, "due between 60 % and 2/3 of 300 s: " + delay);
            clock.advance(Duration.ofMillis(delay));
            executor.runLatest();

            assertEquals(1, renewals().size());
            assertEquals(2, executor.delays.size(), "the next renewal is scheduled");
            assertTrue(executor.futures.get(0).isCancelled() || executor.futures.get(0).isDone());

            session.close();
            assertTrue(executor.futures.get(1).isCancelled());
            executor.runLatest(); // a task that was already running when the session closed
            assertEquals(1, renewals().size());
            assertFalse(executor.isShutdown(), "the executor is the caller's");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void theBackgroundTaskTriesAgainSoonAfterAFailure() {
        stub.answer("POST", "auth/token/renew-self", Answer.errors(500, "internal"));
        CapturingExecutor executor = new CapturingExecutor();
        try {
            Session session = session().background(executor).build();
            session.token();
            stub.answer("POST", "auth/jwt/login", Answer.errors(503, "sealed"));
            clock.advance(Duration.ofMillis(executor.delays.get(0)));

            executor.runLatest();

            assertEquals(2, logins());
            long left = TimeUnit.SECONDS.toMillis(TTL) - executor.delays.get(0);
            assertEquals(left / 10, executor.delays.get(1), 1, "a tenth of the time left");
            assertEquals("t1", session.token());
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void refreshMomentsAreSpreadOut() {
        CapturingExecutor executor = new CapturingExecutor();
        try {
            for (int i = 0; i < 20; i++) {
                session().background(executor).build().token();
            }
            Set<Long> distinct = new HashSet<>(executor.delays);
            assertTrue(distinct.size() > 10, "jitter: " + executor.delays);
            assertTrue(executor.delays.stream().allMatch(d -> d >= 180_000 && d <= 200_000), executor.delays.toString());
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aMissingCredentialFailsTheTokenCallWithItsReason() throws IOException {
        Files.delete(jwtFile);
        Session session = session().build();

        dev.herald.client.HeraldException e = assertThrows(dev.herald.client.HeraldException.class, session::token);

        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void theBuilderRefusesMissingParts() {
        assertThrows(NullPointerException.class, () -> Session.builder(null, CertLogin.builder().build()));
        assertThrows(NullPointerException.class,
                () -> Session.builder(VaultClient.builder(VaultConfig.builder().build()).build(), null));
    }

    /** Records what a session schedules, and runs it when the test says so. */
    static final class CapturingExecutor extends ScheduledThreadPoolExecutor {
        final List<Long> delays = new CopyOnWriteArrayList<>();
        final List<Runnable> tasks = new CopyOnWriteArrayList<>();
        final List<ScheduledFuture<?>> futures = new CopyOnWriteArrayList<>();

        CapturingExecutor() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(unit.toMillis(delay));
            tasks.add(command);
            ScheduledFuture<?> future = super.schedule(() -> { }, 1, TimeUnit.DAYS); // never runs by itself
            futures.add(future);
            return future;
        }

        void runLatest() {
            tasks.get(tasks.size() - 1).run();
        }
    }
}
