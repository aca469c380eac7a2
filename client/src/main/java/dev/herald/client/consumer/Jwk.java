package dev.herald.client.consumer;

import dev.herald.client.VerificationException;
import dev.herald.sdk.json.Json;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A public JSON Web Key (RFC 7517): Ed25519 ({@code OKP}, RFC 8037), EC P-256 and P-384, and RSA
 * (which publishers may use for their instance keys; the engine signs only with Ed25519 or P-256).
 * Carries the key, its optional {@code kid} and {@code alg}, its RFC 7638 thumbprint (computed
 * exactly as the engine computes its kids) and the fingerprint records carry:
 * {@code sha256:<lowercase hex of the DER SubjectPublicKeyInfo>}. Immutable.
 */
public final class Jwk {
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw 32-byte key follows it. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03,
            0x21, 0x00};
    /** Members that only a private key has: a JWK holding one is refused rather than silently trimmed. */
    private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");
    private static final ECParameterSpec P256 = curveParameters("secp256r1");
    private static final ECParameterSpec P384 = curveParameters("secp384r1");

    private final PublicKey key;
    private final String kid;
    private final String algorithm;
    private final String thumbprint;

    private Jwk(PublicKey key, String kid, String algorithm) {
        this.key = key;
        this.kid = kid;
        this.algorithm = algorithm;
        this.thumbprint = thumbprint(key);
    }

    /**
     * Parses a public JWK (the members of one JSON object, as the sdk's JSON codec decodes them).
     * EC points are checked to lie on their curve.
     *
     * @throws VerificationException if the members do not make a supported public key
     */
    public static Jwk parse(Map<String, ?> members) {
        Claims jwk = Claims.of(members, "JWK");
        for (String member : PRIVATE_MEMBERS) {
            if (members.containsKey(member)) {
                throw new VerificationException("JWK holds a private key member (\"" + member + "\"); only public keys"
                        + " are accepted");
            }
        }
        String kty = jwk.string("kty");
        PublicKey key = switch (kty) {
            case "OKP" -> okp(jwk);
            case "EC" -> ec(jwk);
            case "RSA" -> rsa(jwk);
            default -> throw new VerificationException("JWK kty " + Claims.quote(kty) + " is not supported (OKP, EC, RSA)");
        };
        return new Jwk(key, jwk.optionalString("kid"), jwk.optionalString("alg"));
    }

    /** A JWK of a JDK public key, without kid or alg. */
    public static Jwk of(PublicKey key) {
        return new Jwk(key, null, null);
    }

    /** A JWK of a JDK public key with its kid and JWS algorithm (as a JWK Set lists a signing key). */
    public static Jwk of(PublicKey key, String kid, String algorithm) {
        return new Jwk(key, Objects.requireNonNull(kid, "kid"), Objects.requireNonNull(algorithm, "algorithm"));
    }

    public PublicKey publicKey() {
        return key;
    }

    public Optional<String> kid() {
        return Optional.ofNullable(kid);
    }

    /** The JWS algorithm the JWK names ({@code alg}), if any. */
    public Optional<String> algorithm() {
        return Optional.ofNullable(algorithm);
    }

    /** The RFC 7638 thumbprint (base64url of SHA-256): the engine's kid of this key. */
    public String thumbprint() {
        return thumbprint;
    }

    /** {@code sha256:<hex>} of this key's DER SubjectPublicKeyInfo, as the JDK encodes it. */
    public String fingerprint() {
        return fingerprint(key);
    }

    /** Whether {@code other} is the same public key, whatever its encoding or provider. */
    public boolean sameKey(PublicKey other) {
        try {
            return thumbprint.equals(thumbprint(other));
        } catch (VerificationException unsupported) {
            return false;
        }
    }

    /** The JWK's members: those RFC 7638 hashes, then kid, alg and use when it has a kid and alg. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>(required(key));
        if (kid != null) {
            map.put("kid", kid);
        }
        if (algorithm != null) {
            map.put("alg", algorithm);
            map.put("use", "sig");
        }
        return map;
    }

    /**
     * The RFC 7638 thumbprint of a key: base64url of the SHA-256 of its required members' JSON,
     * in lexicographic order and without whitespace.
     *
     * @throws VerificationException if the key's type is not supported
     */
    public static String thumbprint(PublicKey key) {
        return BASE64URL.encodeToString(sha256(Json.write(required(key)).getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code sha256:} and the lowercase hex SHA-256 of the key's DER SubjectPublicKeyInfo. */
    public static String fingerprint(PublicKey key) {
        return "sha256:" + HexFormat.of().formatHex(sha256(key.getEncoded()));
    }

    /**
     * Whether {@code fingerprint} is this key's. The engine hashes the SubjectPublicKeyInfo exactly
     * as the publisher sent it; for every key type the engine accepts that is the JDK's encoding,
     * except that an RSA key may come without the NULL algorithm parameters, which the JDK adds.
     */
    boolean hasFingerprint(String fingerprint) {
        if (fingerprint(key).equals(fingerprint)) {
            return true;
        }
        if (key instanceof RSAPublicKey rsa) {
            try {
                byte[] withoutNull = new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption),
                        new org.bouncycastle.asn1.pkcs.RSAPublicKey(rsa.getModulus(), rsa.getPublicExponent()))
                        .getEncoded("DER");
                return ("sha256:" + HexFormat.of().formatHex(sha256(withoutNull))).equals(fingerprint);
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    /** "Ed25519", "P-256", "P-384" or "RSA": what kind of key this is, for matching it with a JWS alg. */
    static String kind(PublicKey key) {
        return required(key).get("crv") instanceof String crv ? crv : "RSA";
    }

    /** The members that define the key, in the lexicographic order RFC 7638 hashes them in. */
    private static Map<String, Object> required(PublicKey key) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        switch (key) {
            case ECPublicKey ec -> {
                int size = fieldBytes(ec.getParams());
                // by the curve itself, not its size: another 256-bit curve must not pass for P-256
                if (ec.getParams().getCurve().equals(P256.getCurve())) {
                    jwk.put("crv", "P-256");
                } else if (ec.getParams().getCurve().equals(P384.getCurve())) {
                    jwk.put("crv", "P-384");
                } else {
                    throw new VerificationException("EC keys on a curve other than P-256 and P-384 (here " + size * 8
                            + " bits) are not supported");
                }
                jwk.put("kty", "EC");
                jwk.put("x", BASE64URL.encodeToString(unsigned(ec.getW().getAffineX(), size)));
                jwk.put("y", BASE64URL.encodeToString(unsigned(ec.getW().getAffineY(), size)));
            }
            case RSAPublicKey rsa -> {
                jwk.put("e", BASE64URL.encodeToString(minimal(rsa.getPublicExponent())));
                jwk.put("kty", "RSA");
                jwk.put("n", BASE64URL.encodeToString(minimal(rsa.getModulus())));
            }
            default -> {
                byte[] spki = key.getEncoded();
                if (spki == null || spki.length != 44 || !Arrays.equals(Arrays.copyOf(spki, 12), ED25519_SPKI_PREFIX)) {
                    throw new VerificationException("keys of type " + key.getAlgorithm()
                            + " are not supported (Ed25519, EC P-256/P-384, RSA)");
                }
                jwk.put("crv", "Ed25519");
                jwk.put("kty", "OKP");
                jwk.put("x", BASE64URL.encodeToString(Arrays.copyOfRange(spki, 12, 44)));
            }
        }
        return jwk;
    }

    private static PublicKey okp(Claims jwk) {
        String crv = jwk.string("crv");
        if (!crv.equals("Ed25519")) {
            throw new VerificationException("JWK OKP curve " + Claims.quote(crv) + " is not supported (Ed25519)");
        }
        byte[] x = base64url(jwk, "x");
        if (x.length != 32) {
            throw new VerificationException("JWK Ed25519 member \"x\" is " + x.length + " bytes, not 32");
        }
        byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, 44);
        System.arraycopy(x, 0, spki, 12, 32);
        return generate("Ed25519", new X509EncodedKeySpec(spki));
    }

    private static PublicKey ec(Claims jwk) {
        String crv = jwk.string("crv");
        ECParameterSpec params = switch (crv) {
            case "P-256" -> P256;
            case "P-384" -> P384;
            default -> throw new VerificationException("JWK EC curve " + Claims.quote(crv) + " is not supported (P-256, P-384)");
        };
        int size = fieldBytes(params);
        byte[] x = base64url(jwk, "x");
        byte[] y = base64url(jwk, "y");
        if (x.length != size || y.length != size) {
            throw new VerificationException("JWK " + crv + " coordinates must be " + size + " bytes each");
        }
        ECPoint point = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
        if (!onCurve(point, params.getCurve())) {
            throw new VerificationException("JWK " + crv + " point is not on the curve");
        }
        return generate("EC", new ECPublicKeySpec(point, params));
    }

    private static PublicKey rsa(Claims jwk) {
        BigInteger n = new BigInteger(1, base64url(jwk, "n"));
        BigInteger e = new BigInteger(1, base64url(jwk, "e"));
        if (n.signum() <= 0 || e.signum() <= 0 || !n.testBit(0) || !e.testBit(0)) {
            throw new VerificationException("JWK RSA modulus and exponent must be positive and odd");
        }
        return generate("RSA", new RSAPublicKeySpec(n, e));
    }

    /** y^2 = x^3 + ax + b (mod p), with both coordinates in [0, p): the JDK does not check it for us. */
    private static boolean onCurve(ECPoint point, EllipticCurve curve) {
        BigInteger p = ((ECFieldFp) curve.getField()).getP();
        BigInteger x = point.getAffineX();
        BigInteger y = point.getAffineY();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger right = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
        return y.modPow(BigInteger.TWO, p).equals(right);
    }

    private static ECParameterSpec curveParameters(String curve) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(curve));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks curve " + curve, e);
        }
    }

    private static int fieldBytes(ECParameterSpec params) {
        return (params.getCurve().getField().getFieldSize() + 7) / 8;
    }

    private static PublicKey generate(String algorithm, java.security.spec.KeySpec spec) {
        try {
            return KeyFactory.getInstance(algorithm).generatePublic(spec);
        } catch (GeneralSecurityException e) {
            throw new VerificationException("JWK does not make a valid " + algorithm + " key", e);
        }
    }

    /** A base64url member, strictly: see {@link CompactJws#base64url}. */
    private static byte[] base64url(Claims jwk, String name) {
        byte[] bytes = CompactJws.base64url(jwk.string(name), "JWK member \"" + name + "\"");
        if (bytes.length == 0) {
            throw new VerificationException("JWK member \"" + name + "\" is empty");
        }
        return bytes;
    }

    /** RFC 7518 §6.3.1: unsigned big-endian with no leading zero bytes (toByteArray may add a sign byte). */
    private static byte[] minimal(BigInteger value) {
        byte[] bytes = value.toByteArray();
        int start = 0;
        while (start < bytes.length - 1 && bytes[start] == 0) {
            start++;
        }
        return Arrays.copyOfRange(bytes, start, bytes.length);
    }

    /** RFC 7518 §6.2.1.2: exactly the field size, left-padded with zeros. */
    private static byte[] unsigned(BigInteger value, int size) {
        byte[] bytes = value.toByteArray();
        byte[] out = new byte[size];
        int copy = Math.min(bytes.length, size);
        System.arraycopy(bytes, bytes.length - copy, out, size - copy, copy);
        return out;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Jwk other && thumbprint.equals(other.thumbprint) && Objects.equals(kid, other.kid)
                && Objects.equals(algorithm, other.algorithm);
    }

    @Override
    public int hashCode() {
        return Objects.hash(thumbprint, kid, algorithm);
    }

    @Override
    public String toString() {
        return "Jwk[" + (kid == null ? thumbprint : kid) + (algorithm == null ? "" : ", " + algorithm) + "]";
    }
}
