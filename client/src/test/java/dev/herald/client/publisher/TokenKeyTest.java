package dev.herald.client.publisher;

import dev.herald.client.testing.SoftHsm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Publisher keys held in a real SoftHSM2 token (checks in {@link TokenKeyChecks}, in a child JVM). */
class TokenKeyTest {
    @TempDir
    Path dir;

    @TestFactory
    List<DynamicTest> againstSoftHsm() throws Exception {
        return SoftHsm.checks(dir, TokenKeyChecks.class, "publisher");
    }
}
