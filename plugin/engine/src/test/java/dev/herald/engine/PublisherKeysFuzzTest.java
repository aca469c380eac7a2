package dev.herald.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.sdk.VaultException;

import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Coverage-guided fuzzing of the key parsers and the continuity check (regression mode in a normal
 * build; scripts/fuzz.sh fuzzes for real). PublisherKeys promises that every failure is a 400: any
 * other exception or error is a finding.
 *
 * <p>Inputs end in one byte that picks the form: odd, the rest is DER and gets PEM armor with the
 * parser's label (so the fuzzer works on ASN.1, where the seeds are); even, the rest is the text.
 */
class PublisherKeysFuzzTest {
    private static final List<PublisherKey> CURRENT = List.of(
            PublisherKeys.fromPublicKey(TestKeys.generate("ed25519").publicKeyPem()),
            PublisherKeys.fromPublicKey(TestKeys.generate("ec-p256").publicKeyPem()),
            PublisherKeys.fromPublicKey(TestKeys.generate("ec-p384").publicKeyPem()),
            PublisherKeys.fromPublicKey(TestKeys.generate("rsa").publicKeyPem()));

    @FuzzTest
    void fromCsr(FuzzedDataProvider data) {
        parse(data, "CERTIFICATE REQUEST", PublisherKeys::fromCsr);
    }

    @FuzzTest
    void fromCertificate(FuzzedDataProvider data) {
        parse(data, "CERTIFICATE", PublisherKeys::fromCertificate);
    }

    @FuzzTest
    void fromPublicKey(FuzzedDataProvider data) {
        parse(data, "PUBLIC KEY", PublisherKeys::fromPublicKey);
    }

    @FuzzTest
    void verifyContinuity(FuzzedDataProvider data) {
        PublisherKey current = CURRENT.get(data.consumeInt(0, CURRENT.size() - 1));
        ContinuityMessage message = new ContinuityMessage(data.consumeString(20), data.consumeString(20),
                data.consumeString(20), data.consumeLong(), data.consumeString(60));
        String signature = data.consumeBoolean()
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(data.consumeRemainingAsBytes())
                : data.consumeRemainingAsString();
        try {
            PublisherKeys.verifyContinuity(current, message, signature);
        } catch (VaultException e) {
            requireBadRequest(e);
        }
    }

    private static void parse(FuzzedDataProvider data, String label, Function<String, PublisherKey> parser) {
        boolean armored = (data.consumeByte() & 1) == 1;
        String pem = armored
                ? "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(data.consumeRemainingAsBytes())
                        + "\n-----END " + label + "-----\n"
                : data.consumeRemainingAsString();
        try {
            PublisherKey key = parser.apply(pem);
            key.publicKey(); // a key that was accepted must be usable
        } catch (VaultException e) {
            requireBadRequest(e);
        }
    }

    private static void requireBadRequest(VaultException e) {
        assertTrue(e.status() == 400, () -> "status " + e.status() + ": " + e.getMessage());
    }
}
