package dev.herald.client.consumer;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS trust manager that trusts a peer if and only if the public key of its leaf certificate is
 * one of the live instance keys of the current {@link DiscoveryRecord}, for servers this consumer connects
 * to and for clients that connect to it (mutual TLS).
 *
 * <p>Why no CA and no host name check: the record is the authority. The engine signed it, it binds
 * each instance's key to the service, and a TLS handshake proves that the peer holds the private
 * half of the certificate's key. So a peer whose key is listed is a live instance of the service,
 * whatever name or address was used to reach it and whoever (if anyone) issued its certificate; a
 * peer whose key is not listed is not, however good its certificate. The certificate's own dates
 * are not checked either: what bounds a key's life is the record's {@code exp}, after which no peer
 * is trusted until a fresher record is installed.
 *
 * <p>{@link #install} swaps the trusted set atomically: connections already open are not touched,
 * handshakes that start afterwards see the new set. Thread-safe.
 *
 * <p>The trust manager of a {@link Consumer} does not refuse at once when a handshake finds its
 * record expired: it asks the consumer for a fresh record first (one refresh, in the handshake's
 * thread, at most one a second), so that a record that expired between the consumer's background
 * refreshes (a process that was paused, a record that ended with a key leaving the service) costs
 * a moment, not a failed handshake.
 */
public final class PinnedTrust extends X509ExtendedTrustManager {
    /**
     * The installed record, the thumbprints of its keys, and its epoch: the epoch rises whenever a
     * key trusted before is no longer listed, so that sessions made before cannot be resumed.
     */
    private record Pins(DiscoveryRecord record, Set<String> thumbprints, long epoch) {
    }

    private final Clock clock;
    /** Asked for a fresh record when a handshake finds the installed one expired; may do nothing. */
    private final Runnable onExpired;
    private final AtomicReference<Pins> pins = new AtomicReference<>();

    /** @param clock tells when the installed record has expired */
    public PinnedTrust(Clock clock) {
        this(clock, () -> { });
    }

    /** A consumer's: {@code onExpired} installs a fresh record, if it can (its failure is the handshake's refusal). */
    PinnedTrust(Clock clock, Runnable onExpired) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onExpired = Objects.requireNonNull(onExpired, "onExpired");
    }

    /** Trusts exactly the instance keys of {@code record} from now on (until its {@code exp}). */
    public void install(DiscoveryRecord record) {
        Set<String> thumbprints = record.instances().stream().map(instance -> instance.jwk().thumbprint())
                .collect(Collectors.toUnmodifiableSet());
        pins.updateAndGet(previous -> new Pins(record, thumbprints,
                previous == null ? 0 : thumbprints.containsAll(previous.thumbprints()) ? previous.epoch() : previous.epoch() + 1));
    }

    /** The record whose keys are trusted, if one was installed (it may have expired since). */
    public Optional<DiscoveryRecord> installed() {
        return Optional.ofNullable(pins.get()).map(Pins::record);
    }

    /**
     * A TLS context that trusts as this does and presents {@code ownKey} (null: no key of its own,
     * for a client whose server does not ask for one). TLS sessions made with it are not resumed
     * once a key they were made with is no longer listed, or the record has expired: a resumed
     * session skips the trust manager (see {@link PinnedSslContext}).
     */
    public SSLContext sslContext(KeyManager[] ownKey) {
        return new PinnedSslContext(this, ownKey);
    }

    /**
     * Changes whenever a peer trusted before may no longer be: a key left the record, or the record
     * expired. TLS sessions of an older epoch must not be resumed.
     */
    long epoch() {
        Pins current = pins.get();
        if (current == null) {
            return -1;
        }
        return current.epoch() * 2 + (current.record().validAt(clock.instant()) ? 0 : 1);
    }

    /** Whole seconds until the installed record expires (0 when none is installed or it has expired). */
    int secondsLeft() {
        Pins current = pins.get();
        if (current == null) {
            return 0;
        }
        long left = Duration.between(clock.instant(), current.record().expiresAt()).toSeconds();
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }

    private void check(X509Certificate[] chain, String peer) throws CertificateException {
        Pins current = pins.get();
        if (current == null) {
            throw new CertificateException("no discovery record has been accepted yet: no " + peer + " is trusted");
        }
        if (!current.record().validAt(clock.instant())) {
            try {
                onExpired.run();
            } catch (RuntimeException refreshFailed) {
                // refused below, for the record that expired
            }
            current = pins.get();
        }
        Instant now = clock.instant();
        DiscoveryRecord record = current.record();
        if (!record.validAt(now)) {
            throw new CertificateException("the record of service " + record.service() + " expired at "
                    + record.expiresAt() + " and no fresher one was accepted: no " + peer + " is trusted");
        }
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the " + peer + " sent no certificate");
        }
        String thumbprint;
        try {
            thumbprint = Jwk.thumbprint(chain[0].getPublicKey());
        } catch (RuntimeException unsupported) {
            throw new CertificateException("the " + peer + "'s key (" + chain[0].getPublicKey().getAlgorithm()
                    + ") is of a type no record lists");
        }
        if (!current.thumbprints().contains(thumbprint)) {
            throw new CertificateException("the " + peer + "'s key " + Jwk.fingerprint(chain[0].getPublicKey())
                    + " is not one of the " + current.thumbprints().size() + " live instance keys of service "
                    + record.service() + " (record seq " + record.seq() + ")");
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, "server");
    }

    /** No CA: a server asking for a client certificate names none, and the client picks its own key. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    @Override
    public String toString() {
        Pins current = pins.get();
        return "PinnedTrust[" + (current == null ? "no record" : current.record()) + "]";
    }
}
