package dev.herald.client.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import dev.herald.client.SwitchableKeyManager;
import dev.herald.client.testing.CapturingTrust;
import dev.herald.client.testing.ChildChecks;
import dev.herald.client.testing.TestKeys;
import dev.herald.client.testing.TestPki;
import dev.herald.client.testing.TestTls;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;

/** Runs in a child JVM with SOFTHSM2_CONF set; args: module, PIN file, scratch directory. */
public final class Pkcs11TokenChecks {
    private Pkcs11TokenChecks() {
    }

    public static void main(String[] args) {
        Path module = Path.of(args[0]);
        Path pinFile = Path.of(args[1]);
        Path dir = Path.of(args[2]);
        new ChildChecks()
                .add("opens the token chosen by its label", () -> {
                    try (Pkcs11Token token = open(module, pinFile)) {
                        assertTrue(token.toString().contains("'herald-test'"), token.toString());
                        assertEquals(List.of(), token.labels());
                    }
                })
                .add("a wrong PIN is refused as CKR_PIN_INCORRECT, and nothing is written", () -> {
                    HeraldException e = assertThrows(HeraldException.class, () ->
                            Pkcs11Token.builder(module).tokenLabel("herald-test").open("wrong-pin".toCharArray()));
                    assertTrue(e.getMessage().contains("the PIN was refused"), e.getMessage());
                    assertTrue(e.getMessage().contains("CKR_PIN_INCORRECT"), e.getMessage());
                    assertFalse(e.getMessage().contains("wrong-pin"), "the PIN is never in a message");
                    try (Pkcs11Token token = open(module, pinFile)) {
                        assertEquals(List.of(), token.labels());
                    }
                })
                .add("an unknown token label is named, with the labels present", () -> {
                    HeraldException e = assertThrows(HeraldException.class, () ->
                            Pkcs11Token.builder(module).tokenLabel("no-such-token").open(Pkcs11Token.readPin(pinFile)));
                    assertTrue(e.getMessage().contains("'no-such-token'"), e.getMessage());
                    assertTrue(e.getMessage().contains("herald-test") && e.getMessage().contains("other-token"),
                            e.getMessage());
                })
                .add("a missing slot is named", () -> {
                    HeraldException e = assertThrows(HeraldException.class, () ->
                            Pkcs11Token.builder(module).slotIndex(99).open(Pkcs11Token.readPin(pinFile)));
                    assertTrue(e.getMessage().contains("no such slot") && e.getMessage().contains("99"), e.getMessage());
                })
                .add("a module that is no PKCS#11 library is named", () -> {
                    Path notALibrary = dir.resolve("softhsm2.conf");
                    HeraldException e = assertThrows(HeraldException.class, () ->
                            Pkcs11Token.builder(notALibrary).slotIndex(0).open(Pkcs11Token.readPin(pinFile)));
                    assertTrue(e.getMessage().contains("cannot load the PKCS#11 module"), e.getMessage());
                })
                .add("a P-256 key is made inside the token and stays there", () -> {
                    byte[] publicKey;
                    try (Pkcs11Token token = open(module, pinFile)) {
                        KeyPair pair = token.generateP256("workload");
                        assertEquals("EC", pair.getPublic().getAlgorithm());
                        assertNull(pair.getPrivate().getEncoded(), "the private key cannot leave the token");
                        assertTrue(signs(pair, token));
                        publicKey = pair.getPublic().getEncoded();
                        HeraldException e = assertThrows(HeraldException.class, () -> token.generateP256("workload"));
                        assertTrue(e.getMessage().contains("already has an entry labelled 'workload'"), e.getMessage());
                    }
                    try (Pkcs11Token token = open(module, pinFile)) {
                        assertEquals(List.of("workload"), token.labels());
                        KeyPair again = token.keyPair("workload");
                        assertArrayEquals(publicKey, again.getPublic().getEncoded());
                        assertTrue(signs(again, token));
                    }
                })
                .add("a missing key label is named", () -> {
                    try (Pkcs11Token token = open(module, pinFile)) {
                        HeraldException e = assertThrows(HeraldException.class, () -> token.privateKey("absent"));
                        assertTrue(e.getMessage().contains("'absent'"), e.getMessage());
                        assertTrue(e.getMessage().contains("workload"), "lists the labels present: " + e.getMessage());
                    }
                })
                .add("a key is renamed in place and deleted", () -> {
                    try (Pkcs11Token token = open(module, pinFile)) {
                        byte[] before = token.keyPair("workload").getPublic().getEncoded();
                        token.rename("workload", "renamed");
                        assertEquals(List.of("renamed"), token.labels());
                        assertArrayEquals(before, token.keyPair("renamed").getPublic().getEncoded());
                        token.delete("renamed");
                        assertEquals(List.of(), token.labels());
                    }
                })
                .add("the key managers give a token key to a mutual TLS handshake", () -> {
                    try (Pkcs11Token token = open(module, pinFile)) {
                        KeyPair client = token.generateP256("client");
                        X509Certificate seen = clientCertificateSeenByServer(token.keyManagers("client"));
                        assertArrayEquals(client.getPublic().getEncoded(), seen.getPublicKey().getEncoded());
                        X509ExtendedKeyManager manager = (X509ExtendedKeyManager) token.keyManagers("client")[0];
                        assertNull(manager.chooseClientAlias(new String[] {"RSA"}, null, null), "no RSA key");
                    }
                })
                .add("closing one of two handles keeps the other logged in", () -> {
                    try (Pkcs11Token first = open(module, pinFile)) {
                        KeyPair pair = first.generateP256("shared");
                        open(module, pinFile).close();
                        assertTrue(signs(first.keyPair("shared"), first), "still logged in");
                        assertArrayEquals(pair.getPublic().getEncoded(), first.keyPair("shared").getPublic().getEncoded());
                        first.delete("shared");
                    }
                    HeraldException e = assertThrows(HeraldException.class, () ->
                            Pkcs11Token.builder(module).tokenLabel("herald-test").open("wrong-pin".toCharArray()));
                    assertTrue(e.getMessage().contains("CKR_PIN_INCORRECT"), "logged out after the last: " + e.getMessage());
                })
                .add("a token chosen by slot index opens", () -> {
                    try (Pkcs11Token token = Pkcs11Token.builder(module).slotIndex(0).open(Pkcs11Token.readPin(pinFile))) {
                        assertTrue(token.provider().getName().contains("herald-"), token.provider().getName());
                        assertTrue(token.toString().contains("slot index 0"), token.toString());
                    }
                })
                .runAndExit();
    }

    private static Pkcs11Token open(Path module, Path pinFile) {
        return Pkcs11Token.builder(module).tokenLabel("herald-test").open(Pkcs11Token.readPin(pinFile));
    }

    private static boolean signs(KeyPair pair, Pkcs11Token token) throws Exception {
        byte[] message = "to be signed".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withECDSA", token.provider());
        signer.initSign(pair.getPrivate());
        signer.update(message);
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(pair.getPublic());
        verifier.update(message);
        return verifier.verify(signer.sign());
    }

    /** A TLS 1.3 server (JDK key) that requires a client certificate; returns the one the client sent. */
    private static X509Certificate clientCertificateSeenByServer(KeyManager[] clientKeys) throws Exception {
        KeyPair serverPair = TestKeys.p256();
        X509Certificate serverCertificate = TestPki.selfSigned(serverPair, "localhost");
        CapturingTrust serverTrust = new CapturingTrust();
        SSLContext server = SSLContext.getInstance("TLSv1.3");
        server.init(new KeyManager[] {SwitchableKeyManager.of(serverPair.getPrivate(), List.of(serverCertificate))},
                new TrustManager[] {serverTrust}, new SecureRandom());
        SSLContext client = SSLContext.getInstance("TLSv1.3");
        client.init(clientKeys, new TrustManager[] {new CapturingTrust()}, new SecureRandom());
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            TestTls.handshake(listener, client);
        }
        return serverTrust.seen();
    }
}
