package dev.herald.client.pkcs11;

import dev.herald.client.HeraldException;
import dev.herald.client.SwitchableKeyManager;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A PKCS#11 token (an HSM, a smart card, SoftHSM2) opened through the JDK's SunPKCS11 provider and
 * logged in: its keys by label (the key store alias), {@link KeyManager}s for mutual TLS, and P-256
 * key pairs made inside the token, whose private half never leaves it.
 *
 * <p>The token is chosen by slot index, slot id or token label. SunPKCS11 knows only slots, so a
 * label is looked up with OpenSC's {@code pkcs11-tool --list-token-slots}, which must then be
 * installed. The provider is registered with {@link Security} while the token is open, because the
 * JDK's TLS code finds the signature implementation for a token key only among registered
 * providers; {@link #close()} removes it.
 *
 * <p>The PIN is given as a {@code char[]} that the caller read from a file or the environment
 * ({@link #readPin(Path)}), never from a command line. It is not kept: the caller may clear its
 * array once {@link Builder#open(char[])} returns. PKCS#11 logins belong to the process: while
 * another handle of this process has the token open, the token is logged in already and a new
 * handle's PIN is not checked again.
 */
public final class Pkcs11Token implements AutoCloseable {
    private static final AtomicInteger PROVIDERS = new AtomicInteger();
    /** Validity of the certificate stored beside a generated key: it only holds the key's place in the store. */
    private static final Duration HOLDER_VALIDITY = Duration.ofDays(3650);

    /** The providers of each module's handles: they share its logins (see close). Guarded by itself. */
    private static final Map<Path, ModuleHandles> HANDLES = new HashMap<>();

    private final Path module;
    private final Provider provider;
    private final KeyStore keyStore;
    private final String description;

    private Pkcs11Token(Path module, Provider provider, KeyStore keyStore, String description) {
        this.module = module;
        this.provider = provider;
        this.keyStore = keyStore;
        this.description = description;
        synchronized (HANDLES) {
            HANDLES.computeIfAbsent(module, m -> new ModuleHandles()).open.add(provider);
        }
    }

    /** The providers of one module's handles: those still open, and those closed but not yet logged out. */
    private static final class ModuleHandles {
        final List<Provider> open = new ArrayList<>();
        final List<Provider> closed = new ArrayList<>();
    }

    /** Starts opening the token of the PKCS#11 module (shared library) at {@code module}. */
    public static Builder builder(Path module) {
        return new Builder(module);
    }

    /**
     * Reads a PIN from a file: its content without a final line break, so that {@code echo PIN > file}
     * works. Read the file only where its permissions keep it private.
     */
    public static char[] readPin(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new HeraldException("cannot read the PIN file " + file + ": " + e.getMessage(), e);
        }
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--;
        }
        CharBuffer decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, end));
        char[] pin = new char[decoded.remaining()];
        decoded.get(pin);
        Arrays.fill(bytes, (byte) 0);
        Arrays.fill(decoded.array(), '\0');
        if (pin.length == 0) {
            throw new HeraldException("the PIN file " + file + " is empty");
        }
        return pin;
    }

    /** The logged-in SunPKCS11 provider: give it to {@code Signature.getInstance} for the token's keys. */
    public Provider provider() {
        return provider;
    }

    /** The token's key store: one entry per key (its label is the alias) and per certificate. */
    public KeyStore keyStore() {
        return keyStore;
    }

    /** Whether the token holds a key or certificate labelled {@code label}. */
    public boolean contains(String label) {
        try {
            return keyStore.containsAlias(label);
        } catch (KeyStoreException e) {
            throw new HeraldException("cannot list the entries of " + description + ": " + e.getMessage(), e);
        }
    }

    /** The labels of the token's entries, for messages and tools. */
    public List<String> labels() {
        try {
            List<String> labels = new ArrayList<>(Collections.list(keyStore.aliases()));
            Collections.sort(labels);
            return List.copyOf(labels);
        } catch (KeyStoreException e) {
            throw new HeraldException("cannot list the entries of " + description + ": " + e.getMessage(), e);
        }
    }

    /**
     * The private key labelled {@code label}: a handle, usable with {@link #provider()} only.
     *
     * @throws HeraldException naming the label when the token has no private key under it
     */
    public PrivateKey privateKey(String label) {
        try {
            Key key = contains(label) ? keyStore.getKey(label, null) : null;
            if (key instanceof PrivateKey privateKey) {
                return privateKey;
            }
            if (contains(label)) {
                throw new HeraldException("the entry labelled '" + label + "' in " + description
                        + " has no private key (a certificate alone, or a key this login cannot see)");
            }
        } catch (GeneralSecurityException e) {
            throw new HeraldException("cannot read the key labelled '" + label + "' in " + description + ": "
                    + e.getMessage(), e);
        }
        throw missing("private key", label);
    }

    /** The certificate stored with the key labelled {@code label} (the first of its chain). */
    public X509Certificate certificate(String label) {
        return certificateChain(label).get(0);
    }

    /** The certificate chain stored with the key labelled {@code label}, the key's own certificate first. */
    public List<X509Certificate> certificateChain(String label) {
        try {
            Certificate[] chain = contains(label) ? keyStore.getCertificateChain(label) : null;
            if (chain == null || chain.length == 0) {
                Certificate single = contains(label) ? keyStore.getCertificate(label) : null;
                chain = single == null ? new Certificate[0] : new Certificate[] {single};
            }
            if (chain.length == 0) {
                throw missing("certificate", label);
            }
            List<X509Certificate> result = new ArrayList<>();
            for (Certificate certificate : chain) {
                result.add((X509Certificate) certificate);
            }
            return List.copyOf(result);
        } catch (KeyStoreException e) {
            throw new HeraldException("cannot read the certificate labelled '" + label + "' in " + description + ": "
                    + e.getMessage(), e);
        }
    }

    /** The key labelled {@code label} with the public key of its certificate. */
    public KeyPair keyPair(String label) {
        PrivateKey privateKey = privateKey(label);
        return new KeyPair(certificate(label).getPublicKey(), privateKey);
    }

    /**
     * Key managers that present the key labelled {@code label} with its certificate chain, for mutual
     * TLS (cert auth to Vault, or a workload's server): give them to {@code SSLContext.init}.
     */
    public KeyManager[] keyManagers(String label) {
        List<X509Certificate> chain = certificateChain(label);
        return new KeyManager[] {SwitchableKeyManager.of(privateKey(label), chain)};
    }

    /**
     * Makes a P-256 key pair inside the token and keeps it there under {@code label}: the private key
     * is a sensitive, non-extractable token object, stored with a self-signed certificate (the key
     * store keeps a key only with a certificate; this one only holds its place).
     *
     * @throws HeraldException if the token already has an entry labelled {@code label} (nothing is
     *                         overwritten) or cannot make the key
     */
    public KeyPair generateP256(String label) {
        requireLabel(label);
        if (contains(label)) {
            throw new HeraldException(description + " already has an entry labelled '" + label
                    + "'; nothing was generated (use that key, or choose another label)");
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", provider);
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair session = generator.generateKeyPair();
            X509Certificate holder = holderCertificate(session, label);
            // a session key is copied into a token object (CKA_TOKEN=true) labelled with the alias
            keyStore.setKeyEntry(label, session.getPrivate(), null, new Certificate[] {holder});
            return keyPair(label);
        } catch (GeneralSecurityException | OperatorCreationException | ProviderException e) {
            throw new HeraldException("cannot generate a P-256 key labelled '" + label + "' in " + description + ": "
                    + messages(e), e);
        }
    }

    /** Removes the entry labelled {@code label} (the key and its certificate) from the token. */
    public void delete(String label) {
        if (!contains(label)) {
            throw missing("entry", label);
        }
        try {
            keyStore.deleteEntry(label);
        } catch (KeyStoreException e) {
            throw new HeraldException("cannot delete the entry labelled '" + label + "' in " + description + ": "
                    + messages(e), e);
        }
    }

    /**
     * Gives the key labelled {@code from} the label {@code to}: the same token object, relabelled
     * (nothing is copied). Fails if {@code to} is already taken.
     */
    public void rename(String from, String to) {
        requireLabel(to);
        if (contains(to)) {
            throw new HeraldException(description + " already has an entry labelled '" + to + "'; '" + from
                    + "' was not renamed");
        }
        PrivateKey key = privateKey(from);
        Certificate[] chain = certificateChain(from).toArray(new Certificate[0]);
        try {
            // SunPKCS11 recognises the key by its certificate's public key: it sets the key's CKA_ID and
            // stores the certificate again under the new label; the key object itself is not copied
            keyStore.setKeyEntry(to, key, null, chain);
        } catch (KeyStoreException e) {
            throw new HeraldException("cannot rename '" + from + "' to '" + to + "' in " + description + ": "
                    + messages(e), e);
        }
    }

    /**
     * Unregisters the provider; keys taken from this token must not be used afterwards. A PKCS#11
     * login belongs to the whole process (the module is loaded once), not to one handle, so the
     * tokens of a module are logged out only when its last open handle closes: logging out earlier
     * would log the other handles out too.
     */
    @Override
    public void close() {
        synchronized (HANDLES) {
            ModuleHandles handles = HANDLES.get(module);
            if (handles == null || !handles.open.remove(provider)) {
                return; // closed before
            }
            Security.removeProvider(provider.getName());
            handles.closed.add(provider);
            if (handles.open.isEmpty()) {
                HANDLES.remove(module);
                handles.closed.forEach(Pkcs11Token::logout);
            }
        }
    }

    private static void logout(Provider provider) {
        try {
            if (provider instanceof AuthProvider auth) {
                auth.logout();
            }
        } catch (LoginException | RuntimeException e) {
            // the module stays loaded; nothing the caller could do about a failed logout
        }
    }

    @Override
    public String toString() {
        return description;
    }

    private HeraldException missing(String what, String label) {
        return new HeraldException("no " + what + " labelled '" + label + "' in " + description
                + " (labels present: " + (labels().isEmpty() ? "none" : String.join(", ", labels())) + ")");
    }

    private X509Certificate holderCertificate(KeyPair pair, String label)
            throws OperatorCreationException, GeneralSecurityException {
        // A subject of its own: SunPKCS11 keeps a certificate that another one names as its issuer
        // (a CA, to its mind), so two holders with one subject would outlive their keys.
        BigInteger serial = new BigInteger(64, new SecureRandom()).add(BigInteger.ONE);
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, label)
                .addRDN(BCStyle.SERIALNUMBER, serial.toString(16)).build();
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, serial,
                java.util.Date.from(now.minus(Duration.ofHours(1))), java.util.Date.from(now.plus(HOLDER_VALIDITY)),
                name, pair.getPublic());
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(provider).build(pair.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static void requireLabel(String label) {
        if (label == null || label.isBlank()) {
            throw new HeraldException("a PKCS#11 key label must not be empty");
        }
    }

    /** The messages of an exception and its causes: PKCS#11 return codes hide in the causes. */
    private static String messages(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !text.toString().contains(t.getMessage())) {
                text.append(text.isEmpty() ? "" : ": ").append(t.getMessage());
            }
        }
        return text.isEmpty() ? e.getClass().getSimpleName() : text.toString();
    }

    /** Chooses the module, the token and logs in. */
    public static final class Builder {
        private final Path module;
        private Integer slotIndex;
        private Long slotId;
        private String tokenLabel;

        private Builder(Path module) {
            this.module = Objects.requireNonNull(module, "module").toAbsolutePath().normalize();
        }

        /** The token in the module's {@code index}-th slot (0 first), as SunPKCS11's {@code slotListIndex}. */
        public Builder slotIndex(int index) {
            this.slotIndex = index;
            return this;
        }

        /** The token in the slot with this PKCS#11 slot id. */
        public Builder slotId(long id) {
            this.slotId = id;
            return this;
        }

        /** The token with this label (looked up with {@code pkcs11-tool}). */
        public Builder tokenLabel(String label) {
            this.tokenLabel = label;
            return this;
        }

        /**
         * Loads the module, opens the token and logs in with {@code pin}.
         *
         * @throws HeraldException saying whether the module is missing, the slot or label unknown, or the
         *                         PIN refused ({@code CKR_PIN_INCORRECT}); nothing is written in any case
         */
        public Pkcs11Token open(char[] pin) {
            Objects.requireNonNull(pin, "pin");
            int chosen = (slotIndex != null ? 1 : 0) + (slotId != null ? 1 : 0) + (tokenLabel != null ? 1 : 0);
            if (chosen != 1) {
                throw new HeraldException("choose the PKCS#11 token by exactly one of slot index, slot id and token label");
            }
            if (!Files.isRegularFile(module)) {
                throw new HeraldException("the PKCS#11 module " + module + " does not exist (or is not a file)");
            }
            String text = module.toString();
            if (text.contains("\"") || text.contains("\\") || text.contains("$") || text.contains("\n")) {
                throw new HeraldException("the PKCS#11 module path " + module
                        + " contains a quote, backslash, '$' or line break, which SunPKCS11 cannot take");
            }
            String slotLine;
            String token;
            if (slotIndex != null) {
                slotLine = "slotListIndex = " + slotIndex;
                token = "the token in slot index " + slotIndex;
            } else if (slotId != null) {
                slotLine = "slot = " + slotId;
                token = "the token in slot " + slotId;
            } else {
                long id = TokenSlots.slotOf(module, tokenLabel);
                slotLine = "slot = " + id;
                token = "token '" + tokenLabel + "'";
            }
            String description = "PKCS#11 " + token + " (module " + module + ")";
            Provider provider = configure(description, slotLine);
            try {
                KeyStore store = KeyStore.getInstance("PKCS11", provider);
                store.load(null, pin);
                return new Pkcs11Token(module, provider, store, description);
            } catch (IOException | GeneralSecurityException | ProviderException e) {
                Security.removeProvider(provider.getName());
                throw loginFailure(description, e);
            }
        }

        private Provider configure(String description, String slotLine) {
            String name = "herald-" + PROVIDERS.incrementAndGet();
            // Private keys made by generateP256 must never leave the token.
            String config = "--name = " + name + "\n"
                    + "library = \"" + module + "\"\n"
                    + slotLine + "\n"
                    + "attributes(generate, CKO_PRIVATE_KEY, *) = {\n"
                    + "  CKA_SENSITIVE = true\n"
                    + "  CKA_EXTRACTABLE = false\n"
                    + "}\n";
            Provider base = Security.getProvider("SunPKCS11");
            if (base == null) {
                throw new HeraldException("this Java runtime has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
            }
            Provider provider;
            try {
                provider = base.configure(config);
            } catch (ProviderException | java.security.InvalidParameterException e) {
                String why = messages(e);
                if (why.contains("CKR_SLOT_ID_INVALID") || why.contains("slotListIndex")) {
                    throw new HeraldException("no such slot: " + description + " (" + why + ")", e);
                }
                if (why.contains("CKR_TOKEN_NOT_PRESENT")) {
                    throw new HeraldException("no token present: " + description + " (" + why + ")", e);
                }
                throw new HeraldException("cannot load the PKCS#11 module for " + description + ": " + why, e);
            }
            Security.addProvider(provider);
            return provider;
        }

        private static HeraldException loginFailure(String description, Exception e) {
            String why = messages(e);
            for (String code : List.of("CKR_PIN_INCORRECT", "CKR_PIN_LOCKED", "CKR_PIN_LEN_RANGE", "CKR_PIN_EXPIRED")) {
                if (why.contains(code)) {
                    String problem = code.equals("CKR_PIN_INCORRECT") ? "the PIN was refused"
                            : code.equals("CKR_PIN_LOCKED") ? "the PIN is locked (too many wrong PINs)"
                            : code.equals("CKR_PIN_LEN_RANGE") ? "the PIN was refused (wrong length)"
                            : "the PIN has expired";
                    return new HeraldException(problem + " by " + description + " (" + code + ")", e);
                }
            }
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof FailedLoginException) {
                    return new HeraldException("the PIN was refused by " + description, e);
                }
            }
            return new HeraldException("cannot log in to " + description + ": " + why, e);
        }
    }
}
