package dev.herald.client.publisher;

import dev.herald.client.HeraldException;
import dev.herald.client.Pem;
import java.math.BigInteger;
import java.net.URI;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * A self-signed X.509 certificate of a publisher key for the workload's own TLS server (and client):
 * consumers trust the published key, not a CA, so the certificate only carries the key, the names
 * it answers to (subject alternative names from the published DNS names, IP addresses and endpoint
 * hosts) and a validity that covers the publication.
 */
public final class SelfSignedCertificate {
    /** Peers whose clocks run a little behind still accept a certificate issued just now. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private SelfSignedCertificate() {
    }

    /** Starts a certificate for {@code key}. */
    public static Builder builder(PublisherKey key) {
        return new Builder(key);
    }

    /** The certificate as PEM. */
    public static String pem(X509Certificate certificate) {
        try {
            return Pem.encode("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new HeraldException("cannot encode the certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The host of an endpoint claim: {@code host:port}, {@code [v6]:port}, a bare host, or a URL.
     */
    static String host(String endpoint) {
        String text = endpoint.strip();
        if (text.contains("://")) {
            String host = URI.create(text).getHost();
            if (host == null) {
                throw new HeraldException("endpoint " + endpoint + " has no host");
            }
            return unbracket(host);
        }
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new HeraldException("endpoint " + endpoint + " has an unclosed '['");
            }
            return text.substring(1, close);
        }
        int colon = text.indexOf(':');
        // one colon: host:port; more: a bare IPv6 address
        return colon >= 0 && colon == text.lastIndexOf(':') ? text.substring(0, colon) : text;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** Collects the names and validity of a certificate. */
    public static final class Builder {
        private final PublisherKey key;
        private String commonName = "herald";
        private final Set<String> dnsNames = new LinkedHashSet<>();
        private final Set<String> ipAddresses = new LinkedHashSet<>();
        private Instant notBefore;
        private Instant notAfter;

        private Builder(PublisherKey key) {
            this.key = Objects.requireNonNull(key, "key");
        }

        /** The subject's CN (informative; clients check the names or the key). */
        public Builder commonName(String commonName) {
            this.commonName = Objects.requireNonNull(commonName, "commonName");
            return this;
        }

        /** The published DNS names, IP addresses and endpoint hosts, as subject alternative names. */
        public Builder names(Claims claims) {
            claims.dnsNames().forEach(this::name);
            claims.ipAddresses().forEach(this::name);
            claims.endpoints().forEach(endpoint -> name(host(endpoint)));
            return this;
        }

        /** One more subject alternative name: an IP address literal or a DNS name. */
        public Builder name(String hostOrAddress) {
            String name = unbracket(hostOrAddress.strip());
            if (IPAddress.isValid(name)) {
                ipAddresses.add(name);
            } else if (!name.isEmpty()) {
                dnsNames.add(name);
            }
            return this;
        }

        /** Valid from {@code notBefore} (less a few minutes of clock skew) to {@code notAfter}. */
        public Builder validity(Instant notBefore, Instant notAfter) {
            if (!notAfter.isAfter(notBefore)) {
                throw new IllegalArgumentException("notAfter must be after notBefore");
            }
            this.notBefore = notBefore;
            this.notAfter = notAfter;
            return this;
        }

        /** Covers {@code publication}: from its not_before to its not_after. */
        public Builder validity(Publication publication) {
            return validity(publication.notBefore(), publication.notAfter());
        }

        /** Signs the certificate with the key itself. */
        public X509Certificate build() {
            if (notBefore == null) {
                throw new IllegalStateException("the certificate's validity is not set");
            }
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
            BigInteger serial = new BigInteger(127, new SecureRandom()).setBit(126); // positive, 16 bytes
            X509v3CertificateBuilder certificate = new JcaX509v3CertificateBuilder(subject, serial,
                    Date.from(notBefore.minus(CLOCK_SKEW)), Date.from(notAfter), subject, key.publicKey());
            try {
                certificate.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                certificate.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                certificate.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                certificate.addExtension(Extension.subjectKeyIdentifier, false,
                        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key.publicKey()));
                List<GeneralName> names = new ArrayList<>();
                dnsNames.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
                ipAddresses.forEach(address -> names.add(new GeneralName(GeneralName.iPAddress, address)));
                if (!names.isEmpty()) {
                    certificate.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(new GeneralName[0])));
                }
                return new JcaX509CertificateConverter().getCertificate(certificate.build(Csr.signer(key)));
            } catch (CertIOException | CertificateException | java.security.NoSuchAlgorithmException
                     | IllegalArgumentException e) {
                throw new HeraldException("cannot make a certificate for " + key + ": " + e.getMessage(), e);
            }
        }
    }
}
