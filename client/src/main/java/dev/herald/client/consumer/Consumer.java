package dev.herald.client.consumer;

import dev.herald.client.HeraldException;
import dev.herald.client.TamperException;
import dev.herald.client.TamperHook;
import dev.herald.client.TokenSource;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultException;
import dev.herald.client.VaultResponse;
import dev.herald.client.VerificationException;
import dev.herald.client.log.LogClient;
import dev.herald.client.log.WitnessPolicy;
import dev.herald.client.log.LogSource;
import dev.herald.client.log.LogWire;
import dev.herald.tlog.NoteVerifier;
import dev.herald.sdk.json.Json;
import dev.herald.sdk.json.JsonException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/**
 * The consumer side of Herald (DESIGN §6): keeps a verified discovery record of one service (or one
 * instance of it) and a TLS trust manager that trusts exactly the record's live instance keys.
 *
 * <p>{@link #refresh()} does, in order:
 * <ol>
 *   <li>on first use, with nothing pinned, reads {@code MOUNT/jwks} (no token; trust on first use,
 *       over the TLS the {@link VaultClient} verifies) and pins it in the state;</li>
 *   <li>reads the record through {@link WrappedDiscovery} (unless wrapping was turned off);</li>
 *   <li>if the record's kid is not pinned, reads {@code MOUNT/signer} and
 *       {@link SignerKeys#follow follows} its countersigned rotations, pinning what they lead to;</li>
 *   <li>verifies the record ({@link RecordVerifier}); if it carries a {@code log_checkpoint}, or
 *       the mount's log is pinned, checks that every listed key is in the mount's verifiable log at
 *       its {@code log_index} and that the checkpoint is consistent with the last one kept
 *       ({@link LogClient#checkRecord}; the log's keys are pinned on first use from
 *       {@code MOUNT/log/key}, or given with {@link Builder#logKey});</li>
 *   <li>checks that its {@code seq} does not go down (the state remembers the highest seen);</li>
 *   <li>installs it in the {@link PinnedTrust}.</li>
 * </ol>
 * A record that fails any step is never used: the last good one stays in force until its
 * {@code exp}. Thread-safe; refreshes run one at a time.
 *
 * <p><b>Large services.</b> The engine answers a service's whole record only while it has at most
 * {@code max_record_instances} (mount config, default 1000) live instances; beyond, it answers 400
 * and the record is read in signed pages. A consumer reads them on its own: when the server answers
 * that the service is too large, it walks the pages (each as big as the mount allows) in the same
 * refresh, and from then on reads that service in pages; with {@link Builder#pageSize} it always
 * does, in pages of that size. A walk reads the page after the cursor "", then the page after each
 * page's {@code next}, until a {@code next} is "". Each page is read as a record is (wrapped, its
 * kid followed), verified ({@link RecordVerifier#verifyPage}: scope "page", its {@code after} the
 * cursor asked for) and its {@code seq} accepted by the state, so that {@code seq} never goes
 * down, also from page to page. If a page's {@code seq} is higher than the first page's, the
 * service changed during the walk, which starts again from "" (up to three times, so that the
 * result is one consistent set when churn allows); after that it accepts the union, since each
 * page's instances are vouched for by its own unexpired signature and no two pages cover the same
 * names. When all pages share one {@code seq}, they must list exactly the {@code total} they state.
 * The pages combined are one {@link DiscoveryRecord} (scope "page", the union of the instances, the
 * highest {@code seq}, the earliest {@code exp}: see there), installed like a whole record.
 */
public final class Consumer implements AutoCloseable {
    /** The engine's usual mount path. */
    public static final String DEFAULT_MOUNT = "herald";
    /** How long a wrapping token lives unless the builder says otherwise. */
    public static final Duration DEFAULT_WRAP_TTL = Duration.ofSeconds(60);
    /** DESIGN §5: service and instance names. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    /** The largest page the engine serves (its limit field's bound; the mount's max_record_instances may be lower). */
    public static final int MAX_PAGE_SIZE = 20_000;
    /** The shortest pause between two refreshes, and the first retry after a failure. */
    static final Duration MIN_DELAY = Duration.ofSeconds(1);
    /** How long after a record's exp the next one is asked for, when that comes before MIN_DELAY. */
    static final Duration AFTER_EXPIRY = Duration.ofMillis(50);
    /** Up to this much is added at random to a refresh that comes at a record's exp. */
    static final Duration EXPIRY_SPREAD = Duration.ofMillis(250);
    /** The longest pause between retries after failures. */
    static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

    private final VaultClient vault;
    private final TokenSource tokens;
    private final String mount;
    private final String service;
    private final String instance;
    private final TrustState state;
    private final WrappedDiscovery wrapped;
    private final RecordVerifier verifier;
    private final PinnedTrust trust;
    private final LogClient log;
    private final Clock clock;
    /** The size of the pages asked for, 0 for the mount's max_record_instances. */
    private final int pageSize;
    private final Acknowledging acknowledging;
    private final Object refreshing = new Object();
    /** Made with the first record that carries an ack ticket (its issuer names the session). Guarded by refreshing. */
    private volatile Acknowledger acknowledger;
    private volatile boolean closed;
    /** When a handshake last refreshed an expired record. Guarded by refreshing. */
    private Instant lastExpiredRefresh = Instant.MIN;
    private volatile DiscoveryRecord current;
    /** Whether the service is read in pages: asked for, or since the server said it is too large. Guarded by refreshing. */
    private boolean paging;

    private Consumer(Builder builder) {
        this.vault = builder.vault;
        this.tokens = builder.tokens;
        this.mount = builder.mount;
        this.service = builder.service;
        this.instance = builder.instance;
        this.state = builder.state == null ? new MemoryState() : builder.state;
        this.wrapped = builder.wrapTtl == null ? null
                : new WrappedDiscovery(vault, tokens, mount, builder.wrapTtl, builder.tamperHook);
        this.clock = builder.clock;
        this.pageSize = builder.pageSize;
        this.acknowledging = builder.acknowledging;
        this.paging = builder.pageSize > 0;
        if (paging && instance != null) {
            throw new IllegalArgumentException("a page size is for the whole service, not for instance " + instance);
        }
        RecordVerifier.Builder verifier = RecordVerifier.builder().service(service).clock(clock)
                .issuer(builder.issuer == null ? RecordVerifier.defaultIssuer(mount) : builder.issuer);
        if (instance != null) {
            verifier.instance(instance);
        }
        this.verifier = verifier.build();
        this.trust = new PinnedTrust(clock, this::refreshIfExpired);
        LogClient.Builder log = LogClient.builder(LogSource.of(vault, mount), state).hook(builder.tamperHook);
        if (builder.logKey != null) {
            log.logKey(builder.logKey);
        }
        if (builder.witnesses != null) {
            log.witnesses(builder.witnesses).clock(clock);
        }
        this.log = log.build();
    }

    /**
     * A builder for the consumer of {@code service}.
     *
     * @param tokens the caller's Vault token (a login, e.g. cert auth with a PKCS#11 key)
     */
    public static Builder builder(VaultClient vault, TokenSource tokens, String service) {
        return new Builder(vault, tokens, service);
    }

    /**
     * Fetches, checks and installs a fresh record (see the class comment).
     *
     * @return the record now in force
     * @throws VerificationException if the record (or a signer rotation, or the state) must not be trusted
     * @throws TamperException       if the wrapped answer may have been intercepted (the hook was told)
     * @throws VaultException        if Vault refused or did not answer
     */
    public DiscoveryRecord refresh() {
        synchronized (refreshing) {
            DiscoveryRecord record = readRecord();
            current = record;
            trust.install(record);
            if (acknowledging == Acknowledging.AFTER_INSTALL) {
                acknowledge(record);
            }
            return record;
        }
    }

    /**
     * For the trust manager, when a handshake finds the record expired: one refresh, unless another
     * thread installed a record that is still valid meanwhile.
     */
    private void refreshIfExpired() {
        synchronized (refreshing) {
            Instant now = clock.instant();
            // At most one such refresh a MIN_DELAY: while Vault cannot answer, inbound handshakes (a
            // server that pins its clients) must not each become a request to it.
            if (current().isEmpty() && !now.isBefore(lastExpiredRefresh.plus(MIN_DELAY))) {
                lastExpiredRefresh = now;
                refresh();
            }
        }
    }

    /** When a consumer acknowledges the records it installs (DESIGN §5.8). */
    public enum Acknowledging {
        /** Right after {@link #refresh()} installed a record in the trust manager (the default). */
        AFTER_INSTALL,
        /**
         * Only when the caller says so with {@link #acknowledge}: for a caller whose "installed" is
         * more than this consumer's trust manager (a file another process reads, a reload hook).
         */
        BY_CALLER,
        /** Never: the consumer is not counted when the service rotates (read-only use). */
        NEVER
    }

    /**
     * Tells the engine that {@code record} (one this consumer refreshed) is installed, if an
     * acknowledgement is due: the first record, a record a pending rotation asks for, or a heartbeat
     * (see {@link Acknowledger}). Returns at once: the acknowledgement is sent in the background and
     * retried; it never fails the caller. Does nothing for a consumer built to {@link Acknowledging#NEVER
     * never} acknowledge, or for a record whose answer carried no ticket (an older engine).
     */
    public void acknowledge(DiscoveryRecord record) {
        if (acknowledging == Acknowledging.NEVER || closed) {
            return;
        }
        record.ackTicket().ifPresent(ticket -> acknowledgerFor(record).installed(ticket));
    }

    private Acknowledger acknowledgerFor(DiscoveryRecord record) {
        Acknowledger made = acknowledger;
        if (made == null) {
            synchronized (this) {
                made = acknowledger;
                if (made == null) {
                    made = new Acknowledger(vault, tokens, mount, service, state.session(record.issuer(), service), clock);
                    acknowledger = made;
                }
            }
        }
        return made;
    }

    /** This consumer's session with the service (DESIGN §5.8), once it acknowledged; for operators' tools and tests. */
    public Optional<String> session() {
        Acknowledger made = acknowledger;
        return made == null ? Optional.empty() : Optional.of(made.session());
    }

    /** The highest seq the engine has stored as this consumer's acknowledgement (0: none yet). */
    public long acknowledged() {
        Acknowledger made = acknowledger;
        return made == null ? 0 : made.acknowledged();
    }

    /**
     * Waits up to {@code timeout} until the acknowledgements wanted so far have been sent (or given
     * up); true if they were. For tools that exit after one refresh ({@code herald trust} without
     * {@code --follow}) and for tests.
     */
    public boolean awaitAcknowledged(Duration timeout) throws InterruptedException {
        Acknowledger made = acknowledger;
        return made == null || made.awaitSent(timeout);
    }

    /**
     * Leaves: tells the engine that this consumer is gone ({@code DELETE ack/SERVICE}), so that it
     * stops counting at once rather than {@code consumer_ttl} after its last acknowledgement. Stops
     * acknowledging; the trust manager keeps its record. Best effort (a failure is logged). Stop
     * the {@link Refreshing} first.
     */
    @Override
    public void close() {
        closed = true;
        Acknowledger made = acknowledger;
        if (made != null) {
            made.leave();
        }
    }

    /** The whole record (or the instance's), or the service's pages combined (see the class comment). */
    private DiscoveryRecord readRecord() {
        if (!paging) {
            try {
                return readOnceMoreIfExpired();
            } catch (VaultException e) {
                if (instance != null || !tooLarge(e)) {
                    throw e;
                }
                paging = true;
            }
        }
        return PageWalk.walk(this::read, PageWalk.RESTARTS, clock);
    }

    /**
     * The record; read once more if it had expired on its way. A record never outlives the keys it
     * lists, and its {@code exp} is in whole seconds: one signed in the last second of a listed key's
     * life may arrive expired, and the next one no longer lists that key.
     */
    private DiscoveryRecord readOnceMoreIfExpired() {
        try {
            return read(null);
        } catch (RecordVerifier.Expired e) {
            return read(null);
        }
    }

    /** Whether Vault refused the whole record because the service has more than max_record_instances live instances. */
    static boolean tooLarge(VaultException e) {
        return e.status() == 400 && e.errors().stream().anyMatch(error -> error.contains("max_record_instances"));
    }

    /**
     * Fetches, verifies and accepts ({@code seq}) the record, or with {@code after} the page that
     * starts after that cursor.
     */
    private DiscoveryRecord read(String after) {
        SignerKeys keys = state.signerKeys().orElseGet(this::pinFromJwks);
        Map<String, Object> answer = fetchRecord(after);
        String compact = (String) answer.get("record");
        Optional<String> kid = CompactJws.parse(compact).kid();
        if (kid.isPresent() && !keys.contains(kid.get())) {
            keys = followSigner(keys);
            if (!keys.contains(kid.get())) {
                throw unreachable(kid.get(), keys);
            }
        }
        DiscoveryRecord record = after == null ? verifier.verify(compact, keys) : verifier.verifyPage(compact, keys, after);
        log.checkRecord(record, answer.get(LogWire.PROOFS_MEMBER));
        state.acceptSeq(record.issuer(), record.service(), record.seq());
        return record.withLogProofs(answer.get(LogWire.PROOFS_MEMBER)).withAck(answer.get("ack"));
    }

    /** The last record accepted, while it has not expired. */
    public Optional<DiscoveryRecord> current() {
        DiscoveryRecord record = current;
        return record != null && record.validAt(clock.instant()) ? Optional.of(record) : Optional.empty();
    }

    /** The trust manager that trusts exactly the current record's instance keys. */
    public PinnedTrust trustManager() {
        return trust;
    }

    /** TLS to or from the service's instances, presenting {@code ownKey} (null: none). */
    public SSLContext sslContext(KeyManager[] ownKey) {
        return trust.sslContext(ownKey);
    }

    /** {@link #startRefreshing(ScheduledExecutorService, java.util.function.Consumer)} that only retries on failure. */
    public Refreshing startRefreshing(ScheduledExecutorService executor) {
        return startRefreshing(executor, failure -> { });
    }

    /**
     * Refreshes in the background on {@code executor}: at once if no record is in force, then at about
     * two thirds of the way from each record's {@code iat} to its {@code exp} (with jitter, so that
     * many consumers do not ask together), and after a failure again soon (1 s doubling up to 30 s).
     *
     * @param onFailure told of every failed refresh (a tamper was also told to the tamper hook)
     * @return the handle that stops it
     */
    public Refreshing startRefreshing(ScheduledExecutorService executor,
                                      java.util.function.Consumer<? super RuntimeException> onFailure) {
        Refreshing refreshing = new Refreshing(executor, onFailure);
        DiscoveryRecord record = current().orElse(null);
        refreshing.schedule(record == null ? Duration.ZERO
                : delayAfterSuccess(record, clock.instant(), ThreadLocalRandom.current()));
        return refreshing;
    }

    /** Background refreshing started by {@link #startRefreshing}; {@link #close} stops it. */
    public final class Refreshing implements AutoCloseable {
        private final ScheduledExecutorService executor;
        private final java.util.function.Consumer<? super RuntimeException> onFailure;
        private int failures;
        private boolean stopped;
        private ScheduledFuture<?> next;

        private Refreshing(ScheduledExecutorService executor, java.util.function.Consumer<? super RuntimeException> onFailure) {
            this.executor = Objects.requireNonNull(executor, "executor");
            this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        }

        private void run() {
            Duration delay;
            try {
                DiscoveryRecord record = refresh();
                failures = 0;
                delay = delayAfterSuccess(record, clock.instant(), ThreadLocalRandom.current());
            } catch (RuntimeException e) {
                failures++;
                delay = delayAfterFailure(failures, ThreadLocalRandom.current());
                try {
                    onFailure.accept(e);
                } catch (RuntimeException listenerFailure) {
                    // the listener's own trouble must not stop the refreshing
                }
            }
            schedule(delay);
        }

        private synchronized void schedule(Duration delay) {
            if (stopped) {
                return;
            }
            try {
                next = executor.schedule(this::run, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shutDown) {
                stopped = true; // the executor was shut down: that stops the refreshing too
            }
        }

        /** Stops: no refresh starts after this (one that is running finishes). */
        @Override
        public synchronized void close() {
            stopped = true;
            if (next != null) {
                next.cancel(false);
            }
        }
    }

    /**
     * When to refresh after accepting {@code record}: at 2/3 of its life from {@code iat}, give or take
     * a tenth of its life, and never sooner than {@link #MIN_DELAY}.
     */
    static Duration delayAfterSuccess(DiscoveryRecord record, Instant now, RandomGenerator random) {
        long life = Duration.between(record.issuedAt(), record.expiresAt()).toMillis();
        long jitter = life / 10;
        long target = life * 2 / 3 + (jitter == 0 ? 0 : random.nextLong(-jitter, jitter + 1));
        Duration delay = Duration.between(now, record.issuedAt().plusMillis(target));
        if (delay.compareTo(MIN_DELAY) >= 0) {
            return delay;
        }
        // A record that ends with a key leaving the service (its exp is that key's not_after) may
        // have less than MIN_DELAY left: the next one is asked for as it expires, not a second late.
        // (plus up to a quarter second at random: every consumer of the service has the same exp)
        Duration spread = Duration.ofMillis(random.nextLong(EXPIRY_SPREAD.toMillis() + 1));
        Duration left = Duration.between(now, record.expiresAt()).plus(AFTER_EXPIRY);
        return left.compareTo(MIN_DELAY) < 0 ? (left.isNegative() ? AFTER_EXPIRY : left).plus(spread) : MIN_DELAY;
    }

    /**
     * A record valid for at least {@code margin} from now, for a caller about to start a handshake
     * (so that the record does not expire during it): the current one if it lasts that long, else a
     * fresh one; if the engine still answers with a record that expires as soon (it ends when a key
     * leaves the service, and is the newest there is until then), waits until that moment and asks
     * again.
     *
     * @throws VerificationException, TamperException, VaultException as {@link #refresh()}
     */
    public DiscoveryRecord fresh(Duration margin) throws InterruptedException {
        DiscoveryRecord record = current;
        if (record != null && record.expiresAt().isAfter(clock.instant().plus(margin))) {
            return record;
        }
        record = refresh();
        Duration left = Duration.between(clock.instant(), record.expiresAt());
        if (left.compareTo(margin) > 0) {
            return record;
        }
        Thread.sleep(Math.max(0, left.toMillis()) + AFTER_EXPIRY.toMillis());
        return refresh();
    }

    /** The pause after {@code failures} failures in a row: 1 s doubling to 30 s, jittered down to half. */
    static Duration delayAfterFailure(int failures, RandomGenerator random) {
        long cap = Math.min(MAX_RETRY_DELAY.toMillis(), MIN_DELAY.toMillis() << Math.min(failures - 1, 10));
        return Duration.ofMillis(cap / 2 + random.nextLong(cap / 2 + 1));
    }

    /**
     * Verifies a saved record offline ({@code herald verify}): {@code saved} is the compact JWT, or the
     * JSON {@code herald discover} prints (the decoded claims, with the JWT under {@code record}; only
     * the JWT counts, the decoded claims beside it are ignored). With {@code state}, the record's
     * {@code seq} must not be lower than the highest seen, and is recorded if higher. A record read in
     * pages (its JWTs under {@code records}) is verified page by page and walked as when it was read,
     * without starting again: the pages must chain from the cursor "" to a last page, with no
     * {@code seq} lower than the page before's.
     *
     * @param keys     the signer keys to trust (e.g. {@link SignerKeys#parseJwks} of a JWKS file)
     * @param verifier what to expect ({@link RecordVerifier.Builder#anyService} when nothing says which service)
     * @param state    null: no rollback check
     * @throws VerificationException if the record does not verify, or is a rollback
     */
    public static DiscoveryRecord verifySaved(String saved, SignerKeys keys, RecordVerifier verifier, StateDirectory state) {
        Object compacts = compactsOf(saved);
        if (compacts instanceof String compact) {
            return acceptSaved(verifier.verify(compact, keys), state).withLogProofs(savedLogProofs(saved));
        }
        Iterator<?> pages = ((List<?>) compacts).iterator();
        DiscoveryRecord record = PageWalk.walk(after -> {
            if (!pages.hasNext()) {
                throw new VerificationException("the saved pages end before their last: none starts after " + Claims.quote(after));
            }
            if (!(pages.next() instanceof String page)) {
                throw new VerificationException("saved record JSON has a member of \"records\" that is not a compact JWT");
            }
            return acceptSaved(verifier.verifyPage(page, keys, after), state);
        }, 0, verifier.clock());
        if (pages.hasNext()) {
            throw new VerificationException("the saved pages go on after their last");
        }
        return record;
    }

    private static DiscoveryRecord acceptSaved(DiscoveryRecord record, StateDirectory state) {
        if (state != null) {
            state.acceptSeq(record.issuer(), record.service(), record.seq());
        }
        return record;
    }

    /**
     * The compact JWTs in a saved record: the text itself or the {@code record} of a JSON object (a
     * String), or the {@code records} of a JSON object (a List, of a record read in pages).
     */
    static Object compactsOf(String saved) {
        String text = saved.strip();
        if (!text.startsWith("{")) {
            return text;
        }
        Map<String, Object> json;
        try {
            json = Json.parseObject(text);
        } catch (JsonException e) {
            throw new VerificationException("saved record is neither a compact JWT nor valid JSON: " + e.getMessage());
        }
        if (json.get("record") instanceof String compact) {
            return compact;
        }
        if (json.get("records") instanceof List<?> pages && !pages.isEmpty()) {
            return pages;
        }
        throw new VerificationException("saved record JSON has no \"record\" (the compact JWT) nor \"records\" (a record's pages)");
    }

    /** The {@code log_proofs} saved beside a record (by {@code herald discover}), or null. */
    private static Object savedLogProofs(String saved) {
        String text = saved.strip();
        return text.startsWith("{") ? Json.parseObject(text).get(LogWire.PROOFS_MEMBER) : null;
    }

    /** A record of a key no countersigned chain leads to: what happened, and what an operator can do. */
    private VerificationException unreachable(String kid, SignerKeys keys) {
        String pins = state instanceof StateDirectory directory
                ? " (remove " + directory.path().resolve(StateDirectory.SIGNER_KEYS) + ")" : "";
        return new VerificationException("record is signed by kid " + Claims.quote(kid) + ", which is not pinned, and no"
                + " countersigned rotation in " + mount + "/signer leads to it from the pinned keys ("
                + String.join(", ", keys.kids()) + "). If the pins are older than the mount's verification_ttl, check"
                + " the new key out of band and pin it anew" + pins + ".");
    }

    private SignerKeys pinFromJwks() {
        SignerKeys fetched = SignerKeys.fromJwks(vault.get(mount + "/jwks", null).data());
        return state.pinFirst(fetched);
    }

    private SignerKeys followSigner(SignerKeys keys) {
        String token = tokens.token();
        VaultResponse signer = readWithToken(mount + "/signer", token);
        Object entries = signer.data().get("keys");
        if (!(entries instanceof List<?> list)) {
            throw new VerificationException("the answer of " + mount + "/signer has no keys list");
        }
        SignerKeys followed = keys.follow(list);
        return followed == keys ? keys : state.addSignerKeys(followed);
    }

    /** The discover answer's data: the compact JWT of the record (or with {@code after} of the page after that cursor), and the log proofs. */
    private Map<String, Object> fetchRecord(String after) {
        Map<String, Object> data;
        if (wrapped != null) {
            data = after == null ? wrapped.read(service, instance) : wrapped.readPage(service, after, pageSize);
        } else {
            String query = after == null ? "" : WrappedDiscovery.pageQuery(after, pageSize);
            VaultResponse answer = readWithToken(WrappedDiscovery.discoverPath(mount, service, instance) + query, tokens.token());
            if (answer.wrapInfo().isPresent()) {
                throw new HeraldException("the server wrapped the discover answer (its config has require_wrapping);"
                        + " read it with wrapping");
            }
            data = answer.data();
        }
        if (!(data.get("record") instanceof String)) {
            throw new VerificationException("the discover answer holds no record");
        }
        return data;
    }

    private VaultResponse readWithToken(String path, String token) {
        try {
            return vault.get(path, token);
        } catch (VaultException e) {
            if (e.status() == 403) {
                tokens.rejected(token);
            }
            throw e;
        }
    }

    /** A mount path without leading or trailing slashes ("herald", "teams/herald"). */
    static String normalizeMount(String mount) {
        String normalized = Objects.requireNonNull(mount, "mount").replaceAll("^/+|/+$", "");
        if (normalized.isEmpty() || normalized.contains("//") || List.of(normalized.split("/")).contains("..")
                || !normalized.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '?' && c != '#' && c != '%')) {
            throw new IllegalArgumentException("not a mount path: " + Claims.quote(mount));
        }
        return normalized;
    }

    /** A service or instance name by DESIGN §5's rule, so that it can only ever be one path segment. */
    static String requireName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " " + Claims.quote(name) + " is not a valid name (1-128 of"
                    + " a-z 0-9 . _ -, starting with a letter or digit)");
        }
        return name;
    }

    @Override
    public String toString() {
        return "Consumer[" + mount + "/discover/" + service + (instance == null ? "" : "/" + instance) + "]";
    }

    /** Builds a {@link Consumer}. */
    public static final class Builder {
        private final VaultClient vault;
        private final TokenSource tokens;
        private final String service;
        private String mount = DEFAULT_MOUNT;
        private String instance;
        private StateDirectory state;
        private Duration wrapTtl = DEFAULT_WRAP_TTL;
        private TamperHook tamperHook = TamperHook.NONE;
        private Clock clock = Clock.systemUTC();
        private String issuer;
        private int pageSize;
        private NoteVerifier logKey;
        private WitnessPolicy witnesses;
        private Acknowledging acknowledging = Acknowledging.AFTER_INSTALL;

        private Builder(VaultClient vault, TokenSource tokens, String service) {
            this.vault = Objects.requireNonNull(vault, "vault");
            this.tokens = Objects.requireNonNull(tokens, "tokens");
            this.service = requireName("service", service);
        }

        /** The engine's mount path; default {@value Consumer#DEFAULT_MOUNT}. */
        public Builder mount(String mount) {
            this.mount = normalizeMount(mount);
            return this;
        }

        /** Consume one instance ({@code discover/:service/:instance}) rather than the whole service. */
        public Builder instance(String instance) {
            this.instance = requireName("instance", instance);
            return this;
        }

        /** Where pins and seqs are kept between runs; without one they live in memory (pinned anew at each start). */
        public Builder state(StateDirectory state) {
            this.state = Objects.requireNonNull(state, "state");
            return this;
        }

        /** The wrapping token's TTL; default {@link #DEFAULT_WRAP_TTL}. */
        public Builder wrapTtl(Duration wrapTtl) {
            if (wrapTtl.toSeconds() < 1) {
                throw new IllegalArgumentException("the wrap TTL must be at least one second");
            }
            this.wrapTtl = wrapTtl;
            return this;
        }

        /**
         * Reads records without response wrapping, for servers whose policy does not allow it. The record
         * is still verified, but an interception of the answer can no longer be noticed.
         */
        public Builder withoutWrapping() {
            this.wrapTtl = null;
            return this;
        }

        /** Told of a suspected interception before the {@link TamperException} is thrown. */
        public Builder tamperHook(TamperHook tamperHook) {
            this.tamperHook = Objects.requireNonNull(tamperHook, "tamperHook");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The {@code iss} records must carry; default the mount path with a slash ("herald/"). */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /**
         * Always read the service's record in pages of at most {@code pageSize} instances (1 to the
         * mount's {@code max_record_instances}), rather than the whole record first and pages only
         * when the server says the service is too large. Not for one instance.
         */
        public Builder pageSize(int pageSize) {
            if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
                throw new IllegalArgumentException("a page size is between 1 and " + MAX_PAGE_SIZE + ", not " + pageSize);
            }
            this.pageSize = pageSize;
            return this;
        }

        /**
         * The mount's log key, known out of band (a signed-note vkey, {@code herald --log-key}): records
         * must then carry a checkpoint signed by it. Without it, the keys of {@code MOUNT/log/key} are
         * pinned when the first record with a checkpoint arrives (trust on first use).
         */
        public Builder logKey(NoteVerifier logKey) {
            this.logKey = Objects.requireNonNull(logKey, "logKey");
            return this;
        }

        /**
         * Require every record's log checkpoint to be witnessed ({@link LogClient#requireWitnessed}):
         * covered by a checkpoint of {@code MOUNT/log/witnessed} cosigned by enough of these witnesses.
         */
        public Builder witnesses(WitnessPolicy witnesses) {
            this.witnesses = Objects.requireNonNull(witnesses, "witnesses");
            return this;
        }

        /** When to acknowledge installed records (DESIGN §5.8); default {@link Acknowledging#AFTER_INSTALL}. */
        public Builder acknowledging(Acknowledging acknowledging) {
            this.acknowledging = Objects.requireNonNull(acknowledging, "acknowledging");
            return this;
        }

        public Consumer build() {
            return new Consumer(this);
        }
    }
}
