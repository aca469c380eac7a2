package dev.herald.client.publisher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import dev.herald.client.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PublisherKeyTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(PublisherKey.Type.class)
    void fingerprintIsTheSha256OfTheSpki(PublisherKey.Type type) throws Exception {
        PublisherKey key = PublisherKey.generate(type);
        String expected = "sha256:" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(key.publicKey().getEncoded()));
        assertEquals(expected, key.fingerprint());
        assertEquals(type, key.type());
        assertTrue(key.exportable());
    }

    @ParameterizedTest
    @EnumSource(PublisherKey.Type.class)
    void aKeyFileIsCreatedPrivateAndReusedAfterARestart(PublisherKey.Type type) throws Exception {
        Path file = dir.resolve("instance.key");
        PublisherKey created = PublisherKey.fromFile(file, type);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.readString(file).startsWith("-----BEGIN PRIVATE KEY-----\n"));

        PublisherKey reread = PublisherKey.fromFile(file, type);
        assertEquals(created.fingerprint(), reread.fingerprint());
        assertArrayEquals(created.privateKey().getEncoded(), reread.privateKey().getEncoded());
        // the public key derived from the private one signs-and-verifies with it
        assertTrue(signs(reread));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void anExistingKeyFileKeepsItsTypeWhateverIsAskedForNewOnes() {
        Path file = dir.resolve("k.pem");
        PublisherKey ec = PublisherKey.fromFile(file, PublisherKey.Type.EC_P256);
        PublisherKey again = PublisherKey.fromFile(file, PublisherKey.Type.ED25519);
        assertEquals(PublisherKey.Type.EC_P256, again.type());
        assertEquals(ec.fingerprint(), again.fingerprint());
    }

    @ParameterizedTest
    @EnumSource(PublisherKey.Type.class)
    void readsAPkcs8FileMadeElsewhere(PublisherKey.Type type) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(type == PublisherKey.Type.ED25519 ? "Ed25519" : "EC");
        if (type == PublisherKey.Type.EC_P256) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        }
        KeyPair pair = generator.generateKeyPair();
        Path file = dir.resolve("made-elsewhere.pem");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        PublisherKey key = PublisherKey.fromFile(file, PublisherKey.Type.ED25519);
        assertEquals(type, key.type());
        assertArrayEquals(pair.getPublic().getEncoded(), key.spki(), "the public key is derived exactly");
    }

    @Test
    void otherKeyFormatsAreRefusedByName() throws Exception {
        Path sec1 = dir.resolve("sec1.pem");
        Files.writeString(sec1, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        HeraldException e = assertThrows(HeraldException.class, () -> PublisherKey.fromFile(sec1, PublisherKey.Type.EC_P256));
        assertTrue(e.getMessage().contains("EC PRIVATE KEY") && e.getMessage().contains("pkcs8"), e.getMessage());

        Path x25519 = dir.resolve("x25519.pem");
        String pem = Pem.encode("PRIVATE KEY", KeyPairGenerator.getInstance("X25519").generateKeyPair().getPrivate().getEncoded());
        Files.writeString(x25519, pem);
        e = assertThrows(HeraldException.class, () -> PublisherKey.fromFile(x25519, PublisherKey.Type.EC_P256));
        assertTrue(e.getMessage().contains("1.3.101.110") && e.getMessage().contains("ed25519 or ec-p256"), e.getMessage());
        assertEquals(pem, Files.readString(x25519), "the file is left as it was");
    }

    @Test
    void aSuccessorReplacesTheFileOnlyWhenInstalled() throws Exception {
        Path file = dir.resolve("instance.key");
        PublisherKey current = PublisherKey.fromFile(file, PublisherKey.Type.ED25519);
        String before = Files.readString(file);

        PublisherKey next = current.successor();
        assertNotEquals(current.fingerprint(), next.fingerprint());
        assertEquals(before, Files.readString(file), "a successor is not written before Vault accepts it");
        next.discard();
        assertEquals(before, Files.readString(file));

        PublisherKey installed = next.install();
        assertEquals(next.fingerprint(), installed.fingerprint());
        assertEquals(next.fingerprint(), PublisherKey.fromFile(file, PublisherKey.Type.ED25519).fingerprint());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void toStringShowsNoPrivateKey() {
        PublisherKey key = PublisherKey.generate(PublisherKey.Type.ED25519);
        String pem = key.privateKeyPem();
        String body = pem.lines().skip(1).findFirst().orElseThrow();
        assertFalse(key.toString().contains(body));
        assertTrue(key.toString().contains(key.fingerprint()));
    }

    private static boolean signs(PublisherKey key) throws Exception {
        byte[] message = "m".getBytes(StandardCharsets.UTF_8);
        byte[] signature = key.sign(message);
        Signature verifier = Signature.getInstance(key.type() == PublisherKey.Type.ED25519 ? "Ed25519" : "SHA256withECDSA");
        verifier.initVerify(key.publicKey());
        verifier.update(message);
        return verifier.verify(signature);
    }
}
