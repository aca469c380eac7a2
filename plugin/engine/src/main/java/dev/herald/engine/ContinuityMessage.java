package dev.herald.engine;

import java.nio.charset.StandardCharsets;

/**
 * What a continuity signature signs (DESIGN §5.3): six lines joined by {@code \n}, no final newline,
 * naming the mount's issuer, the service, the instance, the generation being replaced and the new
 * key's fingerprint. A signature over it hands over exactly one generation of one instance on one
 * mount to one key, so a continuity captured from one rotation is worth nothing anywhere else.
 */
record ContinuityMessage(String issuer, String service, String instance, long replacedGeneration,
                         String newFingerprint) {
    static final String VERSION = "herald-continuity-v1";

    String text() {
        return String.join("\n", VERSION, issuer, service, instance, Long.toString(replacedGeneration), newFingerprint);
    }

    byte[] bytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }
}
