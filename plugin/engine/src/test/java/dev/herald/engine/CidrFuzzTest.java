package dev.herald.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of CIDR and address parsing: nothing may throw (the methods answer
 * false or empty), and a valid network contains its own address.
 */
class CidrFuzzTest {

    @FuzzTest
    void parse(FuzzedDataProvider data) {
        String cidr = data.consumeString(60);
        String ip = data.consumeRemainingAsString();
        boolean valid = Cidr.valid(cidr);
        Cidr.address(ip);
        boolean contained = Cidr.contains(cidr, ip);
        assertTrue(valid || !contained, "an invalid network contains an address");
        int slash = cidr.indexOf('/');
        if (valid && slash > 0) {
            String own = cidr.substring(0, slash);
            assertTrue(Cidr.contains(cidr, own), "a network does not contain its own address");
        }
    }
}
