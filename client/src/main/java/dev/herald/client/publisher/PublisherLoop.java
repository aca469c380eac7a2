package dev.herald.client.publisher;

import dev.herald.client.HeraldException;
import dev.herald.client.VaultException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Keeps an instance published for as long as the workload runs ({@code herald publish --follow}):
 *
 * <ul>
 * <li>renews the lease at about 2/3 of its duration (less up to 10% jitter, so that instances
 * started together do not renew together);</li>
 * <li>when a renewal is refused because the lease or the token is gone (a 4xx; the token source
 * has been told of a 403 and logs in again), publishes the same key and claims again, which
 * revives the instance;</li>
 * <li>rotates to a fresh key of the same kind every {@code rotateEvery} if set, and when the lease
 * can no longer grow (it reached max_ttl), before it ends;</li>
 * <li>after each of these, gives the {@link WorkloadIdentity} (if any) the key with a new
 * certificate covering the publication;</li>
 * <li>retries failures with exponential backoff (1 s to 1 min), while the lease lasts.</li>
 * </ul>
 *
 * <p><b>Acknowledged rotation</b> (DESIGN §5.8, {@link Switching#WHEN_ACKNOWLEDGED}, the default):
 * after a rotation the workload keeps presenting the old key until the engine's
 * {@code serve_new_from}, read again from {@code rotation/} every {@code poll_seconds} while the
 * rotation awaits consumers, so that it presents the new key only once the consumers that count have
 * installed a record listing it (or the rotation's bound passed); it does not rotate again until the
 * old key has left the records ({@code old_listed_until}). A token that may not read
 * {@code rotation/} switches at the publish answer's {@code serve_new_from} (one warning).
 *
 * {@link #close()} stops the loop and ends the publication ({@link Publisher#revoke()}). Time is
 * read from the publisher's {@link Publisher#clock() clock}; every step runs on the scheduler.
 */
public final class PublisherLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PublisherLoop.class.getName());
    /** Renewals come this far into the lease, less the jitter. */
    static final double RENEW_AT = 2.0 / 3.0;
    /** Up to this fraction of the renewal delay is taken off at random. */
    static final double JITTER = 0.1;
    static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /** A rotation that Vault refused (the rotation window is not open yet, say) is tried again at most this late. */
    static final Duration MAX_ROTATION_BACKOFF = Duration.ofMinutes(10);

    private final Publisher publisher;
    private final WorkloadIdentity identity;
    private final Duration rotateEvery;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final RandomGenerator random;
    private final Clock clock;
    private final Switching switching;

    // guarded by this
    /** While the workload still presents the old key of a rotation: that key; else null. */
    private PublisherKey presented;
    /** The last rotation until its old key left the records; else null. */
    private Rotation rotation;
    /** When to read rotation/ again. */
    private Instant pollAt = Instant.MIN;
    /** False once Vault refused a read of rotation/ (403). */
    private boolean rotationReadable = true;
    private PublisherKey key;
    private boolean closed;
    private ScheduledFuture<?> next;
    /** When to renew the current lease, and when it ends. */
    private Instant renewAt;
    private Instant leaseEnd;
    /** The lease reached its maximum: only a rotation can extend the instance's life without a gap. */
    private boolean atMaximum;
    /** When the current generation was published. */
    private Instant generationStart;
    private Instant rotationRetryAt = Instant.MIN;
    private int rotationFailures;
    /** The lease or the token is gone: publish again. */
    private boolean needsPublish;
    private int failures;

    private PublisherLoop(Builder builder) {
        this.publisher = builder.publisher;
        this.key = builder.key;
        this.identity = builder.identity;
        this.rotateEvery = builder.rotateEvery;
        this.ownScheduler = builder.scheduler == null;
        this.scheduler = ownScheduler ? Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "herald-publisher");
            thread.setDaemon(true);
            return thread;
        }) : builder.scheduler;
        this.random = builder.random;
        this.clock = publisher.clock();
        this.switching = builder.switching;
    }

    /** When the workload presents a rotation's new key. */
    public enum Switching {
        /** At the engine's serve_new_from: once the consumers that count have the new key (the default). */
        WHEN_ACKNOWLEDGED,
        /** As soon as the engine accepted the new key (before acknowledged rotation). */
        IMMEDIATELY
    }

    /** A loop that publishes {@code key} with {@code publisher} and keeps it published. */
    public static Builder builder(Publisher publisher, PublisherKey key) {
        return new Builder(publisher, key);
    }

    /** The current publication. */
    public synchronized Publication publication() {
        return publisher.publication().orElseThrow();
    }

    /** The current key (after a rotation, the new one). */
    public synchronized PublisherKey key() {
        return key;
    }

    /**
     * Stops the loop, waits for a step under way, and ends the publication (revokes its lease or token).
     *
     * @throws dev.herald.client.VaultException if Vault refuses or cannot answer the revocation
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (next != null) {
                next.cancel(false);
            }
        }
        if (ownScheduler) {
            scheduler.shutdown();
            try {
                scheduler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            publisher.revoke();
        }
    }

    private synchronized void start() {
        Instant now = clock.instant();
        publisher.publish(key);
        published(now);
        schedule(nextStep(), now);
    }

    /** One step: publish again, rotate or renew, whichever is due; then the next one is scheduled. */
    private synchronized void step() {
        if (closed) {
            return;
        }
        Instant now = clock.instant();
        try {
            if (rotation != null) {
                followRotation(now);
            }
            Publication current = publisher.publication().orElseThrow();
            if (needsPublish || (!current.leased() && !now.isBefore(current.notAfter()))) {
                republish(now);
            } else if (rotationDue(now)) {
                try {
                    rotate(now);
                } catch (RuntimeException e) {
                    rotationFailures++;
                    rotationRetryAt = now.plus(backoff(rotationFailures, MAX_ROTATION_BACKOFF));
                    LOG.log(System.Logger.Level.WARNING, "rotation of {0}/{1} failed; next attempt at {2}: {3}",
                            publisher.service(), publisher.instance(), rotationRetryAt, e.getMessage());
                    if (current.leased() && !now.isBefore(renewAt)) {
                        renew(now); // the lease must not lapse while the rotation waits
                    }
                }
            } else if (current.leased() && !now.isBefore(renewAt)) {
                renew(now);
            }
            failures = 0;
            schedule(nextStep(), now);
        } catch (RuntimeException e) {
            failures++;
            Duration delay = backoff(failures, MAX_BACKOFF);
            LOG.log(System.Logger.Level.WARNING, "{0}/{1}: {2}; trying again in {3}s", publisher.service(),
                    publisher.instance(), e.getMessage(), delay.toSeconds());
            schedule(now.plus(delay), now);
        }
    }

    private void renew(Instant now) {
        try {
            Publication renewed = publisher.renew();
            granted(now, renewed);
            atMaximum = renewed.leaseDuration().compareTo(publisher.renewalIncrement()) < 0;
            if (atMaximum) {
                LOG.log(System.Logger.Level.INFO, "the lease of {0}/{1} reached its maximum; rotating before it ends at {2}",
                        publisher.service(), publisher.instance(), leaseEnd);
            }
            updateIdentity();
        } catch (VaultException e) {
            if (!gone(e) && now.isBefore(leaseEnd)) {
                throw e; // Vault unreachable or failing: try again while the lease lasts
            }
            LOG.log(System.Logger.Level.WARNING, "the lease of {0}/{1} is gone ({2}); publishing again",
                    publisher.service(), publisher.instance(), e.getMessage());
            needsPublish = true;
            republish(now);
        }
    }

    private void republish(Instant now) {
        Publication publication = publisher.publish(key);
        if (publication.unchanged() && !publication.leased() && !publication.notAfter().isAfter(now)) {
            // Vault ends an expired lease a little after its time: until then the instance is live and
            // unchanged, and publishing again at once would only spin
            throw new HeraldException(publisher.service() + "/" + publisher.instance() + " generation "
                    + publication.generation() + " is still live at its end (" + publication.notAfter() + ")");
        }
        needsPublish = false;
        if (presented != null) {
            // the instance is published again (its lease ended while a rotation's old key was
            // presented): the key now published is the one to present, and nothing is waited for
            presented = null;
            rotation = null;
        }
        if (!publication.unchanged()) {
            published(now);
        } else {
            granted(now, publication);
            updateIdentity();
        }
    }

    private void rotate(Instant now) {
        PublisherKey old = key;
        publisher.rotate(key.successor());
        key = publisher.key().orElseThrow();
        rotationFailures = 0;
        rotationRetryAt = Instant.MIN;
        rotation = publisher.lastRotation().orElse(null);
        if (rotation != null && switching == Switching.WHEN_ACKNOWLEDGED && identity != null
                && now.isBefore(rotation.serveNewFrom())) {
            presented = old;
            pollAt = now.plus(rotation.poll());
            LOG.log(System.Logger.Level.INFO, "rotation of {0}/{1} to generation {2} {3}; presenting the old key until {4}"
                    + " at the latest", publisher.service(), publisher.instance(), rotation.toGeneration(),
                    rotation.pending() ? "awaits its consumers (seq " + rotation.awaitingSequence() + ")" : "made",
                    rotation.serveNewFrom());
        }
        published(now);
    }

    /** Reads how the rotation stands when due, presents the new key from serve_new_from, forgets the rotation when the old key left. */
    private void followRotation(Instant now) {
        if (rotation.pending() && rotationReadable && !now.isBefore(pollAt)) {
            try {
                Optional<Rotation> read = publisher.rotation();
                if (read.isEmpty()) {
                    // rotation/ no longer lists it: the old key left the records (revoked, its lease
                    // ended) or the new generation was replaced. Nothing is left to wait for.
                    LOG.log(System.Logger.Level.INFO, "the rotation of {0}/{1} to generation {2} is no longer listed:"
                            + " its old key left", publisher.service(), publisher.instance(), rotation.toGeneration());
                    if (presented != null) {
                        presented = null;
                        updateIdentity();
                    }
                    rotation = null;
                    return;
                }
                rotation = read.get();
            } catch (VaultException e) {
                if (e.status() == 403) {
                    rotationReadable = false;
                    LOG.log(System.Logger.Level.WARNING, "the token may not read the rotation of {0}/{1} ({2}); presenting"
                            + " the new key at {3}, the latest the engine named", publisher.service(), publisher.instance(),
                            e.getMessage(), rotation.serveNewFrom());
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "reading the rotation of {0}/{1} failed: {2}", publisher.service(),
                            publisher.instance(), e.getMessage());
                }
            } catch (RuntimeException e) {
                // an answer this client cannot read (a newer engine's state): keep what it knew; renewals go on
                LOG.log(System.Logger.Level.WARNING, "the rotation of {0}/{1} could not be read: {2}", publisher.service(),
                        publisher.instance(), e.getMessage());
            }
            pollAt = now.plus(rotation.poll());
        }
        if (presented != null && !now.isBefore(rotation.serveNewFrom())) {
            presented = null; // the old key is no longer used; nothing keeps it
            updateIdentity();
            LOG.log(System.Logger.Level.INFO, "serving the new key of {0}/{1} (generation {2}; rotation {3})",
                    publisher.service(), publisher.instance(), rotation.toGeneration(),
                    rotation.state().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (presented == null && !now.isBefore(rotation.oldListedUntil())) {
            rotation = null;
        }
    }

    /** A new generation is live (first publication, revival or rotation). */
    private void published(Instant now) {
        generationStart = now;
        atMaximum = false;
        granted(now, publisher.publication().orElseThrow());
        updateIdentity();
    }

    private void granted(Instant now, Publication publication) {
        Duration lease = publication.leaseDuration();
        leaseEnd = publication.leased() ? now.plus(lease) : publication.notAfter();
        long delay = (long) (lease.toMillis() * RENEW_AT * (1 - JITTER * random.nextDouble()));
        renewAt = now.plusMillis(delay);
    }

    private boolean rotationDue(Instant now) {
        if (rotation != null) {
            return false; // never while the last rotation's old key is listed
        }
        Instant at = rotationAt();
        return at != null && !now.isBefore(at);
    }

    /** When the next rotation is due, or null if none is. */
    private Instant rotationAt() {
        Instant at = null;
        if (rotateEvery != null) {
            at = generationStart.plus(rotateEvery);
        }
        if (atMaximum && (at == null || renewAt.isBefore(at))) {
            at = renewAt;
        }
        return at == null ? null : (at.isBefore(rotationRetryAt) ? rotationRetryAt : at);
    }

    private Instant nextStep() {
        Publication current = publisher.publication().orElseThrow();
        Instant at = current.leased() ? renewAt : current.notAfter();
        Instant rotating = rotation == null ? rotationAt() : null;
        if (rotating != null && rotating.isBefore(at)) {
            at = rotating;
        }
        if (rotation != null) {
            at = earliest(at, rotation.oldListedUntil());
            if (presented != null) {
                at = earliest(at, rotation.serveNewFrom());
            }
            if (rotation.pending() && rotationReadable) {
                at = earliest(at, pollAt);
            }
        }
        return at;
    }

    private static Instant earliest(Instant a, Instant b) {
        return b.isBefore(a) ? b : a;
    }

    private void schedule(Instant at, Instant now) {
        if (closed) {
            return;
        }
        long delay = Math.max(0, Duration.between(now, at).toMillis());
        next = scheduler.schedule(this::step, delay, TimeUnit.MILLISECONDS);
    }

    private void updateIdentity() {
        if (identity == null || presented != null) {
            return; // while a rotation's old key is presented, its identity stays as it is
        }
        identity.update(key, publisher);
    }

    /** A refusal that says the lease or the token no longer exists (not a failure to answer). */
    private static boolean gone(VaultException e) {
        return e.status() >= 400 && e.status() < 500 && e.status() != 429;
    }

    /** 1 s, 2 s, 4 s, … up to {@code max}, each less up to half at random. */
    private Duration backoff(int attempt, Duration max) {
        long cap = Math.min(max.toMillis(), MIN_BACKOFF.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(cap / 2 + random.nextLong(cap / 2 + 1));
    }

    @Override
    public String toString() {
        return "PublisherLoop[" + publisher + "]";
    }

    /** Configures and starts a {@link PublisherLoop}. */
    public static final class Builder {
        private final Publisher publisher;
        private final PublisherKey key;
        private WorkloadIdentity identity;
        private Duration rotateEvery;
        private ScheduledExecutorService scheduler;
        private RandomGenerator random = new SecureRandom();
        private Switching switching = Switching.WHEN_ACKNOWLEDGED;

        private Builder(Publisher publisher, PublisherKey key) {
            this.publisher = Objects.requireNonNull(publisher, "publisher");
            this.key = Objects.requireNonNull(key, "key");
        }

        /** Where the workload gets its key and certificate, updated after every change. */
        public Builder identity(WorkloadIdentity identity) {
            this.identity = identity;
            return this;
        }

        /** Rotate to a fresh key this long after each publication (default: only when the lease is at its maximum). */
        public Builder rotateEvery(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("rotateEvery must be positive");
            }
            this.rotateEvery = interval;
            return this;
        }

        /** When the workload presents a rotation's new key; default {@link Switching#WHEN_ACKNOWLEDGED}. */
        public Builder switching(Switching switching) {
            this.switching = Objects.requireNonNull(switching, "switching");
            return this;
        }

        /** The scheduler to run on (default: a daemon thread of the loop's own, stopped by close). */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** The source of the jitter (tests give a fixed one). */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Publishes the key now (a failure is thrown here: a wrong role, a 409 for a key the instance
         * does not know) and schedules what follows.
         */
        public PublisherLoop start() {
            PublisherLoop loop = new PublisherLoop(this);
            try {
                loop.start();
            } catch (RuntimeException e) {
                if (loop.ownScheduler) {
                    loop.scheduler.shutdownNow();
                }
                throw e;
            }
            return loop;
        }
    }
}
