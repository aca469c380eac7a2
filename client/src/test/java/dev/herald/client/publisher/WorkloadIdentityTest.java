package dev.herald.client.publisher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.testing.CapturingTrust;
import dev.herald.client.testing.TestTls;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WorkloadIdentityTest {
    @TempDir
    Path dir;

    @Test
    void writesTheKeyPrivateAndTheCertificatePublicAndReplacesBoth() throws Exception {
        Path keyFile = dir.resolve("tls.key");
        Path certificateFile = dir.resolve("tls.crt");
        WorkloadIdentity identity = WorkloadIdentity.builder().keyFile(keyFile).certificateFile(certificateFile).build();

        PublisherKey first = PublisherKey.generate(PublisherKey.Type.EC_P256);
        identity.update(first, certificate(first));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(certificateFile)));
        assertEquals(first.fingerprint(), PublisherKey.fromFile(keyFile, PublisherKey.Type.ED25519).fingerprint());
        assertArrayEquals(first.spki(), readCertificate(certificateFile).getPublicKey().getEncoded());

        PublisherKey second = PublisherKey.generate(PublisherKey.Type.ED25519);
        identity.update(second, certificate(second));
        assertEquals(second.fingerprint(), PublisherKey.fromFile(keyFile, PublisherKey.Type.EC_P256).fingerprint());
        assertArrayEquals(second.spki(), readCertificate(certificateFile).getPublicKey().getEncoded());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files are left");
        }
    }

    @Test
    void aCertificateOfAnotherKeyIsRefused() {
        PublisherKey key = PublisherKey.generate(PublisherKey.Type.ED25519);
        PublisherKey other = PublisherKey.generate(PublisherKey.Type.ED25519);
        assertThrows(IllegalArgumentException.class, () -> WorkloadIdentity.inMemory().update(key, certificate(other)));
    }

    @Test
    void aHandshakeThatChoseTheOldAliasGetsTheOldKeyAndChainAfterASwap() {
        WorkloadIdentity identity = WorkloadIdentity.inMemory();
        PublisherKey first = PublisherKey.generate(PublisherKey.Type.EC_P256);
        identity.update(first, certificate(first));
        var manager = identity.keyManager();
        String chosen = manager.chooseServerAlias("EC", null, (java.net.Socket) null);

        PublisherKey second = PublisherKey.generate(PublisherKey.Type.EC_P256);
        identity.update(second, certificate(second));
        assertEquals(first.privateKey(), manager.getPrivateKey(chosen));
        assertArrayEquals(first.spki(), manager.getCertificateChain(chosen)[0].getPublicKey().getEncoded());

        String now = manager.chooseServerAlias("EC", null, (java.net.Socket) null);
        assertNotEquals(chosen, now);
        assertEquals(second.privateKey(), manager.getPrivateKey(now));
        assertEquals(null, manager.chooseServerAlias("RSA", null, (java.net.Socket) null), "no RSA key to offer");
    }

    @ParameterizedTest
    @EnumSource(PublisherKey.Type.class)
    void newHandshakesUseTheNewKey(PublisherKey.Type type) throws Exception {
        WorkloadIdentity identity = WorkloadIdentity.inMemory();
        PublisherKey first = PublisherKey.generate(type);
        identity.update(first, certificate(first));
        SSLContext server = SSLContext.getInstance("TLSv1.3");
        server.init(new KeyManager[] {identity.keyManager()}, null, new SecureRandom());

        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
            assertArrayEquals(first.spki(), presented(listener).getPublicKey().getEncoded());
            PublisherKey second = PublisherKey.generate(type);
            identity.update(second, certificate(second));
            assertArrayEquals(second.spki(), presented(listener).getPublicKey().getEncoded());
        }
    }

    /** The certificate the server presents in one handshake. */
    private static X509Certificate presented(SSLServerSocket listener) throws Exception {
        SSLContext client = SSLContext.getInstance("TLSv1.3");
        CapturingTrust trust = new CapturingTrust();
        client.init(null, new TrustManager[] {trust}, new SecureRandom());
        TestTls.handshake(listener, client);
        assertTrue(trust.seen() != null);
        return trust.seen();
    }

    private static X509Certificate certificate(PublisherKey key) {
        Instant now = Instant.now();
        return SelfSignedCertificate.builder(key).name("localhost").validity(now, now.plus(Duration.ofHours(1))).build();
    }

    private static X509Certificate readCertificate(Path file) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
    }
}
