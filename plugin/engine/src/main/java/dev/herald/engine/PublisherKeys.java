package dev.herald.engine;

import dev.herald.sdk.VaultException;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Parses and checks the keys publishers send (DESIGN §5.3): a CSR or a self-signed certificate,
 * whose signature proves possession of the private key, or a bare SPKI. Every failure is a 400
 * naming the field; no input can make these methods throw anything else.
 *
 * <p>BouncyCastle is used only for its ASN.1 and curve arithmetic; signatures are verified with the
 * JDK's default providers, and BC is never registered as a provider.
 */
final class PublisherKeys {
    /** Far above any real key or certificate, small enough that parsing stays cheap. */
    static final int MAX_PEM_CHARS = 64 * 1024;
    /** A 16384-bit RSA signature is 2731 base64 characters. */
    private static final int MAX_CONTINUITY_CHARS = 4096;
    private static final int MAX_RSA_BITS = 16384;
    private static final BigInteger MIN_RSA_EXPONENT = BigInteger.valueOf(65537);
    /** The product of the primes below 1000: a modulus sharing a factor with it is not an RSA modulus. */
    private static final BigInteger SMALL_PRIMES = smallPrimesProduct(1000);
    /** Names for the refusal messages of algorithms people are likely to try. */
    private static final Map<String, String> KNOWN_ALGORITHMS = Map.of(
            "1.2.840.10040.4.1", "DSA",
            "1.3.101.110", "X25519",
            "1.3.101.111", "X448",
            "1.3.101.113", "Ed448",
            "1.2.840.113549.1.1.10", "RSASSA-PSS",
            "1.2.840.113549.1.3.1", "DH",
            "1.2.840.10046.2.1", "DH",
            "1.2.156.10197.1.301", "SM2");
    /** Signature algorithms accepted on CSRs and certificates: SHA-2 or Ed25519 only. */
    private static final Map<String, String> SIGNATURE_ALGORITHMS = Map.of(
            "1.2.840.113549.1.1.11", "SHA256withRSA",
            "1.2.840.113549.1.1.12", "SHA384withRSA",
            "1.2.840.113549.1.1.13", "SHA512withRSA",
            "1.2.840.10045.4.3.2", "SHA256withECDSA",
            "1.2.840.10045.4.3.3", "SHA384withECDSA",
            "1.2.840.10045.4.3.4", "SHA512withECDSA",
            "1.3.101.112", "Ed25519");
    private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";

    private PublisherKeys() {
    }

    /** A PKCS#10 request: its self-signature is the proof of possession. */
    static PublisherKey fromCsr(String pem) {
        return guarded("csr", "PKCS#10 certification request", () -> {
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(
                    CertificationRequest.getInstance(der("csr", pem, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")));
            PublisherKey key = checked("csr", csr.getSubjectPublicKeyInfo(), null);
            byte[] signed = encoded(csr.toASN1Structure().getCertificationRequestInfo());
            requireSignature("csr", csr.getSignatureAlgorithm(), key.publicKey(), signed, csr.getSignature(),
                    "the request's signature does not verify with its own key");
            return key;
        });
    }

    /** One self-signed X.509 certificate: the signature by its own key is the proof of possession. */
    static PublisherKey fromCertificate(String pem) {
        return guarded("certificate", "X.509 certificate", () -> {
            Certificate asn1 = Certificate.getInstance(der("certificate", pem, "CERTIFICATE"));
            X509CertificateHolder certificate = new X509CertificateHolder(asn1);
            // RFC 5280 §4.1.1.2: the outer and signed algorithm fields must agree, or what was signed is ambiguous
            if (!asn1.getSignatureAlgorithm().equals(asn1.getTBSCertificate().getSignature())) {
                throw fail("certificate", "its two signature algorithm fields differ");
            }
            PublisherKey key = checked("certificate", certificate.getSubjectPublicKeyInfo(),
                    PublisherKey.pem("CERTIFICATE", encoded(asn1)));
            requireSignature("certificate", certificate.getSignatureAlgorithm(), key.publicKey(),
                    encoded(asn1.getTBSCertificate()), certificate.getSignature(),
                    "it is not self-signed (its signature does not verify with its own key)");
            return key;
        });
    }

    /** A bare SubjectPublicKeyInfo: no proof of possession, so only roles with require_proof=false take it. */
    static PublisherKey fromPublicKey(String pem) {
        return guarded("public_key", "SubjectPublicKeyInfo", () ->
                checked("public_key", SubjectPublicKeyInfo.getInstance(der("public_key", pem, "PUBLIC KEY")), null));
    }

    /** The role's own limits, on top of the checks every key has passed. */
    static void requireAllowed(PublisherKey key, List<String> keyTypes, long minRsaBits, String roleName) {
        if (!keyTypes.contains(key.type())) {
            throw VaultException.badRequest("key type " + key.type() + " is not allowed by role " + roleName
                    + " (allowed: " + String.join(", ", keyTypes) + ")");
        }
        if (key.type().equals("rsa") && key.bits() < minRsaBits) {
            throw VaultException.badRequest("RSA key of " + key.bits() + " bits is shorter than the role's min_rsa_bits ("
                    + minRsaBits + ")");
        }
    }

    /**
     * Checks that {@code continuity} is the current key's signature over the continuity message: only
     * the holder of the current private key can hand the instance over to a new key, and only for the
     * mount, instance, generation and new key that the message names.
     */
    static void verifyContinuity(PublisherKey current, ContinuityMessage continuityMessage, String continuity) {
        guarded("continuity", "signature", () -> {
            byte[] signature = base64(continuity);
            byte[] message = continuityMessage.bytes();
            PublicKey key = current.publicKey();
            // ECDSA signatures come DER-encoded from most libraries but raw r||s from JOSE/WebCrypto ones
            List<Signature> candidates = switch (current.type()) {
                case "ed25519" -> List.of(signature("Ed25519"));
                case "ec-p256" -> List.of(signature("SHA256withECDSA"), signature("SHA256withECDSAinP1363Format"));
                case "ec-p384" -> List.of(signature("SHA384withECDSA"), signature("SHA384withECDSAinP1363Format"));
                default -> List.of(signature("SHA256withRSA"), pss(new PSSParameterSpec("SHA-256", "MGF1",
                        MGF1ParameterSpec.SHA256, 32, PSSParameterSpec.TRAILER_FIELD_BC)));
            };
            for (Signature candidate : candidates) {
                if (verifies(candidate, key, message, signature)) {
                    return null;
                }
            }
            throw fail("continuity", "the signature does not verify with the current " + current.type()
                    + " key over the continuity message (" + ContinuityMessage.VERSION + ", issuer, service, instance,"
                    + " generation " + continuityMessage.replacedGeneration() + ", the new key's fingerprint)");
        });
    }

    // --- the key checks shared by the three forms ---

    /** Checks the key's algorithm and value, and that the JDK can use it; certificatePem is kept as given. */
    private static PublisherKey checked(String field, SubjectPublicKeyInfo info, String certificatePem) {
        AlgorithmIdentifier algorithm = info.getAlgorithm();
        ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
        if (info.getPublicKeyData().getPadBits() != 0) {
            throw fail(field, "the public key is not a whole number of bytes");
        }
        byte[] key = info.getPublicKeyData().getOctets();
        String type;
        if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            type = "ed25519";
            checkEd25519(field, algorithm, key);
        } else if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            type = checkEc(field, algorithm, key);
        } else if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            type = "rsa";
            checkRsa(field, algorithm, key);
        } else {
            throw fail(field, "unsupported key algorithm " + KNOWN_ALGORITHMS.getOrDefault(oid.getId(), shortOid(oid))
                    + " (supported: ed25519, ec-p256, ec-p384, rsa)");
        }
        PublisherKey result = new PublisherKey(type, encoded(info), certificatePem);
        try {
            result.publicKey(); // so that publicKey() cannot fail later on a stored key
        } catch (IllegalStateException e) {
            throw fail(field, "the " + type + " key does not decode");
        }
        return result;
    }

    private static void checkEd25519(String field, AlgorithmIdentifier algorithm, byte[] key) {
        if (algorithm.getParameters() != null) {
            throw fail(field, "Ed25519 keys take no algorithm parameters (RFC 8410)");
        }
        if (key.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw fail(field, "an Ed25519 key is 32 bytes");
        }
        // Full validation: a canonical encoding of a curve point in the prime-order subgroup, which
        // excludes the identity and the other small-order points that make signatures meaningless
        if (!Ed25519.validatePublicKeyFull(key, 0)) {
            throw fail(field, "the Ed25519 key is not a valid point of prime order");
        }
    }

    private static String checkEc(String field, AlgorithmIdentifier algorithm, byte[] key) {
        ASN1Encodable parameters = algorithm.getParameters();
        if (parameters instanceof ASN1Sequence) {
            throw fail(field, "EC keys with explicit curve parameters are not accepted (use a named curve: P-256, P-384)");
        }
        if (!(parameters instanceof ASN1ObjectIdentifier curve)) {
            throw fail(field, "the EC key does not name its curve");
        }
        String type;
        if (curve.equals(SECObjectIdentifiers.secp256r1)) {
            type = "ec-p256";
        } else if (curve.equals(SECObjectIdentifiers.secp384r1)) {
            type = "ec-p384";
        } else {
            String name = ECNamedCurveTable.getName(curve);
            throw fail(field, "unsupported EC curve " + (name != null ? name : shortOid(curve)) + " (supported: P-256, P-384)");
        }
        X9ECParameters parameters256or384 = ECNamedCurveTable.getByOID(curve);
        int size = (parameters256or384.getCurve().getFieldSize() + 7) / 8;
        // RFC 5480 makes only the uncompressed form mandatory, and the JDK decodes only that one
        if (key.length != 1 + 2 * size || key[0] != 0x04) {
            throw fail(field, "the EC point must be uncompressed (04 || x || y)");
        }
        ECPoint point;
        try {
            point = parameters256or384.getCurve().decodePoint(key);
        } catch (IllegalArgumentException e) {
            point = null; // coordinates out of range or not on the curve
        }
        // P-256 and P-384 have cofactor 1: any point on the curve but infinity is of prime order
        if (point == null || point.isInfinity() || !point.isValid()) {
            throw fail(field, "the EC point is not on the curve");
        }
        return type;
    }

    private static void checkRsa(String field, AlgorithmIdentifier algorithm, byte[] key) {
        ASN1Encodable parameters = algorithm.getParameters();
        if (parameters != null && !DERNull.INSTANCE.equals(parameters)) {
            throw fail(field, "rsaEncryption keys take NULL parameters");
        }
        org.bouncycastle.asn1.pkcs.RSAPublicKey rsa;
        try {
            rsa = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(ASN1Primitive.fromByteArray(key));
            if (!Arrays.equals(encoded(rsa), key)) {
                throw new IllegalArgumentException("not DER");
            }
        } catch (IOException | RuntimeException e) {
            throw fail(field, "the RSA key is malformed");
        }
        BigInteger n = rsa.getModulus();
        BigInteger e = rsa.getPublicExponent();
        if (n.signum() <= 0 || !n.testBit(0)) {
            throw fail(field, "the RSA modulus must be positive and odd");
        }
        if (n.bitLength() > MAX_RSA_BITS) {
            throw fail(field, "RSA keys longer than " + MAX_RSA_BITS + " bits are not accepted");
        }
        // e = 3 and other tiny exponents invite known attacks on sloppy verifiers; e >= 2^256 is a
        // denial-of-service lever on every verification
        if (!e.testBit(0) || e.compareTo(MIN_RSA_EXPONENT) < 0 || e.bitLength() > 256) {
            throw fail(field, "the RSA public exponent must be odd, at least 65537 and below 2^256");
        }
        if (!n.gcd(SMALL_PRIMES).equals(BigInteger.ONE)) {
            throw fail(field, "the RSA modulus has a small prime factor");
        }
    }

    // --- signatures ---

    private static void requireSignature(String field, AlgorithmIdentifier algorithm, PublicKey key, byte[] signed,
                                         byte[] signature, String failure) {
        if (!verifies(signatureFor(field, algorithm), key, signed, signature)) {
            throw fail(field, failure);
        }
    }

    /** A JDK verifier for a CSR or certificate signature algorithm, from a short allow-list. */
    private static Signature signatureFor(String field, AlgorithmIdentifier algorithm) {
        String oid = algorithm.getAlgorithm().getId();
        String name = SIGNATURE_ALGORITHMS.get(oid);
        if (name != null) {
            return signature(name);
        }
        if (oid.equals(RSASSA_PSS) && algorithm.getParameters() != null) {
            try {
                AlgorithmParameters parameters = AlgorithmParameters.getInstance("RSASSA-PSS");
                parameters.init(encoded(algorithm.getParameters()));
                PSSParameterSpec spec = parameters.getParameterSpec(PSSParameterSpec.class);
                if (Set.of("SHA-256", "SHA-384", "SHA-512").contains(spec.getDigestAlgorithm())) {
                    return pss(spec);
                }
            } catch (GeneralSecurityException | IOException e) {
                throw fail(field, "its RSASSA-PSS parameters are malformed");
            }
        }
        throw fail(field, "signature algorithm " + shortOid(algorithm.getAlgorithm())
                + " is not accepted (use SHA-256/384/512 with RSA or ECDSA, or Ed25519)");
    }

    private static boolean verifies(Signature verifier, PublicKey key, byte[] message, byte[] signature) {
        if (verifier.getAlgorithm().equals("Ed25519")) {
            // BouncyCastle's RFC 8032 code: about 90 us a verification where the JDK's takes 600-900 us
            // under the plugin's C1-only JIT (scripts/bench/lib/CryptoCost.java).
            byte[] spki = key.getEncoded();
            return "EdDSA".equals(key.getAlgorithm()) || "Ed25519".equals(key.getAlgorithm())
                    ? signature.length == Ed25519.SIGNATURE_SIZE && spki.length == 44
                            && Ed25519.verify(signature, 0, spki, 12, message, 0, message.length)
                    : false;
        }
        try {
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // a key of another type, or a signature that does not even decode
        }
    }

    private static Signature signature(String algorithm) {
        try {
            return Signature.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }

    private static Signature pss(PSSParameterSpec spec) {
        try {
            Signature signature = Signature.getInstance("RSASSA-PSS");
            signature.setParameter(spec);
            return signature;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks RSASSA-PSS", e);
        }
    }

    // --- PEM, DER and base64 ---

    /**
     * The DER inside exactly one PEM block with one of the given labels (RFC 7468, strict): nothing
     * before or after it but whitespace, no headers (encrypted PEM), base64 that decodes, and DER
     * that re-encodes to the same bytes, so that what we hash and store is what the publisher sent.
     */
    private static ASN1Primitive der(String field, String pem, String... labels) {
        if (pem == null || pem.isBlank()) {
            throw fail(field, "empty");
        }
        if (pem.length() > MAX_PEM_CHARS) {
            throw fail(field, "longer than " + MAX_PEM_CHARS + " characters");
        }
        if (pem.contains("PRIVATE KEY-----")) {
            throw fail(field, "this is a private key: publish only the public key");
        }
        String text = pem.strip();
        if (!text.startsWith("-----BEGIN ")) {
            throw fail(field, text.contains("-----BEGIN ") ? "text before the PEM block" : "not PEM (no -----BEGIN line)");
        }
        int lineEnd = text.indexOf('\n');
        String first = (lineEnd < 0 ? text : text.substring(0, lineEnd)).strip();
        if (lineEnd < 0 || !first.endsWith("-----") || first.length() <= "-----BEGIN -----".length()) {
            throw fail(field, "malformed -----BEGIN line");
        }
        String label = first.substring("-----BEGIN ".length(), first.length() - "-----".length());
        if (!List.of(labels).contains(label)) {
            throw fail(field, "expected a PEM block labelled " + labels[0] + ", got " + printable(label));
        }
        String endLine = "-----END " + label + "-----";
        int end = text.indexOf(endLine, lineEnd);
        if (end < 0) {
            throw fail(field, "no " + endLine + " line");
        }
        String rest = text.substring(end + endLine.length());
        if (!rest.isEmpty()) {
            throw fail(field, rest.contains("-----BEGIN ") ? "more than one PEM block" : "text after the PEM block");
        }
        String body = text.substring(lineEnd + 1, end);
        if (body.indexOf(':') >= 0) {
            throw fail(field, "PEM headers (such as encryption) are not accepted");
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body.replaceAll("[ \\t\\r\\n]", ""));
        } catch (IllegalArgumentException e) {
            throw fail(field, "the PEM body is not valid base64");
        }
        if (der.length == 0) {
            throw fail(field, "the PEM block is empty");
        }
        ASN1Primitive parsed;
        try {
            parsed = ASN1Primitive.fromByteArray(der); // refuses trailing bytes
        } catch (IOException | RuntimeException e) {
            throw fail(field, "the PEM body is not valid DER");
        }
        if (!Arrays.equals(encoded(parsed), der)) {
            throw fail(field, "not DER-encoded (BER or non-canonical encoding)");
        }
        return parsed;
    }

    /** A continuity signature: base64url as specified, standard base64 tolerated, padding optional. */
    private static byte[] base64(String value) {
        if (value == null || value.isBlank()) {
            throw fail("continuity", "empty");
        }
        if (value.length() > MAX_CONTINUITY_CHARS) {
            throw fail("continuity", "longer than " + MAX_CONTINUITY_CHARS + " characters");
        }
        String url = value.strip().replace('+', '-').replace('/', '_');
        int end = url.length();
        while (end > 0 && url.charAt(end - 1) == '=' && url.length() - end < 2) {
            end--;
        }
        try {
            byte[] decoded = Base64.getUrlDecoder().decode(url.substring(0, end));
            if (decoded.length == 0) {
                throw new IllegalArgumentException("empty");
            }
            return decoded;
        } catch (IllegalArgumentException e) {
            throw fail("continuity", "not base64url");
        }
    }

    private static byte[] encoded(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode", e); // in memory: only a malformed value
        }
    }

    // --- failures ---

    /** Runs a parse, turning any parser exception into a 400 (BC throws unchecked ones on odd input). */
    private static <T> T guarded(String field, String what, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (VaultException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            // StackOverflowError: ASN.1 nesting is parsed recursively, and 64 KiB can nest deeply
            throw fail(field, "not a valid " + what);
        }
    }

    private static VaultException fail(String field, String problem) {
        return VaultException.badRequest("invalid " + field + ": " + problem);
    }

    /** At most 40 printable ASCII characters of an input fragment, for messages. */
    private static String printable(String text) {
        String clean = text.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
    }

    private static String shortOid(ASN1ObjectIdentifier oid) {
        return printable(oid.getId());
    }

    private static BigInteger smallPrimesProduct(int below) {
        BigInteger product = BigInteger.ONE;
        for (int p = 2; p < below; p++) {
            if (BigInteger.valueOf(p).isProbablePrime(30)) {
                product = product.multiply(BigInteger.valueOf(p));
            }
        }
        return product;
    }
}
