package dev.herald.bridge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.proto.pb.LeaseOptions;
import dev.herald.proto.pb.Secret;
import dev.herald.sdk.Request;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.JsonException;

/**
 * Coverage-guided fuzzing of request translation: a wire request with any operation, path and body
 * becomes a Request, or fails with a 4xx VaultException (an unknown operation) or, once the body is
 * read, a JsonException (a 400). Nothing else may escape.
 */
class TranslationFuzzTest {
    private static final String[] OPERATIONS = {"create", "read", "update", "delete", "list", "help", "renew",
            "revoke", "rollback", "alias-lookahead", "patch", "resolve-role", "header", ""};

    @FuzzTest
    void request(FuzzedDataProvider data) {
        String operation = data.consumeBoolean() ? data.pickValue(OPERATIONS) : data.consumeString(16);
        dev.herald.proto.pb.Request.Builder wire = dev.herald.proto.pb.Request.newBuilder()
                .setOperation(operation)
                .setPath(data.consumeString(64));
        if (data.consumeBoolean()) {
            wire.setSecret(Secret.newBuilder()
                    .setLeaseOptions(LeaseOptions.newBuilder().setTTL(data.consumeLong()).setMaxTTL(data.consumeLong()))
                    .setInternalData("{\"secret_type\":\"publication\",\"generation\":2}")
                    .setLeaseId("herald/publish/web/a"));
        }
        wire.setData(data.consumeRemainingAsString());
        try {
            Request request = Translation.request(wire.build());
            request.rawData();
        } catch (VaultException e) {
            assertTrue(e.status() >= 400 && e.status() < 500, () -> "status " + e.status() + ": " + e.getMessage());
        } catch (JsonException e) {
            // the body is not JSON (or not an object): a 400
        }
    }
}
