package dev.herald.client.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import dev.herald.client.Pem;
import dev.herald.client.Retry;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultConfig;
import dev.herald.client.testing.StubVault;
import dev.herald.client.testing.StubVault.Answer;
import dev.herald.client.testing.TestKeys;
import dev.herald.client.testing.TestPki;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.pkcs.PKCS12PBEParams;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientCertificateTest {
    private static TestPki serverCa;
    private static TestPki clientCa;
    private static StubVault stub;
    private static Path caFile;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        serverCa = TestPki.create("vault ca");
        clientCa = TestPki.create("client ca");
        stub = StubVault.https(TestPki.serverContext(serverCa.issueServer(), clientCa), "need")
                .answer("POST", "auth/cert/login", Answer.auth("cert-token", 60, true));
        caFile = serverCa.writeCertificate(shared.resolve("ca.pem"));
    }

    @AfterAll
    static void stop() {
        stub.close();
    }

    /** Logs in over TLS that requires a client certificate; returns the certificate the server saw. */
    private static java.security.cert.X509Certificate presented(KeyManager[] keyManagers) {
        VaultConfig config = stub.config().caCert(caFile).build();
        VaultClient client = VaultClient.builder(config).keyManagers(keyManagers).retry(Retry.NONE).build();
        int before = stub.requests().size();
        CertLogin.builder().build().login(client);
        return stub.requests().get(before).clientCertificates().get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"EC", "Ed25519", "RSA"})
    void aPkcs8KeyAndItsCertificateAreAcceptedByATlsServer(String algorithm) {
        TestPki.Issued client = clientCa.issueClient("client-" + algorithm, algorithm);
        Path cert = client.writeCertificate(dir.resolve("cert.pem"), true);
        Path key = client.writeKey(dir.resolve("key.pem"));

        assertEquals(client.certificate(), presented(ClientCertificate.keyManagers(cert, key)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"EC", "RSA"})
    void opensslKeyFormsAreReadToo(String algorithm) throws IOException {
        TestPki.Issued client = clientCa.issueClient("openssl-" + algorithm, algorithm);
        StringWriter pem = new StringWriter();
        if (algorithm.equals("EC")) {
            // as `openssl ec` writes it: SEC1 with the curve inside (BouncyCastle's writer leaves the curve out)
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(client.keys().getPrivate().getEncoded());
            ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
            byte[] sec1 = new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
            pem.write(Pem.encode("EC PRIVATE KEY", sec1));
        } else {
            try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
                writer.writeObject(client.keys()); // RSA PRIVATE KEY
            }
        }
        assertTrue(pem.toString().contains("BEGIN " + algorithm + " PRIVATE KEY"), pem.toString().lines().findFirst().get());
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
                + "-----END EC PARAMETERS-----\n" + pem);

        KeyManager[] managers = ClientCertificate.keyManagers(client.writeCertificate(dir.resolve("cert.pem"), false), key);

        assertEquals(client.certificate(), presented(managers));
    }

    @Test
    void theKeyManagerOffersTheChainForTheKeysTypeOnly() {
        TestPki.Issued client = clientCa.issueClient("chain", "EC");
        X509KeyManager manager = (X509KeyManager) ClientCertificate.keyManagers(
                client.writeCertificate(dir.resolve("cert.pem"), true), client.writeKey(dir.resolve("key.pem")))[0];

        String alias = manager.chooseClientAlias(new String[] {"RSA", "EC"}, null, null);
        assertEquals(List.of(client.certificate(), clientCa.certificate()), List.of(manager.getCertificateChain(alias)));
        assertEquals(client.keys().getPrivate(), manager.getPrivateKey(alias));
        assertEquals(null, manager.chooseClientAlias(new String[] {"RSA", "EdDSA"}, null, null));
        assertEquals(null, manager.chooseServerAlias("EC", null, null));
    }

    @Test
    void aKeyHeldElsewhereCanBePresented() {
        TestPki.Issued client = clientCa.issueClient("token-held", "EC");
        PrivateKey key = client.keys().getPrivate(); // stands for a PKCS#11 key: only asked to sign

        assertEquals(client.certificate(), presented(ClientCertificate.keyManagers(key, List.of(client.certificate()))));
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificateIsRefused() {
        TestPki.Issued client = clientCa.issueClient("one", "EC");
        TestPki.Issued other = clientCa.issueClient("other", "EC");
        TestPki.Issued rsa = clientCa.issueClient("rsa", "RSA");
        Path cert = client.writeCertificate(dir.resolve("cert.pem"), false);

        HeraldException e = assertThrows(HeraldException.class,
                () -> ClientCertificate.keyManagers(cert, other.writeKey(dir.resolve("other.pem"))));
        assertEquals("the private key in " + dir.resolve("other.pem") + " does not belong to the certificate in " + cert,
                e.getMessage());
        assertThrows(HeraldException.class, () -> ClientCertificate.keyManagers(cert, rsa.writeKey(dir.resolve("rsa.pem"))));
    }

    @Test
    void anEncryptedKeyIsRefusedWithAReason() throws IOException {
        TestPki.Issued client = clientCa.issueClient("enc", "EC");
        // the shape of an encrypted PKCS#8 key; the reader must refuse it before any decryption
        byte[] der = new org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo(
                new AlgorithmIdentifier(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC, new PKCS12PBEParams(new byte[8], 2048)),
                new byte[64]).getEncoded();
        Path key = Files.writeString(dir.resolve("enc.pem"), Pem.encode("ENCRYPTED PRIVATE KEY", der));

        HeraldException e = assertThrows(HeraldException.class,
                () -> ClientCertificate.keyManagers(client.writeCertificate(dir.resolve("c.pem"), false), key));

        assertTrue(e.getMessage().contains("is encrypted"), e.getMessage());
    }

    @Test
    void missingOrWrongFilesAreNamed() throws IOException {
        TestPki.Issued client = clientCa.issueClient("files", "EC");
        Path cert = client.writeCertificate(dir.resolve("cert.pem"), false);
        Path key = client.writeKey(dir.resolve("key.pem"));

        assertEquals("cannot read the client certificate " + dir.resolve("none.pem") + ": no such file",
                assertThrows(HeraldException.class, () -> ClientCertificate.keyManagers(dir.resolve("none.pem"), key))
                        .getMessage());
        assertEquals("cannot read the client key " + dir.resolve("none.key") + ": no such file",
                assertThrows(HeraldException.class, () -> ClientCertificate.keyManagers(cert, dir.resolve("none.key")))
                        .getMessage());
        assertEquals("no PEM certificate (BEGIN CERTIFICATE) in " + key,
                assertThrows(HeraldException.class, () -> ClientCertificate.keyManagers(key, key)).getMessage());
        assertEquals("no PEM private key (BEGIN PRIVATE KEY) in " + cert,
                assertThrows(HeraldException.class, () -> ClientCertificate.keyManagers(cert, cert)).getMessage());
    }

    @Test
    void errorsNeverShowKeyMaterial() throws IOException {
        TestPki.Issued client = clientCa.issueClient("garbled", "EC");
        String base64 = Base64.getEncoder().encodeToString(client.keys().getPrivate().getEncoded());
        Path key = Files.writeString(dir.resolve("garbled.pem"),
                "-----BEGIN PRIVATE KEY-----\n" + base64.substring(0, 40) + "!!\n-----END PRIVATE KEY-----\n");

        HeraldException e = assertThrows(HeraldException.class,
                () -> ClientCertificate.keyManagers(client.writeCertificate(dir.resolve("c.pem"), false), key));

        assertFalse(e.getMessage().contains(base64.substring(0, 40)), e.getMessage());
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            assertFalse(String.valueOf(cause.getMessage()).contains(base64.substring(0, 40)), cause.toString());
        }
    }

    @Test
    void anEmptyChainIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ClientCertificate.keyManagers(TestKeys.p256().getPrivate(), List.of()));
    }
}
