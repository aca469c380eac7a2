package dev.herald.client.auth;

import dev.herald.client.HeraldException;
import dev.herald.client.TokenSource;
import dev.herald.client.VaultClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A logged-in identity that keeps its token valid: the {@link TokenSource} of a workload that runs
 * for longer than one token lives.
 *
 * <ul>
 *   <li>It logs in on the first {@link #token()}, not before.
 *   <li>Once about two thirds of the token's TTL have passed (a little earlier, at random, so that
 *       workloads started together do not renew together), it renews the token
 *       ({@code auth/token/renew-self}); it logs in again instead when the token is not renewable,
 *       when renewing fails (the token was revoked, say), or when a renewal gives back clearly less
 *       than the token's first TTL (its max TTL is near, so renewing no longer helps).
 *   <li>This is checked at each {@link #token()}, and, when an executor is given, by a background
 *       task at the due moment, so that an idle workload's token does not lapse.
 *   <li>After {@link #rejected(String)} the next {@link #token()} logs in again.
 *   <li>When renewing and logging in both fail while the token still has time left, that token is
 *       kept and the attempt repeated a little later; once it has expired, {@link #token()} throws
 *       the login's failure.
 *   <li>A token without a TTL (a root token) is used as it is.
 * </ul>
 *
 * <p>Thread-safe: one login or renewal at a time; callers that need a token meanwhile wait for it
 * instead of logging in as well. {@link #close()} stops the background task and, if so built,
 * revokes the token.
 */
public final class Session implements TokenSource, AutoCloseable {
    /** The share of a token's TTL after which it is renewed or replaced. */
    static final double REFRESH_AT = 2.0 / 3;
    /** Up to this share of the TTL earlier than {@link #REFRESH_AT}, at random. */
    static final double JITTER = 1.0 / 15;
    /** A renewal giving less than this share of the login's TTL means the max TTL is near: log in instead. */
    static final double RENEWAL_ENOUGH = 0.9;
    /** The least wait before trying again after a failed renewal and login. */
    static final Duration MIN_RETRY = Duration.ofSeconds(1);

    private final VaultClient vault;
    private final Login login;
    private final Clock clock;
    private final ScheduledExecutorService background;
    private final boolean revokeOnClose;

    private final ReentrantLock lock = new ReentrantLock();
    /** Used under {@link #lock} only. */
    private final SplittableRandom random = new SplittableRandom();
    /** The current token; null before the first login, after a rejection, or once it expired unreplaced. */
    private volatile Held held;
    private volatile boolean closed;
    /** The background refresh, when there is an executor; guarded by {@link #lock}. */
    private ScheduledFuture<?> scheduled;

    private Session(Builder builder) {
        this.vault = builder.vault;
        this.login = builder.login;
        this.clock = builder.clock;
        this.background = builder.background;
        this.revokeOnClose = builder.revokeOnClose;
    }

    /** A session that logs in to {@code vault} with {@code login}. */
    public static Builder builder(VaultClient vault, Login login) {
        return new Builder(vault, login);
    }

    /**
     * A valid token: the current one, or one renewed or newly logged in if it is due.
     *
     * @throws dev.herald.client.VaultException if a login is needed and the server refuses it or cannot be reached
     * @throws HeraldException if a login is needed and its credential cannot be read
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public String token() {
        ensureOpen();
        Held current = held;
        if (current != null && !current.due(clock.instant())) {
            return current.token.token();
        }
        lock.lock();
        try {
            ensureOpen();
            current = held; // another thread may have refreshed it while this one waited
            if (current == null) {
                current = login();
            } else {
                Instant now = clock.instant();
                if (current.due(now)) {
                    current = refresh(current, now);
                }
            }
            return current.token.token();
        } finally {
            lock.unlock();
        }
    }

    /** Drops {@code token} if it is the current one, so that the next {@link #token()} logs in again. */
    @Override
    public void rejected(String token) {
        lock.lock();
        try {
            Held current = held;
            if (current != null && current.token.token().equals(token)) {
                held = null;
                cancelBackground();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The current token, if logged in; does not log in or renew. */
    public Optional<LoginToken> current() {
        Held current = held;
        return current == null ? Optional.empty() : Optional.of(current.token);
    }

    /**
     * Stops the background task and forgets the token; with {@code revokeOnClose}, revokes it first
     * ({@code auth/token/revoke-self}). Later calls do nothing.
     *
     * @throws dev.herald.client.VaultException if the revocation fails (the session is closed all the same)
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            cancelBackground();
            Held current = held;
            held = null;
            if (revokeOnClose && current != null && current.usable(clock.instant())) {
                vault.post("auth/token/revoke-self", Map.of(), current.token.token());
            }
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the session " + login + " is closed");
        }
    }

    /** Logs in; under the lock. */
    private Held login() {
        Instant start = clock.instant(); // before the request: the TTL counts from no later than this
        LoginToken token = login.login(vault);
        return hold(token, start, token.ttl());
    }

    /** Renews or replaces {@code current}, which is due; under the lock. */
    private Held refresh(Held current, Instant now) {
        try {
            if (current.renew && current.usable(now)) {
                Held renewed = renew(current, now);
                if (renewed != null) {
                    return renewed;
                }
            }
            return login();
        } catch (HeraldException e) {
            Instant failed = clock.instant();
            if (!current.usable(failed)) {
                held = null;
                throw e;
            }
            // the token still works: keep using it, and try again after a tenth of the time it has left
            // (at least a second, so that callers do not hammer a sick server; at most until it expires,
            // so that an expired token is never handed out)
            Duration wait = Duration.between(failed, current.expiresAt).dividedBy(10);
            Instant retryAt = failed.plus(wait.compareTo(MIN_RETRY) < 0 ? MIN_RETRY : wait);
            Held kept = current.refreshAt(retryAt.isBefore(current.expiresAt) ? retryAt : current.expiresAt);
            held = kept;
            reschedule();
            return kept;
        }
    }

    /** Renews {@code current}; null when that failed or no longer helps (then the caller logs in). */
    private Held renew(Held current, Instant start) {
        LoginToken token = current.token;
        Map<String, Object> auth;
        try {
            auth = vault.post("auth/token/renew-self", Map.of(), token.token()).auth();
        } catch (HeraldException e) {
            return null; // revoked, expired early, or the server is away: a login tells which
        }
        Duration ttl = LoginToken.seconds(auth.get("lease_duration"));
        if (ttl.compareTo(share(current.loginTtl, RENEWAL_ENOUGH)) < 0) {
            return null; // capped by the max TTL: the next renewals would give ever less
        }
        String accessor = LoginToken.text(auth.get("accessor"));
        LoginToken renewed = new LoginToken(token.token(), accessor.isEmpty() ? token.accessor() : accessor, ttl,
                Boolean.TRUE.equals(auth.get("renewable")),
                auth.containsKey("policies") ? LoginToken.strings(auth.get("policies")) : token.policies());
        return hold(renewed, start, current.loginTtl);
    }

    /** Makes {@code token}, valid from {@code start}, the current one; under the lock. */
    private Held hold(LoginToken token, Instant start, Duration loginTtl) {
        Held next;
        if (!token.expires()) {
            next = new Held(token, null, null, false, loginTtl);
        } else {
            double at = REFRESH_AT - JITTER * random.nextDouble();
            next = new Held(token, start.plus(token.ttl()), start.plus(share(token.ttl(), at)), token.renewable(), loginTtl);
        }
        held = next;
        reschedule();
        return next;
    }

    private static Duration share(Duration duration, double share) {
        return Duration.ofMillis((long) (duration.toMillis() * share));
    }

    /** Schedules the background refresh for the current token's due moment; under the lock. */
    private void reschedule() {
        cancelBackground();
        Held current = held;
        if (background == null || closed || current == null || current.refreshAt == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), current.refreshAt).toMillis());
        try {
            scheduled = background.schedule(this::refreshInBackground, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shutDown) {
            // the executor's owner shut it down: token() still refreshes when called
        }
    }

    private void cancelBackground() {
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
    }

    private void refreshInBackground() {
        lock.lock();
        try {
            Held current = held;
            if (closed || current == null) {
                return;
            }
            Instant now = clock.instant();
            if (!current.due(now)) {
                reschedule(); // woken early by the executor's clock
                return;
            }
            try {
                refresh(current, now);
            } catch (HeraldException expiredAndNoLogin) {
                // nobody to tell here: the next token() logs in and reports why that fails
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Session[" + login + "]";
    }

    /**
     * A token and when to act on it.
     *
     * @param expiresAt when it stops working (null: never)
     * @param refreshAt when to renew or replace it (null: never)
     * @param renew whether to try renewing before logging in again
     * @param loginTtl the TTL its login gave, against which renewals are measured
     */
    private record Held(LoginToken token, Instant expiresAt, Instant refreshAt, boolean renew, Duration loginTtl) {
        boolean due(Instant now) {
            return refreshAt != null && !now.isBefore(refreshAt);
        }

        boolean usable(Instant now) {
            return expiresAt == null || now.isBefore(expiresAt);
        }

        Held refreshAt(Instant at) {
            return new Held(token, expiresAt, at, renew, loginTtl);
        }

        @Override
        public String toString() {
            return "Held[" + token + ", expires " + expiresAt + ", refresh " + refreshAt + "]";
        }
    }

    /** Builds a {@link Session}. */
    public static final class Builder {
        private final VaultClient vault;
        private final Login login;
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService background;
        private boolean revokeOnClose;

        private Builder(VaultClient vault, Login login) {
            this.vault = Objects.requireNonNull(vault, "vault");
            this.login = Objects.requireNonNull(login, "login");
        }

        /** The clock that TTLs are measured with (default the system's); for tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Renews in the background on {@code executor} as well as in {@link #token()} (default: only
         * in {@code token()}). The executor stays the caller's: {@link #close()} cancels the session's
         * task but does not shut it down.
         */
        public Builder background(ScheduledExecutorService executor) {
            this.background = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Whether {@link #close()} revokes the token (default false). Leave it off for a token the
         * session did not create ({@link TokenLogin}), and for a publisher whose publications are
         * bound to the token's lease: revoking the token ends them.
         */
        public Builder revokeOnClose(boolean revokeOnClose) {
            this.revokeOnClose = revokeOnClose;
            return this;
        }

        /** The session, not logged in yet. */
        public Session build() {
            return new Session(this);
        }
    }
}
