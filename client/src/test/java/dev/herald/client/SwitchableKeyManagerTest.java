package dev.herald.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.client.testing.TestKeys;
import dev.herald.client.testing.TestPki;
import java.net.Socket;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SwitchableKeyManagerTest {
    private static final KeyPair EC = TestKeys.p256();
    private static final X509Certificate EC_CERTIFICATE = TestPki.selfSigned(EC, "ec");

    @Test
    void presentsItsKeyForTheKeyTypesTlsNamesItBy() {
        SwitchableKeyManager ec = SwitchableKeyManager.of(EC.getPrivate(), List.of(EC_CERTIFICATE));
        String alias = ec.chooseClientAlias(new String[] {"RSA", "EC"}, null, null);
        assertNotNull(alias);
        assertEquals(alias, ec.chooseClientAlias(new String[] {"EC_EC"}, null, null), "TLS 1.2: key and signer");
        assertNull(ec.chooseClientAlias(new String[] {"RSA", "EdDSA"}, null, null));
        assertEquals(EC.getPrivate(), ec.getPrivateKey(alias));
        assertArrayEquals(new X509Certificate[] {EC_CERTIFICATE}, ec.getCertificateChain(alias));

        KeyPair ed25519 = TestKeys.ed25519();
        SwitchableKeyManager ed = SwitchableKeyManager.of(ed25519.getPrivate(), List.of(TestPki.selfSigned(ed25519, "ed")));
        assertNotNull(ed.chooseServerAlias("EdDSA", null, (Socket) null));
        assertNotNull(ed.chooseServerAlias("Ed25519", null, (Socket) null));
        assertNull(ed.chooseServerAlias("EC", null, (Socket) null));
    }

    @Test
    void aClientCertificateIsNeverAServers() {
        SwitchableKeyManager client = SwitchableKeyManager.forClient(EC.getPrivate(), List.of(EC_CERTIFICATE));
        assertNotNull(client.chooseClientAlias(new String[] {"EC"}, null, null));
        assertNull(client.chooseServerAlias("EC", null, (Socket) null));
        assertNull(client.getServerAliases("EC", null));
        assertNull(client.chooseEngineServerAlias("EC", null, null));
    }

    @Test
    void anEmptyManagerPresentsNothingUntilSwitched() {
        SwitchableKeyManager manager = SwitchableKeyManager.empty();
        assertNull(manager.chooseServerAlias("EC", null, (Socket) null));
        assertEquals(Optional.empty(), manager.certificate());

        manager.switchTo(EC.getPrivate(), List.of(EC_CERTIFICATE));
        assertNotNull(manager.chooseServerAlias("EC", null, (Socket) null));
        assertEquals(Optional.of(EC_CERTIFICATE), manager.certificate());
    }

    @Test
    void anAliasChosenBeforeASwitchKeepsItsKeyAndChainForOneSwitch() {
        SwitchableKeyManager manager = SwitchableKeyManager.of(EC.getPrivate(), List.of(EC_CERTIFICATE));
        String first = manager.chooseServerAlias("EC", null, (Socket) null);
        KeyPair next = TestKeys.p256();
        X509Certificate nextCertificate = TestPki.selfSigned(next, "next");

        manager.switchTo(next.getPrivate(), List.of(nextCertificate));
        String second = manager.chooseServerAlias("EC", null, (Socket) null);
        assertNotEquals(first, second);
        assertEquals(EC.getPrivate(), manager.getPrivateKey(first));
        assertEquals(EC_CERTIFICATE, manager.getCertificateChain(first)[0]);
        assertEquals(next.getPrivate(), manager.getPrivateKey(second));
        assertEquals(nextCertificate, manager.getCertificateChain(second)[0]);

        manager.switchTo(EC.getPrivate(), List.of(EC_CERTIFICATE));
        assertNull(manager.getPrivateKey(first), "only the one before the current is kept");
        assertNull(manager.getCertificateChain("not-an-alias"));
    }

    @Test
    void anEmptyChainIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SwitchableKeyManager.of(EC.getPrivate(), List.of()));
        assertEquals("the certificate chain is empty", e.getMessage());
    }
}
