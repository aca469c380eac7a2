package dev.herald.client.publisher;

import dev.herald.client.AtomicFiles;
import dev.herald.client.SwitchableKeyManager;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Hands the workload its current key and certificate, and the next ones after a rotation:
 *
 * <ul>
 * <li>as files, for servers configured by path: the certificate PEM and the PKCS#8 key PEM (0600),
 * each replaced atomically, the key first, so that a server that reloads when the certificate
 * changes finds the matching key already there. A PKCS#11 key cannot leave its token: then only
 * the certificate is written (a warning says so) and the server must use {@link #keyManager()};</li>
 * <li>as a {@link X509ExtendedKeyManager} for a Java TLS server or client: its key and certificate
 * are swapped together on rotation, so new handshakes use the new key while those under way finish
 * with the old one.</li>
 * </ul>
 */
public final class WorkloadIdentity {
    private static final System.Logger LOG = System.getLogger(WorkloadIdentity.class.getName());

    private final Path certificateFile;
    private final Path keyFile;
    private final SwitchableKeyManager keyManager = SwitchableKeyManager.empty();

    private WorkloadIdentity(Builder builder) {
        this.certificateFile = builder.certificateFile;
        this.keyFile = builder.keyFile;
    }

    /** An identity that writes no files (only the {@link #keyManager()}). */
    public static WorkloadIdentity inMemory() {
        return builder().build();
    }

    /** Starts an identity; say where its files go, if anywhere. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Hands the workload {@code key} with a self-signed certificate for the publisher's current
     * publication: common name {@code INSTANCE.SERVICE}, the names of its claims, its validity.
     */
    public void update(PublisherKey key, Publisher publisher) {
        Publication publication = publisher.publication().orElseThrow(
                () -> new IllegalStateException("nothing published yet"));
        update(key, SelfSignedCertificate.builder(key).commonName(publisher.instance() + "." + publisher.service())
                .names(publisher.claims()).validity(publication).build());
    }

    /**
     * Makes {@code key} and {@code certificate} the current identity: writes the files, then swaps the
     * key manager's entry.
     */
    public synchronized void update(PublisherKey key, X509Certificate certificate) {
        Objects.requireNonNull(key, "key");
        if (!Arrays.equals(certificate.getPublicKey().getEncoded(), key.spki())) {
            throw new IllegalArgumentException("the certificate is not of " + key);
        }
        if (keyFile != null) {
            if (key.exportable()) {
                AtomicFiles.replace(keyFile, key.privateKeyPem(), AtomicFiles.Permissions.OWNER_ONLY);
            } else {
                LOG.log(System.Logger.Level.WARNING, "{0} cannot leave its PKCS#11 token: {1} was not written, only the"
                        + " certificate; the workload must use the token (or this library''s key manager)", key, keyFile);
            }
        }
        if (certificateFile != null) {
            AtomicFiles.replace(certificateFile, SelfSignedCertificate.pem(certificate), AtomicFiles.Permissions.WORLD_READABLE);
        }
        keyManager.switchTo(key.privateKey(), List.of(certificate));
    }

    /** The current certificate, once {@link #update} has been called. */
    public Optional<X509Certificate> certificate() {
        return keyManager.certificate();
    }

    /** Whether {@link #update} writes the key file for {@code key} (it cannot for a PKCS#11 key). */
    public boolean writesKeyFile(PublisherKey key) {
        return keyFile != null && key.exportable();
    }

    /** A key manager that always presents the current key and certificate; give it to {@code SSLContext.init}. */
    public X509ExtendedKeyManager keyManager() {
        return keyManager;
    }

    /** Where the identity is written; both optional. */
    public static final class Builder {
        private Path certificateFile;
        private Path keyFile;

        private Builder() {
        }

        /** Where to write the certificate PEM (0644). */
        public Builder certificateFile(Path file) {
            this.certificateFile = file;
            return this;
        }

        /** Where to write the PKCS#8 private key PEM (0600); not written for a PKCS#11 key. */
        public Builder keyFile(Path file) {
            this.keyFile = file;
            return this;
        }

        /** The identity, empty until its first {@link WorkloadIdentity#update}. */
        public WorkloadIdentity build() {
            return new WorkloadIdentity(this);
        }
    }
}
