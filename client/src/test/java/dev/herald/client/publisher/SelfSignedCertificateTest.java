package dev.herald.client.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SelfSignedCertificateTest {
    private static final Instant NOT_BEFORE = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant NOT_AFTER = Instant.parse("2026-03-02T10:00:00Z");

    @ParameterizedTest
    @EnumSource(PublisherKey.Type.class)
    void namesComeFromTheClaimsAndTheValidityCoversThePublication(PublisherKey.Type type) throws Exception {
        PublisherKey key = PublisherKey.generate(type);
        Claims claims = Claims.builder().dnsName("pay.internal").ipAddress("10.0.0.7")
                .endpoint("pod-7.pay.svc:8443").endpoint("https://[fd00::7]:9443/health").endpoint("10.0.0.7:8443")
                .build();
        X509Certificate certificate = SelfSignedCertificate.builder(key).commonName("pod-7.payments").names(claims)
                .validity(NOT_BEFORE, NOT_AFTER).build();

        certificate.verify(key.publicKey()); // self-signed by the key itself
        assertEquals(key.publicKey(), certificate.getPublicKey());
        assertEquals(Date.from(NOT_BEFORE.minus(SelfSignedCertificate.CLOCK_SKEW)), certificate.getNotBefore());
        assertEquals(Date.from(NOT_AFTER), certificate.getNotAfter());
        assertEquals(Set.of("2:pay.internal", "2:pod-7.pay.svc", "7:10.0.0.7", "7:fd00:0:0:0:0:0:0:7"), names(certificate));
        assertEquals(-1, certificate.getBasicConstraints(), "not a CA");
        assertTrue(certificate.getKeyUsage()[0], "digitalSignature");
        assertTrue(certificate.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")));

        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(SelfSignedCertificate.pem(certificate).getBytes(StandardCharsets.US_ASCII)));
        assertEquals(certificate, parsed);
    }

    @Test
    void endpointHosts() {
        assertEquals("a.b", SelfSignedCertificate.host("a.b:443"));
        assertEquals("a.b", SelfSignedCertificate.host("a.b"));
        assertEquals("fd00::1", SelfSignedCertificate.host("[fd00::1]:443"));
        assertEquals("fd00::1", SelfSignedCertificate.host("fd00::1"));
        assertEquals("x.example", SelfSignedCertificate.host("grpc://x.example:50051"));
        assertEquals("fd00::2", SelfSignedCertificate.host("https://[fd00::2]/"));
    }

    @Test
    void aCertificateNeedsAValidity() {
        PublisherKey key = PublisherKey.generate(PublisherKey.Type.ED25519);
        assertThrows(IllegalStateException.class, () -> SelfSignedCertificate.builder(key).build());
        assertThrows(IllegalArgumentException.class,
                () -> SelfSignedCertificate.builder(key).validity(NOT_AFTER, NOT_AFTER.minus(Duration.ofHours(1))));
    }

    private static Set<String> names(X509Certificate certificate) throws Exception {
        return certificate.getSubjectAlternativeNames().stream().map(name -> name.get(0) + ":" + name.get(1))
                .collect(Collectors.toSet());
    }
}
