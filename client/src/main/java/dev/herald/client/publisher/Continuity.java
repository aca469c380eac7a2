package dev.herald.client.publisher;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * The continuity message of a rotation (DESIGN §5.3), exactly as the engine builds it: six lines
 * joined by {@code \n} with no final newline, {@code herald-continuity-v1}, the mount's issuer, the
 * service, the instance, the generation being replaced (decimal), and the new key's fingerprint. The
 * current key's signature over it is what lets a new key take the instance over, and only there.
 *
 * @param issuer             the mount's {@code issuer} (by default its path with a final slash, {@code herald/})
 * @param replacedGeneration the generation of the publication the new key replaces
 * @param newFingerprint     {@code sha256:<hex of SPKI>} of the new key
 */
public record Continuity(String issuer, String service, String instance, long replacedGeneration,
                         String newFingerprint) {
    public static final String VERSION = "herald-continuity-v1";

    public Continuity {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(newFingerprint, "newFingerprint");
    }

    /** The six lines. */
    public String text() {
        return String.join("\n", VERSION, issuer, service, instance, Long.toString(replacedGeneration), newFingerprint);
    }

    /** The UTF-8 bytes that are signed. */
    public byte[] bytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The {@code continuity} field: {@code current}'s signature over the message, base64url without
     * padding. Ed25519 signs the message itself; ECDSA signs its SHA-256 and gives DER.
     */
    public String signedBy(PublisherKey current) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(current.sign(bytes()));
    }
}
