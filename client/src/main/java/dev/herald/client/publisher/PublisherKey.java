package dev.herald.client.publisher;

import dev.herald.client.AtomicFiles;
import dev.herald.client.HeraldException;
import dev.herald.client.Pem;
import dev.herald.client.pkcs11.Pkcs11Token;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The key pair an instance publishes: Ed25519 or P-256, held in memory, in a PKCS#8 PEM file, or
 * (P-256) inside a PKCS#11 token.
 *
 * <p>An instance never forgets its key (DESIGN §5.3): after its publication ends, only the same key
 * revives it, and a new key needs the last one's signature. So a key file is reused when it exists
 * and created (0600) only when it does not, and a token key is reused by its label: a restarted
 * workload publishes the key it had.
 *
 * <p>Rotation: {@link #successor()} makes a fresh key of the same kind, which does not yet replace
 * this one where it is stored; {@link Publisher#rotate} puts it in this key's place (the file, the
 * token label) once Vault has accepted it, and drops it if Vault refused.
 */
public final class PublisherKey {
    private static final System.Logger LOG = System.getLogger(PublisherKey.class.getName());
    /** The label a token successor waits under until it is installed. */
    static final String SUCCESSOR_SUFFIX = "-next";

    /** The kinds of key a publisher makes. */
    public enum Type {
        /** Ed25519 (RFC 8032): the default, small and fast. */
        ED25519("ed25519"),
        /** ECDSA on P-256 with SHA-256: the type a PKCS#11 token makes. */
        EC_P256("ec-p256");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        /** The name the engine's roles and the CLI use ({@code ed25519}, {@code ec-p256}). */
        public String wireName() {
            return wireName;
        }

        /** The type named {@code name} as {@link #wireName()} spells it. */
        public static Type parse(String name) {
            for (Type type : values()) {
                if (type.wireName.equals(name)) {
                    return type;
                }
            }
            throw new HeraldException("unknown key type '" + name + "' (use ed25519 or ec-p256)");
        }

        String signatureAlgorithm() {
            return this == ED25519 ? "Ed25519" : "SHA256withECDSA";
        }
    }

    private final Type type;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final byte[] spki;
    /** Where the key is kept: a file, or a token and label; both null: memory only. */
    private final Path file;
    private final Pkcs11Token token;
    private final String label;
    /** False for a successor not yet put in its predecessor's place. */
    private final boolean installed;

    private PublisherKey(Type type, KeyPair pair, Path file, Pkcs11Token token, String label, boolean installed) {
        this.type = type;
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.spki = publicKey.getEncoded();
        this.file = file;
        this.token = token;
        this.label = label;
        this.installed = installed;
    }

    /** A fresh key in memory only (lost with the process: fine for an instance name that is never reused). */
    public static PublisherKey generate(Type type) {
        return new PublisherKey(Objects.requireNonNull(type, "type"), generatePair(type), null, null, null, true);
    }

    /**
     * The key in the PKCS#8 PEM file {@code file} if it exists (whatever its type, which must be one
     * of {@link Type}), else a fresh key of {@code typeIfCreated} written there: created 0600 before
     * any byte is written, atomically, and never over a file that another process made meanwhile.
     */
    public static PublisherKey fromFile(Path file, Type typeIfCreated) {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            PublisherKey fresh = new PublisherKey(typeIfCreated, generatePair(typeIfCreated), file, null, null, true);
            if (AtomicFiles.create(file, fresh.privateKeyPem(), AtomicFiles.Permissions.OWNER_ONLY)) {
                LOG.log(System.Logger.Level.INFO, "created {0} key {1} in {2}", typeIfCreated.wireName(),
                        fresh.fingerprint(), file);
                return fresh;
            }
            // another process created it first: that one is the instance's key
        }
        return read(file);
    }

    /**
     * The P-256 key labelled {@code label} in {@code token}, made there if the token has none. A
     * successor left under {@code label + "-next"} by a rotation that was interrupted after the old
     * key was deleted is taken up and relabelled.
     */
    public static PublisherKey fromToken(Pkcs11Token token, String label) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(label, "label");
        if (!token.contains(label) && token.contains(label + SUCCESSOR_SUFFIX)) {
            LOG.log(System.Logger.Level.WARNING, "{0}: taking up the key left under ''{1}'' by an interrupted rotation",
                    token, label + SUCCESSOR_SUFFIX);
            token.rename(label + SUCCESSOR_SUFFIX, label);
        }
        KeyPair pair = token.contains(label) ? token.keyPair(label) : token.generateP256(label);
        if (!"EC".equals(pair.getPublic().getAlgorithm()) || !Type.EC_P256.equals(ecType(pair.getPublic()))) {
            throw new HeraldException("the key labelled '" + label + "' in " + token + " is not a P-256 key");
        }
        return new PublisherKey(Type.EC_P256, pair, null, token, label, true);
    }

    /** The key's kind. */
    public Type type() {
        return type;
    }

    /** The public key (what is published). */
    public PublicKey publicKey() {
        return publicKey;
    }

    /**
     * The private key: a JDK key for memory and file keys; a handle for a token key, usable only
     * with {@link #provider()}.
     */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The provider that must sign with a token key; empty for keys the JDK's own providers handle. */
    public Optional<Provider> provider() {
        return token == null ? Optional.empty() : Optional.of(token.provider());
    }

    /** Whether the private key can be written out (false for a token key). */
    public boolean exportable() {
        return token == null;
    }

    /** The DER SubjectPublicKeyInfo. */
    public byte[] spki() {
        return spki.clone();
    }

    /** {@code sha256:} and the lowercase hex SHA-256 of the SPKI, as the engine names keys. */
    public String fingerprint() {
        return fingerprint(spki);
    }

    static String fingerprint(byte[] spki) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /**
     * A fresh key of the same kind, kept the same way but not yet in this key's place: in memory for
     * a file key (written over the file once Vault accepts it), under {@code label + "-next"} for a
     * token key (a stale one there, left by an attempt that failed, is replaced). Give it to
     * {@link Publisher#rotate}.
     */
    public PublisherKey successor() {
        if (token != null) {
            String next = label + SUCCESSOR_SUFFIX;
            if (token.contains(next)) {
                token.delete(next);
            }
            return new PublisherKey(type, token.generateP256(next), null, token, label, false);
        }
        return new PublisherKey(type, generatePair(type), file, null, null, file == null);
    }

    /**
     * Puts this successor in its predecessor's place: over the key file (atomically), or under the
     * token label (the old key is deleted from the token). Called once Vault has accepted the key;
     * the predecessor is no longer usable afterwards. An installed key returns itself.
     *
     * <p>A crash between Vault's answer and this step leaves the old key in the file (the instance
     * then needs an operator's reset), or, in a token, only the successor, which {@link #fromToken}
     * takes up.
     */
    PublisherKey install() {
        if (installed) {
            return this;
        }
        if (token != null) {
            // delete first: SunPKCS11 would otherwise keep two entries under one label.
            // A crash between the two steps leaves only the "-next" entry, which fromToken takes up.
            if (token.contains(label)) {
                token.delete(label);
            }
            token.rename(label + SUCCESSOR_SUFFIX, label);
            return new PublisherKey(type, token.keyPair(label), null, token, label, true);
        }
        AtomicFiles.replace(file, privateKeyPem(), AtomicFiles.Permissions.OWNER_ONLY);
        return new PublisherKey(type, new KeyPair(publicKey, privateKey), file, null, null, true);
    }

    /** Drops a successor that Vault did not accept (deletes it from the token); the predecessor stays. */
    void discard() {
        if (!installed && token != null && token.contains(label + SUCCESSOR_SUFFIX)) {
            token.delete(label + SUCCESSOR_SUFFIX);
        }
    }

    /** Signs {@code message}: Ed25519, or ECDSA with SHA-256 (DER), with the token's provider for a token key. */
    byte[] sign(byte[] message) {
        try {
            Signature signature = token == null ? Signature.getInstance(type.signatureAlgorithm())
                    : Signature.getInstance(type.signatureAlgorithm(), token.provider());
            signature.initSign(privateKey);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new HeraldException("cannot sign with " + this + ": " + e.getMessage(), e);
        }
    }

    /** The private key as PKCS#8 PEM; only for keys that are {@link #exportable()}. */
    String privateKeyPem() {
        if (!exportable()) {
            throw new HeraldException(this + " is held in a PKCS#11 token and cannot be exported");
        }
        return Pem.encode("PRIVATE KEY", privateKey.getEncoded());
    }

    @Override
    public String toString() {
        String place = token != null ? " in " + token + " labelled '" + (installed ? label : label + SUCCESSOR_SUFFIX) + "'"
                : file != null ? " for " + file : " in memory";
        return "PublisherKey[" + type.wireName() + " " + fingerprint() + place + "]";
    }

    // --- making and reading keys ---

    private static KeyPair generatePair(Type type) {
        try {
            if (type == Type.ED25519) {
                return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + type.wireName() + " keys", e);
        }
    }

    private static PublisherKey read(Path file) {
        String text;
        try {
            warnIfShared(file);
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new HeraldException("cannot read the key file " + file + ": " + e.getMessage(), e);
        }
        byte[] der = Pem.decode(text, "PRIVATE KEY", "the key file " + file);
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(der);
            ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
            if (algorithm.equals(EdECObjectIdentifiers.id_Ed25519)) {
                PrivateKey privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
                byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
                byte[] publicBytes = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
                SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                        publicBytes);
                PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
                return new PublisherKey(Type.ED25519, new KeyPair(publicKey, privateKey), file, null, null, true);
            }
            if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)
                    && SECObjectIdentifiers.secp256r1.equals(info.getPrivateKeyAlgorithm().getParameters())) {
                ECPrivateKey privateKey = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
                X9ECParameters curve = ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp256r1);
                BigInteger d = privateKey.getS();
                if (d.signum() <= 0 || d.compareTo(curve.getN()) >= 0) {
                    throw new HeraldException("the key file " + file + " holds an invalid P-256 private key");
                }
                ECPoint q = curve.getG().multiply(d).normalize();
                PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
                        new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                        privateKey.getParams()));
                return new PublisherKey(Type.EC_P256, new KeyPair(publicKey, privateKey), file, null, null, true);
            }
            throw new HeraldException("the key file " + file + " holds a key of another kind ("
                    + algorithm.getId() + "); herald publishes ed25519 or ec-p256 (P-256) keys");
        } catch (GeneralSecurityException | IOException | IllegalArgumentException | ClassCastException e) {
            throw new HeraldException("the key file " + file + " does not hold a valid PKCS#8 private key", e);
        }
    }

    private static Type ecType(PublicKey key) {
        SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        return SECObjectIdentifiers.secp256r1.equals(info.getAlgorithm().getParameters()) ? Type.EC_P256 : null;
    }

    /** A key file that others can read is no longer only this instance's: say so (a Kubernetes fsGroup may do it). */
    private static void warnIfShared(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                LOG.log(System.Logger.Level.WARNING, "the key file {0} is accessible to others than its owner ({1});"
                        + " it should be 0600", file, java.nio.file.attribute.PosixFilePermissions.toString(permissions));
            }
        }
    }
}
