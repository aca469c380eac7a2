package dev.herald.client.publisher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.security.Signature;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CsrTest {

    @ParameterizedTest
    @EnumSource(PublisherKey.Type.class)
    void theRequestCarriesTheKeyAndItsSignatureVerifiesWithTheJdk(PublisherKey.Type type) throws Exception {
        PublisherKey key = PublisherKey.generate(type);
        String pem = Csr.pem(key, "pod-1.payments");

        // the engine takes exactly one block labelled CERTIFICATE REQUEST, in DER that re-encodes the same
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE REQUEST-----\n"));
        assertTrue(pem.endsWith("-----END CERTIFICATE REQUEST-----\n"));
        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            csr = (PKCS10CertificationRequest) parser.readObject();
        }
        byte[] der = csr.getEncoded();
        assertArrayEquals(der, ASN1Primitive.fromByteArray(der).getEncoded(ASN1Encoding.DER));
        assertArrayEquals(key.spki(), csr.getSubjectPublicKeyInfo().getEncoded());

        // the engine's allow-list: Ed25519 (1.3.101.112) or ecdsa-with-SHA256 (1.2.840.10045.4.3.2)
        String oid = csr.getSignatureAlgorithm().getAlgorithm().getId();
        assertEquals(type == PublisherKey.Type.ED25519 ? "1.3.101.112" : "1.2.840.10045.4.3.2", oid);
        assertEquals(null, csr.getSignatureAlgorithm().getParameters(), "no algorithm parameters (RFC 8410, RFC 5758)");

        // verified as the engine does: the JDK, over the DER of the request info
        Signature verifier = Signature.getInstance(type == PublisherKey.Type.ED25519 ? "Ed25519" : "SHA256withECDSA");
        verifier.initVerify(key.publicKey());
        verifier.update(csr.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
        assertTrue(verifier.verify(csr.getSignature()));

        verifier.initVerify(PublisherKey.generate(type).publicKey());
        verifier.update(csr.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
        assertFalse(verifier.verify(csr.getSignature()), "another key does not verify it");
    }
}
