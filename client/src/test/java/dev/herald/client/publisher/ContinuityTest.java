package dev.herald.client.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ContinuityTest {
    private static final String NEW_FINGERPRINT = "sha256:" + "ab".repeat(32);

    @Test
    void theMessageIsSixLinesWithoutAFinalNewline() {
        Continuity continuity = new Continuity("herald/", "payments", "pod-7", 3, NEW_FINGERPRINT);
        assertEquals("herald-continuity-v1\nherald/\npayments\npod-7\n3\n" + NEW_FINGERPRINT, continuity.text());
        assertEquals(continuity.text(), new String(continuity.bytes(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(PublisherKey.Type.class)
    void theSignatureVerifiesWithTheOldKeyOverTheExactText(PublisherKey.Type type) throws Exception {
        PublisherKey old = PublisherKey.generate(type);
        PublisherKey next = PublisherKey.generate(type);
        Continuity continuity = new Continuity("herald/", "payments", "pod-7", 12, next.fingerprint());
        String signature = continuity.signedBy(old);

        assertTrue(signature.matches("[A-Za-z0-9_-]+"), "base64url without padding: " + signature);
        byte[] raw = Base64.getUrlDecoder().decode(signature);
        String text = "herald-continuity-v1\nherald/\npayments\npod-7\n12\n" + next.fingerprint();
        assertTrue(verifies(type, old.publicKey(), text, raw));
        assertFalse(verifies(type, old.publicKey(), text.replace("\n12\n", "\n13\n"), raw), "bound to the generation");
        assertFalse(verifies(type, next.publicKey(), text, raw), "only the old key's signature");
    }

    private static boolean verifies(PublisherKey.Type type, PublicKey key, String text, byte[] signature) throws Exception {
        Signature verifier = Signature.getInstance(type == PublisherKey.Type.ED25519 ? "Ed25519" : "SHA256withECDSA");
        verifier.initVerify(key);
        verifier.update(text.getBytes(StandardCharsets.UTF_8));
        return verifier.verify(signature);
    }
}
