package dev.herald.client.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
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
        this.keys = generate("EC");
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
        KeyPair pair = generate("EC");
        return new Issued(pair, sign(new X500Name("CN=localhost"), pair, false, KeyPurposeId.id_kp_serverAuth), this);
    }

    /** A client certificate named {@code name} with a new key of {@code algorithm} (EC, Ed25519, RSA). */
    public Issued issueClient(String name, String algorithm) {
        KeyPair pair = generate(algorithm);
        return new Issued(pair, sign(new X500Name("CN=" + name), pair, false, KeyPurposeId.id_kp_clientAuth), this);
    }

    /** Writes the CA certificate as PEM. */
    public Path writeCertificate(Path file) {
        return write(file, pem("CERTIFICATE", encoded(certificate)));
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

    /** One RSA key pair for all tests: generating 2048-bit keys takes long, and no test needs two. */
    private static KeyPair rsa;

    static synchronized KeyPair generate(String algorithm) {
        if (algorithm.equals("RSA") && rsa != null) {
            return rsa;
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("EC")) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else if (algorithm.equals("RSA")) {
                generator.initialize(2048);
            }
            KeyPair pair = generator.generateKeyPair();
            if (algorithm.equals("RSA")) {
                rsa = pair;
            }
            return pair;
        } catch (GeneralSecurityException e) {
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

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path write(Path file, String text) {
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

        /** Writes the certificate (then the CA's, when {@code withChain}) as PEM. */
        public Path writeCertificate(Path file, boolean withChain) {
            String text = pem("CERTIFICATE", encoded(certificate));
            return write(file, withChain ? text + pem("CERTIFICATE", encoded(issuer.certificate)) : text);
        }

        /** Writes the private key as unencrypted PKCS#8 PEM. */
        public Path writeKey(Path file) {
            return write(file, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        }

        @Override
        public String toString() {
            return "Issued[" + certificate.getSubjectX500Principal() + "]";
        }
    }
}
