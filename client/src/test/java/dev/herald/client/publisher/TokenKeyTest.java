package dev.herald.client.publisher;

import dev.herald.client.pkcs11.SoftHsm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Publisher keys held in a real SoftHSM2 token (checks in {@link TokenKeyChecks}, in a child JVM). */
class TokenKeyTest {
    @TempDir
    Path dir;

    @TestFactory
    List<DynamicTest> againstSoftHsm() throws Exception {
        Assumptions.assumeTrue(SoftHsm.available(), "SoftHSM2 is not installed");
        SoftHsm hsm = new SoftHsm(dir);
        hsm.initToken("publisher");
        return hsm.checks(TokenKeyChecks.class, SoftHsm.MODULE.toString(), hsm.pinFile().toString(), dir.toString());
    }
}
