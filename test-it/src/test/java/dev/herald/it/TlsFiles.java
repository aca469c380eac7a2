package dev.herald.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test CA and a server certificate it signed for 127.0.0.1 and localhost, as PEM files, for a
 * server's TLS listener; and client certificates for the cert auth method.
 */
final class TlsFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final KeyPair caKey;
    private final X509Certificate ca;

    private TlsFiles(Path dir, KeyPair caKey, X509Certificate ca) {
        this.dir = dir;
        this.caKey = caKey;
        this.ca = ca;
    }

    /** A new CA in {@code dir} ({@code ca.pem}) and a server certificate ({@code server.pem}, {@code server-key.pem}). */
    static TlsFiles create(Path dir) {
        try {
            Files.createDirectories(dir);
            KeyPair caKey = p256();
            X500Name caName = new X500Name("CN=Herald test CA");
            X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(), caName,
                    caKey.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)), caKey);
            TlsFiles files = new TlsFiles(dir, caKey, ca);
            writePem(files.caCert(), "CERTIFICATE", ca.getEncoded());
            KeyPair serverKey = p256();
            X509Certificate server = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(),
                    new X500Name("CN=localhost"), serverKey.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.dNSName, "localhost")})), caKey);
            writePem(files.serverCert(), "CERTIFICATE", server.getEncoded());
            writePem(files.serverKey(), "PRIVATE KEY", serverKey.getPrivate().getEncoded());
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    Path caCert() {
        return dir.resolve("ca.pem");
    }

    Path serverCert() {
        return dir.resolve("server.pem");
    }

    Path serverKey() {
        return dir.resolve("server-key.pem");
    }

    /** A client certificate for {@code key} signed by this CA, written to {@code NAME.pem}; returns its path. */
    Path clientCertificate(String name, java.security.PublicKey key) {
        try {
            X509Certificate client = sign(new JcaX509v3CertificateBuilder(new X500Name("CN=Herald test CA"), serial(),
                    notBefore(), notAfter(), new X500Name("CN=" + name), key), caKey);
            Path file = dir.resolve(name + ".pem");
            writePem(file, "CERTIFICATE", client.getEncoded());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A P-256 key and a client certificate for it signed by this CA ({@code NAME.pem}, {@code NAME-key.pem}). */
    java.util.List<Path> client(String name) {
        try {
            KeyPair key = p256();
            Path certificateFile = clientCertificate(name, key.getPublic());
            Path keyFile = dir.resolve(name + "-key.pem");
            writePem(keyFile, "PRIVATE KEY", key.getPrivate().getEncoded());
            return java.util.List.of(certificateFile, keyFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key and a self-signed certificate that nothing published: a rogue service's ({@code NAME.pem}, {@code NAME-key.pem}). */
    java.util.List<Path> selfSigned(String name) {
        try {
            KeyPair key = p256();
            X500Name subject = new X500Name("CN=" + name);
            X509Certificate certificate = sign(new JcaX509v3CertificateBuilder(subject, serial(), notBefore(), notAfter(),
                    subject, key.getPublic()), key);
            Path certificateFile = dir.resolve(name + ".pem");
            Path keyFile = dir.resolve(name + "-key.pem");
            writePem(certificateFile, "CERTIFICATE", certificate.getEncoded());
            writePem(keyFile, "PRIVATE KEY", key.getPrivate().getEncoded());
            return java.util.List.of(certificateFile, keyFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    X509Certificate ca() {
        return ca;
    }

    static KeyPair p256() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static void writePem(Path file, String type, byte[] der) throws IOException {
        Files.writeString(file, "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n");
    }

    private static X509Certificate sign(org.bouncycastle.cert.X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(RANDOM.nextLong(1, Long.MAX_VALUE));
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofMinutes(5)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }
}
