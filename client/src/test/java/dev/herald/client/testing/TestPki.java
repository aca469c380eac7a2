package dev.herald.client.testing;

import dev.herald.client.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test certificate authority made with BouncyCastle: it issues server certificates for the
 * loopback address and client certificates with EC, Ed25519 or RSA keys, and writes them as PEM.
 */
public final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestPki(String name) {
        this.keys = TestKeys.p256();
        this.certificate = sign(new X500Name("CN=" + name), keys, true, null);
    }

    /** A new CA named {@code name}. */
    public static TestPki create(String name) {
        return new TestPki(name);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A certificate for a server on 127.0.0.1 / localhost. */
    public Issued issueServer() {
        KeyPair pair = TestKeys.p256();
        return new Issued(pair, sign(new X500Name("CN=localhost"), pair, false, KeyPurposeId.id_kp_serverAuth), this);
    }

    /** A client certificate named {@code name} with a new key of {@code algorithm} (EC, Ed25519, RSA). */
    public Issued issueClient(String name, String algorithm) {
        KeyPair pair = TestKeys.of(algorithm);
        return new Issued(pair, sign(new X500Name("CN=" + name), pair, false, KeyPurposeId.id_kp_clientAuth), this);
    }

    /** Writes the CA certificate as PEM. */
    public Path writeCertificate(Path file) {
        return write(file, Pem.encode("CERTIFICATE", encoded(certificate)));
    }

    /**
     * TLS for a test server presenting {@code server} and, if {@code clients} is not null, trusting
     * client certificates that {@code clients} issued.
     */
    public static SSLContext serverContext(Issued server, TestPki clients) {
        try {
            TrustManagerFactory trust = null;
            if (clients != null) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setCertificateEntry("clients", clients.certificate);
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(server.keyManagers(), trust == null ? null : trust.getTrustManagers(), RANDOM);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed certificate for {@code keys} (EC, Ed25519 or RSA), named {@code CN=commonName}, valid for a day. */
    public static X509Certificate selfSigned(KeyPair keys, String commonName) {
        String algorithm = switch (keys.getPublic().getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> "Ed25519";
        };
        try {
            X500Name name = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, RANDOM), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic())
                    .build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JDK's own key managers presenting {@code keys} with {@code certificate} (not the code under test). */
    public static KeyManager[] jdkKeyManagers(KeyPair keys, X509Certificate certificate) {
        try {
            char[] password = "test".toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", keys.getPrivate(), password, new X509Certificate[] {certificate});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private X509Certificate sign(X500Name subject, KeyPair subjectKeys, boolean ca, KeyPurposeId purpose) {
        try {
            Instant now = Instant.now();
            X500Name issuer = ca ? subject : new X500Name(certificate.getSubjectX500Principal().getName());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), subject,
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            }
            PrivateKey signer = ca ? subjectKeys.getPrivate() : keys.getPrivate();
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A key pair and the certificate this CA issued for it. */
    public record Issued(KeyPair keys, X509Certificate certificate, TestPki issuer) {
        /** The JDK's own key managers for this certificate (not the code under test). */
        public KeyManager[] keyManagers() {
            return jdkKeyManagers(keys, certificate);
        }

        /** Writes the certificate (then the CA's, when {@code withChain}) as PEM. */
        public Path writeCertificate(Path file, boolean withChain) {
            String text = Pem.encode("CERTIFICATE", encoded(certificate));
            return write(file, withChain ? text + Pem.encode("CERTIFICATE", encoded(issuer.certificate)) : text);
        }

        /** Writes the private key as unencrypted PKCS#8 PEM. */
        public Path writeKey(Path file) {
            return write(file, Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()));
        }

        @Override
        public String toString() {
            return "Issued[" + certificate.getSubjectX500Principal() + "]";
        }
    }
}
