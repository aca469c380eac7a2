package dev.herald.plugin.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Skip or fail: a missing server is skipped, unless required (CI must not skip a leg silently). */
class DevServerExtensionConditionTest {

    @Test
    void aMissingServerIsSkippedWithTheReasonUnlessRequired(@TempDir Path emptyDirectory) {
        UnaryOperator<String> none = name -> null;
        UnaryOperator<String> noServerOnPath = name -> name.equals("PATH") ? emptyDirectory.toString() : null;
        for (ServerType type : ServerType.values()) {
            Optional<Path> missing = type.locate("my.project." + type.cli(), none, noServerOnPath);
            assertEquals(Optional.empty(), missing);
            String reason = type.missingReason("my.project." + type.cli());
            assertTrue(reason.contains("-Dmy.project." + type.cli() + "=PATH or MY_PROJECT_"), reason);

            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> DevServerExtension.condition(type, missing, true, reason));
            assertTrue(failure.getMessage().startsWith(reason), failure::getMessage);
            assertTrue(DevServerExtension.condition(type, missing, false, reason).isDisabled());
            assertEquals(Optional.of(reason), DevServerExtension.condition(type, missing, false, reason).getReason());
            assertFalse(DevServerExtension.condition(type, Optional.of(Path.of("/bin/true")), true, reason).isDisabled());
        }
    }

    @Test
    void theBinaryIsFoundFromThePropertyThenTheVariableThenThePath(@TempDir Path dir) throws Exception {
        Path onPath = Files.createFile(dir.resolve("bao"));
        onPath.toFile().setExecutable(true);
        Path named = Files.createFile(dir.resolve("other-bao"));
        named.toFile().setExecutable(true);
        UnaryOperator<String> path = name -> name.equals("PATH") ? "/nonexistent:" + dir : null;
        UnaryOperator<String> variable = name -> name.equals("X_BAO") ? named.toString() : path.apply(name);

        assertEquals(Optional.of(onPath), ServerType.OPENBAO.locate("x.bao", name -> null, path));
        assertEquals(Optional.of(named), ServerType.OPENBAO.locate("x.bao", name -> null, variable));
        assertEquals(Optional.of(named), ServerType.OPENBAO.locate("x.bao", name -> named.toString(), path));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ServerType.OPENBAO.locate("x.bao", name -> dir.toString(), path));
        assertTrue(e.getMessage().contains("-Dx.bao / X_BAO is not an executable file"), e::getMessage);
    }

    @Test
    void aListNamesServersByTheirCli() {
        assertTrue(ServerType.OPENBAO.isNamedIn("bao, vault"));
        assertTrue(ServerType.VAULT.isNamedIn(" VAULT"));
        assertFalse(ServerType.VAULT.isNamedIn("bao"));
        assertFalse(ServerType.OPENBAO.isNamedIn(null));
    }
}
