package dev.herald.client.consumer;

import dev.herald.client.HeraldException;
import dev.herald.client.Retry;
import dev.herald.client.TamperException;
import dev.herald.client.TamperHook;
import dev.herald.client.TokenSource;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultException;
import dev.herald.client.VaultRequest;
import dev.herald.client.VaultResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a discovery record through Vault's response wrapping (DESIGN §6), so that the record comes
 * with a single-use token whose fate tells whether anyone else saw it:
 * <ol>
 *   <li>{@code GET MOUNT/discover/SERVICE[/INSTANCE]} with {@code X-Vault-Wrap-TTL} and the caller's
 *       token; the answer must be wrapped ({@code wrap_info});</li>
 *   <li>{@code POST sys/wrapping/lookup} of the wrapping token (with the caller's token): it must
 *       exist, unused, and its {@code creation_path} must be exactly the path read, so that a token
 *       wrapping some other answer cannot be slipped in;</li>
 *   <li>{@code POST sys/wrapping/unwrap} with the wrapping token: the answer must hold a {@code record}.</li>
 * </ol>
 * A failure of steps 2 or 3 means someone may hold the record (the token was used, or swapped):
 * the {@link TamperHook} is told, then a {@link TamperException} is thrown. Thread-safe.
 *
 * <p>A page of a large service's record ({@link #readPage}) is its own wrapped answer, checked the
 * same way. Vault's {@code creation_path} has no query, so it cannot tell one page of a service from
 * another: what ties a page to the cursor asked for is its signed {@code after}, which
 * {@link RecordVerifier#verifyPage} checks.
 */
public final class WrappedDiscovery {
    /** The request header that asks Vault to wrap its answer, with the token's TTL. */
    public static final String WRAP_TTL_HEADER = "X-Vault-Wrap-TTL";

    private final VaultClient vault;
    private final TokenSource tokens;
    private final String mount;
    private final Duration wrapTtl;
    private final TamperHook hook;

    /**
     * @param mount   the engine's mount path ("herald")
     * @param wrapTtl how long the wrapping token lives (whole seconds, at least 1)
     */
    public WrappedDiscovery(VaultClient vault, TokenSource tokens, String mount, Duration wrapTtl, TamperHook hook) {
        this.vault = Objects.requireNonNull(vault, "vault");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.mount = Consumer.normalizeMount(mount);
        if (wrapTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("the wrap TTL must be at least one second");
        }
        this.wrapTtl = wrapTtl;
        this.hook = Objects.requireNonNull(hook, "hook");
    }

    /**
     * Reads, checks and unwraps the discovery answer of {@code service} (or of one {@code instance}).
     *
     * @param instance null for the whole service
     * @return the unwrapped answer's {@code data}, holding {@code record} (the compact JWT) and the
     *         claims decoded (not to be trusted: only {@code record} is verified)
     * @throws VaultException  if the discover read itself is refused or unanswered
     * @throws TamperException if the lookup or unwrap fails, or the wrapping token is for another path
     * @throws HeraldException if the answer was not wrapped
     */
    public Map<String, Object> read(String service, String instance) {
        return unwrap(discoverPath(mount, service, instance), "");
    }

    /**
     * Reads, checks and unwraps one page of the record of {@code service}, as {@link #read}.
     *
     * @param after the cursor: "" for the first page, else the {@code next} of the page before
     * @param limit at most this many instances, or 0 for the mount's {@code max_record_instances}
     */
    public Map<String, Object> readPage(String service, String after, int limit) {
        return unwrap(discoverPath(mount, service, null), pageQuery(after, limit));
    }

    private Map<String, Object> unwrap(String path, String query) {
        String token = tokens.token();
        VaultResponse wrapped;
        try {
            wrapped = vault.send(VaultRequest.get(path + query, token).withHeader(WRAP_TTL_HEADER, wrapTtl.toSeconds() + "s"));
        } catch (VaultException e) {
            if (e.status() == 403) {
                tokens.rejected(token);
            }
            throw e;
        }
        Map<String, Object> wrapInfo = wrapped.wrapInfo().orElseThrow(() -> new HeraldException("GET /v1/" + path + query
                + " was answered without response wrapping (no wrap_info); a record that was not wrapped is refused"));
        if (!(wrapInfo.get("token") instanceof String wrappingToken) || wrappingToken.isEmpty()) {
            throw new HeraldException("GET /v1/" + path + query + " was answered with a wrap_info without a token");
        }

        VaultResponse lookup;
        try {
            lookup = vault.post("sys/wrapping/lookup", Map.of("token", wrappingToken), tokens.token());
        } catch (VaultException e) {
            throw tamper("the lookup of the wrapping token for " + path + " failed, so someone else may have unwrapped"
                    + " it: " + e.getMessage(), e);
        }
        Object creationPath = lookup.data().get("creation_path");
        if (!path.equals(creationPath)) {
            throw tamper("the wrapping token was made for "
                    + (creationPath instanceof String s ? Claims.quote(s) : "no path") + ", not for \"" + path + "\"", null);
        }

        VaultResponse unwrapped;
        try {
            // the wrapping token is its own authentication; the caller's token is not sent with it
            // sent once: a retry after a lost answer would find the token used and cry tamper falsely
            unwrapped = vault.send(VaultRequest.post("sys/wrapping/unwrap", null, wrappingToken), Retry.NONE);
        } catch (VaultException e) {
            throw tamper("unwrapping the answer of " + path + " failed, so someone else may have unwrapped it: "
                    + e.getMessage(), e);
        }
        if (!(unwrapped.data().get("record") instanceof String)) {
            throw tamper("the unwrapped answer of " + path + " holds no record", null);
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(unwrapped.data()));
    }

    /** {@code MOUNT/discover/SERVICE[/INSTANCE]}: also the {@code creation_path} its wrapping token must have. */
    static String discoverPath(String mount, String service, String instance) {
        return Consumer.normalizeMount(mount) + "/discover/" + Consumer.requireName("service", service)
                + (instance == null ? "" : "/" + Consumer.requireName("instance", instance));
    }

    /** The query that asks for the page after {@code after} ("" or an instance name) of at most {@code limit} (0: any). */
    static String pageQuery(String after, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("a page limit is positive (or 0 for the mount's max_record_instances)");
        }
        return "?after=" + (after.isEmpty() ? "" : Consumer.requireName("after", after)) + (limit == 0 ? "" : "&limit=" + limit);
    }

    /** The exception to throw, after the hook has heard of it (a failing hook does not hide it). */
    private TamperException tamper(String message, Throwable cause) {
        TamperException event = cause == null ? new TamperException(message) : new TamperException(message, cause);
        try {
            hook.tampered(event);
        } catch (RuntimeException hookFailure) {
            event.addSuppressed(hookFailure);
        }
        return event;
    }
}
