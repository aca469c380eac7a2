package dev.herald.engine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Record signatures: BouncyCastle's Ed25519 must produce exactly the JDK's bytes; ES256 is raw r||s. */
class JwsTest {
    private static final byte[] INPUT = "header.payload".getBytes(StandardCharsets.US_ASCII);

    @Test
    void ed25519SignaturesAreTheJdksBytesAndVerify() throws Exception {
        for (int i = 0; i < 20; i++) {
            SigningKey key = SigningKey.generate("EdDSA", Instant.EPOCH);
            byte[] fast = Jws.signature(key, INPUT);
            Signature jdk = Signature.getInstance("Ed25519");
            jdk.initSign(key.privateKey());
            jdk.update(INPUT);
            assertArrayEquals(jdk.sign(), fast, "Ed25519 is deterministic: both must agree");
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key.publicKey());
            verifier.update(INPUT);
            assertTrue(verifier.verify(fast));
        }
    }

    @Test
    void es256SignaturesAreRawAndVerify() throws Exception {
        SigningKey key = SigningKey.generate("ES256", Instant.EPOCH);
        byte[] signature = Jws.signature(key, INPUT);
        assertEquals(64, signature.length, "JOSE's r||s, not DER");
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(key.publicKey());
        verifier.update(INPUT);
        assertTrue(verifier.verify(signature));
        verifier.initVerify(key.publicKey());
        verifier.update("other".getBytes(StandardCharsets.US_ASCII));
        assertFalse(verifier.verify(signature));
    }
}
