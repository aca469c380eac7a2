package dev.herald.client;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager that presents one private key with its certificate chain (its own certificate first)
 * whenever the TLS peer asks for a key of that type, and that can be switched to another key and
 * chain, e.g. on a rotation: give it to {@code SSLContext.init}. The key may be a PKCS#11 key, which
 * never leaves its token: the TLS code only asks it to sign. (The JDK's own key managers need a key
 * store, which cannot hold a token key beside a certificate from a file, nor change under a server.)
 *
 * <p>Each key and chain gets its own alias ({@code herald-1}, {@code herald-2}, ...), and the
 * previous one is kept: the TLS code asks for the alias first and for its key and chain later, and
 * a handshake that chose the old alias just before a switch must still get the old key with the old
 * chain, never a mix.
 */
public final class SwitchableKeyManager extends X509ExtendedKeyManager {
    private record Entry(String alias, PrivateKey key, X509Certificate[] chain, String algorithm) {
    }

    /** Whether the key is also a server's (else only a client certificate). */
    private final boolean asServerToo;
    private volatile Entry current;
    private volatile Entry previous;
    private long serial;

    private SwitchableKeyManager(boolean asServerToo) {
        this.asServerToo = asServerToo;
    }

    /** A key manager for servers and clients that presents nothing until its first {@link #switchTo}. */
    public static SwitchableKeyManager empty() {
        return new SwitchableKeyManager(true);
    }

    /**
     * Presents {@code key} with {@code chain}, as a TLS server and as a client.
     *
     * @throws IllegalArgumentException if {@code chain} is empty
     */
    public static SwitchableKeyManager of(PrivateKey key, List<X509Certificate> chain) {
        SwitchableKeyManager manager = new SwitchableKeyManager(true);
        manager.switchTo(key, chain);
        return manager;
    }

    /**
     * Presents {@code key} with {@code chain} as a TLS client only (a client certificate, never a
     * server's).
     *
     * @throws IllegalArgumentException if {@code chain} is empty
     */
    public static SwitchableKeyManager forClient(PrivateKey key, List<X509Certificate> chain) {
        SwitchableKeyManager manager = new SwitchableKeyManager(false);
        manager.switchTo(key, chain);
        return manager;
    }

    /**
     * Presents {@code key} with {@code chain} from now on; a handshake that already chose the
     * previous key finishes with it.
     *
     * @throws IllegalArgumentException if {@code chain} is empty
     */
    public synchronized void switchTo(PrivateKey key, List<X509Certificate> chain) {
        Objects.requireNonNull(key, "key");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("the certificate chain is empty");
        }
        X509Certificate[] certificates = chain.toArray(X509Certificate[]::new);
        previous = current;
        current = new Entry("herald-" + ++serial, key, certificates, certificates[0].getPublicKey().getAlgorithm());
    }

    /** The certificate presented now (the first of its chain), if any. */
    public Optional<X509Certificate> certificate() {
        Entry now = current;
        return now == null ? Optional.empty() : Optional.of(now.chain[0]);
    }

    private Entry entry(String alias) {
        Entry now = current;
        Entry before = previous;
        if (now != null && now.alias.equals(alias)) {
            return now;
        }
        return before != null && before.alias.equals(alias) ? before : null;
    }

    /** The current alias if its key fits one of the key types the TLS code asks for, else null. */
    private String fitting(String... keyTypes) {
        Entry now = current;
        if (now == null || keyTypes == null) {
            return null;
        }
        for (String keyType : keyTypes) {
            if (keyType != null && fits(keyType, now.algorithm)) {
                return now.alias;
            }
        }
        return null;
    }

    /**
     * Whether a key of {@code algorithm} is of {@code keyType} as the TLS code names it: the key
     * algorithm ("EC", "RSA", "EdDSA"), or in TLS 1.2 a key and signer pair such as "EC_EC"; an
     * Ed25519 key may call itself "EdDSA" or "Ed25519".
     */
    private static boolean fits(String keyType, String algorithm) {
        String wanted = keyType.toUpperCase(Locale.ROOT);
        int pair = wanted.indexOf('_');
        if (pair > 0) {
            wanted = wanted.substring(0, pair);
        }
        String mine = algorithm.toUpperCase(Locale.ROOT);
        return wanted.equals(mine) || isEdDsa(wanted) && isEdDsa(mine);
    }

    private static boolean isEdDsa(String algorithm) {
        return algorithm.equals("EDDSA") || algorithm.equals("ED25519");
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String alias = fitting(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return fitting(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return fitting(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return asServerToo ? getClientAliases(keyType, issuers) : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return asServerToo ? fitting(keyType) : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return asServerToo ? fitting(keyType) : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Entry entry = entry(alias);
        return entry == null ? null : entry.chain.clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Entry entry = entry(alias);
        return entry == null ? null : entry.key;
    }

    @Override
    public String toString() {
        Entry now = current;
        return "SwitchableKeyManager[" + (now == null ? "empty" : now.alias + " "
                + now.chain[0].getSubjectX500Principal()) + (asServerToo ? "" : ", client only") + "]";
    }
}
