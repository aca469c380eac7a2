package dev.herald.bridge;

import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsIdentityTest {
    @Test
    void certificateHasWhatGoVerifiersRequire() throws Exception {
        X509Certificate certificate = TlsIdentity.generate().certificate();
        assertDoesNotThrow(() -> certificate.verify(certificate.getPublicKey()), "self-signed");
        certificate.checkValidity();
        assertTrue(certificate.getSerialNumber().signum() > 0, "positive serial");
        assertEquals(List.of(List.of(2, "localhost")), certificate.getSubjectAlternativeNames().stream()
                .map(name -> List.copyOf(name)).toList());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), certificate.getExtendedKeyUsage());
        assertEquals("SHA256withECDSA", certificate.getSigAlgName());
        assertTrue(certificate.getKeyUsage()[0], "digitalSignature");
        assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
        assertTrue(certificate.getNotBefore().toInstant().isBefore(java.time.Instant.now().minusSeconds(20)));
    }

    @Test
    void readsTheIdentityTheShimHandsOver() throws Exception {
        TlsIdentity original = TlsIdentity.generate();
        java.util.Base64.Encoder mime = java.util.Base64.getMimeEncoder(64, "\n".getBytes());
        String pem = "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(original.privateKey().getEncoded())
                + "\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n"
                + mime.encodeToString(original.certificate().getEncoded()) + "\n-----END CERTIFICATE-----\n";
        TlsIdentity read = TlsIdentity.fromPem(pem);
        assertEquals(original.certificate(), read.certificate());
        assertEquals(original.privateKey(), read.privateKey());
        assertThrows(IllegalArgumentException.class, () -> TlsIdentity.fromPem("-----BEGIN CERTIFICATE-----\nAA\n"));
    }

    @Test
    void makesItsOwnIdentityWithoutAUsableDescriptor() throws Exception {
        // No variable, a malformed one, or a descriptor that is not open: a fresh identity each time.
        for (String fd : new String[] {null, "x1", "1234567"}) {
            X509Certificate certificate = TlsIdentity.inheritedOrGenerated(fd).certificate();
            assertDoesNotThrow(() -> certificate.verify(certificate.getPublicKey()));
        }
    }

    @Test
    void everyProcessGetsItsOwnKey() throws Exception {
        assertNotEquals(TlsIdentity.generate().certificate().getPublicKey(),
                TlsIdentity.generate().certificate().getPublicKey());
    }

    @Test
    void pinnedTrustAcceptsOnlyThePinnedCertificate() throws Exception {
        X509Certificate pinned = TlsIdentity.generate().certificate();
        X509Certificate other = TlsIdentity.generate().certificate();
        PinnedTrustManager trust = new PinnedTrustManager(pinned);
        assertDoesNotThrow(() -> trust.checkClientTrusted(new X509Certificate[] {pinned}, "EC"));
        assertDoesNotThrow(() -> trust.checkServerTrusted(new X509Certificate[] {pinned}, "EC"));
        assertThrows(java.security.cert.CertificateException.class,
                () -> trust.checkClientTrusted(new X509Certificate[] {other}, "EC"));
        assertThrows(java.security.cert.CertificateException.class,
                () -> trust.checkServerTrusted(new X509Certificate[] {other, pinned}, "EC"));
        assertThrows(java.security.cert.CertificateException.class,
                () -> trust.checkServerTrusted(new X509Certificate[0], "EC"));
    }
}
