package dev.herald.client.publisher;

import dev.herald.client.HeraldException;
import dev.herald.client.Pem;
import java.io.IOException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The PKCS#10 request a publisher sends as {@code csr}: the public key, signed by its private key,
 * which is the proof of possession the engine checks (Ed25519, or ECDSA with SHA-256). The subject
 * is informative only; the engine takes the key and nothing else from the request.
 */
public final class Csr {
    private Csr() {
    }

    /** The request for {@code key}, as PEM ({@code CERTIFICATE REQUEST}), with subject {@code CN=commonName}. */
    public static String pem(PublisherKey key, String commonName) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        try {
            byte[] der = new JcaPKCS10CertificationRequestBuilder(subject, key.publicKey()).build(signer(key)).getEncoded();
            return Pem.encode("CERTIFICATE REQUEST", der);
        } catch (IOException e) {
            throw new HeraldException("cannot encode the certificate request: " + e.getMessage(), e);
        }
    }

    /** A content signer for {@code key}: the token's provider for a PKCS#11 key, the JDK's otherwise. */
    static ContentSigner signer(PublisherKey key) {
        JcaContentSignerBuilder builder = new JcaContentSignerBuilder(key.type().signatureAlgorithm());
        key.provider().ifPresent(builder::setProvider);
        try {
            return builder.build(key.privateKey());
        } catch (OperatorCreationException e) {
            throw new HeraldException("cannot sign with " + key + ": " + e.getMessage(), e);
        }
    }
}
