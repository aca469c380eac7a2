package dev.herald.client.publisher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import dev.herald.client.TokenSource;
import dev.herald.client.pkcs11.Pkcs11Token;
import dev.herald.client.testing.ChildChecks;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** Runs in a child JVM with SOFTHSM2_CONF set; args: module, PIN file, scratch directory. */
public final class TokenKeyChecks {
    private TokenKeyChecks() {
    }

    public static void main(String[] args) throws Exception {
        Path module = Path.of(args[0]);
        Path pinFile = Path.of(args[1]);
        Path dir = Path.of(args[2]);
        Pkcs11Token token = Pkcs11Token.builder(module).tokenLabel("publisher").open(Pkcs11Token.readPin(pinFile));
        new ChildChecks()
                .add("a token key is made once and reused by its label, also after a restart", () -> {
                    PublisherKey made = PublisherKey.fromToken(token, "instance");
                    assertEquals(PublisherKey.Type.EC_P256, made.type());
                    assertFalse(made.exportable());
                    assertTrue(made.provider().isPresent());
                    assertEquals(made.fingerprint(), PublisherKey.fromToken(token, "instance").fingerprint());
                    try (Pkcs11Token reopened = Pkcs11Token.builder(module).tokenLabel("publisher")
                            .open(Pkcs11Token.readPin(pinFile))) {
                        assertEquals(made.fingerprint(), PublisherKey.fromToken(reopened, "instance").fingerprint());
                    }
                })
                .add("a CSR signed inside the token verifies with the JDK", () -> {
                    PublisherKey key = PublisherKey.fromToken(token, "instance");
                    PKCS10CertificationRequest csr;
                    try (PEMParser parser = new PEMParser(new StringReader(Csr.pem(key, "pod-1.payments")))) {
                        csr = (PKCS10CertificationRequest) parser.readObject();
                    }
                    assertArrayEquals(key.spki(), csr.getSubjectPublicKeyInfo().getEncoded());
                    assertEquals("1.2.840.10045.4.3.2", csr.getSignatureAlgorithm().getAlgorithm().getId());
                    Signature verifier = Signature.getInstance("SHA256withECDSA");
                    verifier.initVerify(key.publicKey());
                    verifier.update(csr.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
                    assertTrue(verifier.verify(csr.getSignature()));
                })
                .add("a continuity signed inside the token verifies with the JDK", () -> {
                    PublisherKey key = PublisherKey.fromToken(token, "instance");
                    Continuity continuity = new Continuity("herald/", "payments", "pod-1", 4, "sha256:" + "0".repeat(64));
                    byte[] signature = Base64.getUrlDecoder().decode(continuity.signedBy(key));
                    assertTrue(EngineVault.verifies(key.spki(), continuity.text(), signature));
                })
                .add("the workload identity of a token key writes only the certificate", () -> {
                    PublisherKey key = PublisherKey.fromToken(token, "instance");
                    Path keyFile = dir.resolve("tls.key");
                    Path certificateFile = dir.resolve("tls.crt");
                    WorkloadIdentity identity = WorkloadIdentity.builder().keyFile(keyFile).certificateFile(certificateFile)
                            .build();
                    X509Certificate certificate = SelfSignedCertificate.builder(key).name("pod-1.payments.svc")
                            .validity(Instant.now(), Instant.now().plus(Duration.ofHours(1))).build();
                    certificate.verify(key.publicKey());
                    assertFalse(identity.writesKeyFile(key));
                    identity.update(key, certificate);
                    assertFalse(Files.exists(keyFile), "a token key is never written out");
                    assertTrue(Files.readString(certificateFile).startsWith("-----BEGIN CERTIFICATE-----"));
                    assertEquals(key.privateKey(), identity.keyManager()
                            .getPrivateKey(identity.keyManager().chooseServerAlias("EC", null, (java.net.Socket) null)));
                    HeraldException e = assertThrows(HeraldException.class, key::privateKeyPem);
                    assertTrue(e.getMessage().contains("cannot be exported"), e.getMessage());
                })
                .add("a rotation publishes a successor made in the token, then gives it the label", () -> {
                    PublisherKey current = PublisherKey.fromToken(token, "instance");
                    try (EngineVault vault = new EngineVault(java.time.Clock.systemUTC())) {
                        Publisher publisher = Publisher.builder(vault.client(), TokenSource.of("t"), "payments", "pod-1",
                                "workloads").build();
                        publisher.publish(current);
                        PublisherKey next = current.successor();
                        assertTrue(token.contains("instance-next"));
                        Publication rotated = publisher.rotate(next); // the stub verifies the token's continuity
                        assertEquals(2, rotated.generation());
                        assertEquals(List.of("instance"), token.labels());
                        PublisherKey installed = PublisherKey.fromToken(token, "instance");
                        assertEquals(next.fingerprint(), installed.fingerprint());
                        assertNotEquals(current.fingerprint(), installed.fingerprint());
                        assertEquals(installed.fingerprint(), publisher.key().orElseThrow().fingerprint());
                    }
                })
                .add("a refused rotation deletes the successor from the token", () -> {
                    PublisherKey current = PublisherKey.fromToken(token, "instance");
                    try (EngineVault vault = new EngineVault(java.time.Clock.systemUTC())) {
                        vault.issuer = "elsewhere/";
                        Publisher publisher = Publisher.builder(vault.client(), TokenSource.of("t"), "payments", "pod-2",
                                "workloads").build();
                        publisher.publish(current);
                        assertThrows(HeraldException.class, () -> publisher.rotate(current.successor()));
                        assertEquals(List.of("instance"), token.labels());
                        assertEquals(current.fingerprint(), PublisherKey.fromToken(token, "instance").fingerprint());
                    }
                })
                .add("a successor left alone by an interrupted rotation is taken up", () -> {
                    PublisherKey current = PublisherKey.fromToken(token, "instance");
                    PublisherKey next = current.successor();
                    token.delete("instance"); // the crash came between deleting the old key and relabelling the new
                    PublisherKey recovered = PublisherKey.fromToken(token, "instance");
                    assertEquals(next.fingerprint(), recovered.fingerprint());
                    assertEquals(List.of("instance"), token.labels());
                })
                .runAndExit();
    }
}
