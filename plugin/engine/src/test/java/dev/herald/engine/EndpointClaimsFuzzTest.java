package dev.herald.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.sdk.VaultException;

import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of endpoint claims against a role: a claim passes, or fails with a 400
 * (malformed) or a 403 (not allowed); nothing else may escape.
 */
class EndpointClaimsFuzzTest {
    private static final Role STRICT = role(false);
    private static final Role WILDCARDS = role(true);

    private static Role role(boolean allowWildcardClaims) {
        return TestValues.endpointLimits(allowWildcardClaims);
    }

    @FuzzTest
    void checkedAgainst(FuzzedDataProvider data) {
        Role role = data.consumeBoolean() ? WILDCARDS : STRICT;
        List<String> endpoints = strings(data);
        List<String> ips = strings(data);
        List<String> dnsNames = strings(data);
        try {
            EndpointClaims.builder().endpoints(endpoints).ipAddresses(ips).dnsNames(dnsNames).build()
                    .checkedAgainst(role);
        } catch (VaultException e) {
            assertTrue(e.status() == 400 || e.status() == 403, () -> "status " + e.status() + ": " + e.getMessage());
        }
    }

    private static List<String> strings(FuzzedDataProvider data) {
        int n = data.consumeInt(0, 3);
        List<String> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(data.consumeString(80));
        }
        return list;
    }
}
