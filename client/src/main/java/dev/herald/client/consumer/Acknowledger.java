package dev.herald.client.consumer;

import dev.herald.client.TokenSource;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultException;
import dev.herald.client.VaultRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Tells the engine which records of one service a consumer has installed (DESIGN §5.8): writes
 * {@code MOUNT/ack/SERVICE} with the record's {@code seq}, its {@link AckTicket#token()} and the
 * consumer's session, so that a rotation of the service can end as soon as every consumer has the
 * new key.
 *
 * <p>When: the first record installed at once (so the consumer counts from its start); later ones
 * when their answer says a rotation awaits consumers ({@link AckTicket#requested()}) and the seq is
 * higher than the last acknowledged; otherwise the installed record again once
 * {@link AckTicket#heartbeat()} has passed since the last acknowledgement (a heartbeat keeps the
 * consumer counted). A record is only ever acknowledged after it was installed, never ahead.
 *
 * <p>Acknowledging never blocks or fails a refresh: it is sent from a thread of its own, the latest
 * wanted ticket replacing an older one not yet sent. A failure to reach Vault is retried (1 s
 * doubling to 1 min); a refusal is logged and dropped (a 403 "permission denied" twice in a row, with
 * a fresh login between, turns acknowledging off for good: a consumer whose policy has no
 * {@code update} on {@code ack/} keeps working, uncounted, as with an engine without acknowledged
 * rotation).
 */
final class Acknowledger {
    private static final System.Logger LOG = System.getLogger(Acknowledger.class.getName());
    /** What a session id looks like: 128 bits in lowercase hex. */
    static final Pattern SESSION = Pattern.compile("[0-9a-f]{32}");
    static final Duration MIN_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofMinutes(1);
    /** How long a leave waits for an acknowledgement on its way. */
    static final Duration LEAVE_WAIT = Duration.ofSeconds(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final VaultClient vault;
    private final TokenSource tokens;
    private final String path;
    private final String service;
    private final String session;
    private final Clock clock;

    // guarded by this
    /** The ticket to send next, or null. */
    private AckTicket wanted;
    /** The highest seq the engine stored for this session (0: none yet), and when. */
    private long acked;
    private Instant ackedAt = Instant.MIN;
    private Thread sender;
    private boolean disabled;
    private boolean closed;
    private int deniedInARow;
    /** Whether an acknowledgement was ever sent (it may have been stored even if its answer was lost). */
    private boolean attempted;

    Acknowledger(VaultClient vault, TokenSource tokens, String mount, String service, String session, Clock clock) {
        this.vault = Objects.requireNonNull(vault, "vault");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.service = Objects.requireNonNull(service, "service");
        this.path = mount + "/ack/" + service;
        if (!SESSION.matcher(session).matches()) {
            throw new IllegalArgumentException("a session is 32 lowercase hex digits");
        }
        this.session = session;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A fresh session id: 128 random bits in lowercase hex. */
    static String newSession() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return HexFormat.of().formatHex(bits);
    }

    String session() {
        return session;
    }

    /** The record with {@code ticket} is installed: acknowledges it if that is due (see the class comment). */
    synchronized void installed(AckTicket ticket) {
        if (disabled || closed || !due(ticket, clock.instant())) {
            return;
        }
        if (wanted == null || ticket.seq() >= wanted.seq()) {
            wanted = ticket;
        }
        if (sender == null) {
            sender = Thread.ofVirtual().name("herald-ack-" + service).start(this::send);
        }
    }

    private boolean due(AckTicket ticket, Instant now) {
        if (acked == 0) {
            return true;
        }
        if (ticket.seq() > acked && ticket.requested()) {
            return true;
        }
        return ticket.seq() >= acked && !now.isBefore(ackedAt.plus(ticket.heartbeat()));
    }

    /** The sender's loop: sends the wanted ticket until none is left. */
    private void send() {
        try {
            sendAll();
        } finally {
            synchronized (this) {
                sender = null; // whatever ended the loop, the next installed record starts a new sender
                notifyAll();
            }
        }
    }

    private void sendAll() {
        int failures = 0;
        while (true) {
            AckTicket ticket;
            synchronized (this) {
                ticket = wanted;
                wanted = null;
                if (ticket == null || closed || disabled) {
                    return;
                }
                attempted = true;
            }
            if (sendOne(ticket)) {
                failures = 0;
                continue;
            }
            failures++;
            synchronized (this) {
                if (wanted == null) {
                    wanted = ticket; // a later ticket, if one came meanwhile, replaces it
                }
            }
            if (!pause(retryDelay(failures))) {
                return;
            }
        }
    }

    /** Sends one acknowledgement; false if it should be tried again (Vault unreachable or failing). */
    private boolean sendOne(AckTicket ticket) {
        String token = null;
        try {
            token = tokens.token(); // a login may fail too (Vault unreachable): tried again like the ack
            vault.send(VaultRequest.post(path, Map.of("seq", ticket.seq(), "ack_token", ticket.token(), "session", session), token));
            synchronized (this) {
                deniedInARow = 0;
                if (ticket.seq() >= acked) {
                    acked = ticket.seq();
                    ackedAt = clock.instant();
                }
            }
            return true;
        } catch (VaultException e) {
            return refused(ticket, token, e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "acknowledging {0} seq {1} failed: {2}", service, ticket.seq(), e.getMessage());
            return false;
        }
    }

    /** What a failed acknowledgement means; false if it should be tried again. */
    private boolean refused(AckTicket ticket, String token, VaultException e) {
        if (e.status() == 0 || e.status() >= 500 || e.status() == 429) {
            LOG.log(System.Logger.Level.DEBUG, "acknowledging {0} seq {1} failed: {2}", service, ticket.seq(), e.getMessage());
            return false;
        }
        if (e.status() == 403 && e.errors().stream().anyMatch(error -> error.contains("permission denied"))) {
            if (token != null) {
                tokens.rejected(token);
            }
            synchronized (this) {
                if (++deniedInARow >= 2) {
                    disabled = true;
                    LOG.log(System.Logger.Level.WARNING, "not acknowledging {0}: the token may not write {1} ({2});"
                            + " this consumer is not counted when the service rotates", service, path, e.getMessage());
                    return true;
                }
            }
            return false; // once more, with a fresh login
        }
        synchronized (this) {
            if (e.status() == 409 && ticket.seq() > acked) {
                // the engine holds a higher seq for this session (or a bound is reached): sending this one
                // again cannot help; the next heartbeat tries again
                acked = ticket.seq();
                ackedAt = clock.instant();
            }
        }
        LOG.log(System.Logger.Level.WARNING, "acknowledging {0} seq {1} was refused: {2}", service, ticket.seq(), e.getMessage());
        return true;
    }

    private static Duration retryDelay(int failures) {
        long cap = Math.min(MAX_RETRY.toMillis(), MIN_RETRY.toMillis() << Math.min(failures - 1, 10));
        return Duration.ofMillis(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
    }

    /** Sleeps; false if closed meanwhile. */
    private synchronized boolean pause(Duration delay) {
        long end = System.nanoTime() + delay.toNanos();
        try {
            for (long left = delay.toMillis(); left > 0 && !closed; left = (end - System.nanoTime()) / 1_000_000) {
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !closed;
    }

    /** The highest seq the engine has stored for this session (0: none yet). */
    synchronized long acknowledged() {
        return acked;
    }

    /** Waits up to {@code timeout} for the acknowledgements wanted so far to be sent (or given up); true if they were. */
    synchronized boolean awaitSent(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (sender != null) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /**
     * Stops acknowledging and leaves ({@code DELETE MOUNT/ack/SERVICE?session=}), so that the
     * consumer stops counting at once rather than after {@code consumer_ttl}. Best effort: a failure
     * is logged, and the session then stops counting in time.
     */
    void leave() {
        boolean registered;
        synchronized (this) {
            if (closed) {
                return;
            }
            // an acknowledgement on its way is let through first, so that the leave comes after it
            long end = System.nanoTime() + LEAVE_WAIT.toNanos();
            while (sender != null && System.nanoTime() < end) {
                try {
                    wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            closed = true;
            notifyAll();
            registered = attempted && !disabled;
        }
        if (!registered) {
            return;
        }
        try {
            vault.send(new VaultRequest("DELETE", path + "?session=" + URLEncoder.encode(session, StandardCharsets.UTF_8),
                    null, tokens.token(), Map.of()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not leave {0} (the session stops counting in time): {1}",
                    service, e.getMessage());
        }
    }
}
