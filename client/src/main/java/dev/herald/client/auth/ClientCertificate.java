package dev.herald.client.auth;

import dev.herald.client.HeraldException;
import dev.herald.client.SwitchableKeyManager;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A TLS client certificate and its private key, as the {@link KeyManager}s a
 * {@code VaultClient.Builder} presents (cert auth, see {@link CertLogin}).
 *
 * <p>From PEM files: the certificate chain (the client's certificate first), and its private key
 * unencrypted as PKCS#8 ({@code PRIVATE KEY}), or in the OpenSSL forms {@code EC PRIVATE KEY} and
 * {@code RSA PRIVATE KEY}; EC, Ed25519 and RSA keys. Or from a key the caller already holds, such as
 * a PKCS#11 key, which never leaves its token: the key managers only ask it to sign.
 */
public final class ClientCertificate {
    private ClientCertificate() {
    }

    /**
     * Key managers presenting the certificate chain in {@code certPem} with the private key in {@code keyPem}.
     *
     * @throws HeraldException if a file cannot be read or parsed, the key is encrypted or of an
     *     unsupported type, or the key does not belong to the certificate
     */
    public static KeyManager[] keyManagers(Path certPem, Path keyPem) {
        List<X509Certificate> chain = readChain(certPem);
        PrivateKey key = readKey(keyPem);
        if (!belongTogether(key, chain.get(0).getPublicKey())) {
            throw new HeraldException("the private key in " + keyPem + " does not belong to the certificate in " + certPem);
        }
        return keyManagers(key, chain);
    }

    /**
     * Key managers presenting {@code chain} (the client's certificate first) with {@code key}, which
     * may be a PKCS#11 key: it is only asked to sign the handshake.
     *
     * @throws IllegalArgumentException if {@code chain} is empty
     */
    public static KeyManager[] keyManagers(PrivateKey key, List<X509Certificate> chain) {
        return new KeyManager[] {SwitchableKeyManager.forClient(key, chain)};
    }

    private static List<X509Certificate> readChain(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(reader)) {
            for (Object object = pem.readObject(); object != null; object = pem.readObject()) {
                if (object instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        } catch (NoSuchFileException e) {
            throw new HeraldException("cannot read the client certificate " + file + ": no such file");
        } catch (IOException | CertificateException e) {
            throw new HeraldException("cannot read the client certificate " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // PEMParser throws unchecked exceptions on bad base64 or ASN.1
            throw new HeraldException("cannot read the client certificate " + file + ": not a PEM certificate", e);
        }
        if (chain.isEmpty()) {
            throw new HeraldException("no PEM certificate (BEGIN CERTIFICATE) in " + file);
        }
        return chain;
    }

    private static PrivateKey readKey(Path file) {
        Object object;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(reader)) {
            // skip what may come before the key, such as the EC PARAMETERS block of `openssl ecparam -genkey`
            do {
                object = pem.readObject();
            } while (object != null && !(object instanceof PrivateKeyInfo || object instanceof PEMKeyPair
                    || object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair));
        } catch (NoSuchFileException e) {
            throw new HeraldException("cannot read the client key " + file + ": no such file");
        } catch (IOException | RuntimeException e) {
            // PEMParser throws unchecked exceptions on bad base64 or ASN.1; the cause is dropped
            // because a message about malformed input could quote part of it
            throw new HeraldException("cannot read the client key " + file + ": not a PEM private key");
        }
        PrivateKeyInfo info;
        if (object instanceof PrivateKeyInfo pkcs8) {
            info = pkcs8;
        } else if (object instanceof PEMKeyPair openssl) {
            info = openssl.getPrivateKeyInfo();
        } else if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
            throw new HeraldException("the client key " + file + " is encrypted; give it unencrypted"
                    + " (a file only the workload can read) or keep it in a PKCS#11 token");
        } else {
            throw new HeraldException("no PEM private key (BEGIN PRIVATE KEY) in " + file);
        }
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String algorithm;
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            algorithm = "EC";
        } else if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            algorithm = "Ed25519";
        } else if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            algorithm = "RSA";
        } else {
            throw new HeraldException("the client key " + file + " is of an unsupported type (" + oid
                    + "); use EC, Ed25519 or RSA");
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new HeraldException("the client key " + file + " is not a valid " + algorithm + " key ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Whether {@code key} is the private half of {@code publicKey}: it signs, the other verifies. */
    private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> "Ed25519"; // EdDSA: the only other kind readKey makes
        };
        try {
            byte[] probe = "herald client certificate check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an RSA certificate with an EC key
        }
    }
}
