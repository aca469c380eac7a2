package dev.herald.client.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import dev.herald.client.testing.SoftHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Pkcs11Token against a real SoftHSM2 token (checks in {@link Pkcs11TokenChecks}, in a child JVM). */
class Pkcs11TokenTest {
    @TempDir
    Path dir;

    @TestFactory
    List<DynamicTest> againstSoftHsm() throws Exception {
        return SoftHsm.checks(dir, Pkcs11TokenChecks.class, "herald-test", "other-token");
    }

    @Test
    void aPinFileLosesItsFinalLineBreakOnly() throws Exception {
        Path file = dir.resolve("pin");
        Files.writeString(file, " 12 34\r\n");
        assertEquals(" 12 34", new String(Pkcs11Token.readPin(file)));
        Files.writeString(file, "\n");
        HeraldException e = assertThrows(HeraldException.class, () -> Pkcs11Token.readPin(file));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void pkcs11ToolOutputMapsLabelsToSlotIds() {
        String output = """
                Available slots:
                Slot 0 (0x7e1fb22): SoftHSM slot ID 0x7e1fb22
                  token label        : herald test
                  token manufacturer : SoftHSM project
                Slot 1 (0x37b47bfd): SoftHSM slot ID 0x37b47bfd
                  token label        : other
                Slot 2 (0x2): SoftHSM slot ID 0x2
                  token state:   uninitialized
                """;
        assertEquals(Map.of("herald test", 0x7e1fb22L, "other", 0x37b47bfdL), TokenSlots.parse(output));
    }

    @Test
    void aMissingModuleIsNamed() {
        Path module = dir.resolve("libnothing.so");
        HeraldException e = assertThrows(HeraldException.class,
                () -> Pkcs11Token.builder(module).slotIndex(0).open("1234".toCharArray()));
        assertTrue(e.getMessage().contains(module + " does not exist"), e.getMessage());
    }

    @Test
    void exactlyOneWayToChooseTheToken() {
        HeraldException e = assertThrows(HeraldException.class,
                () -> Pkcs11Token.builder(SoftHsm.MODULE).slotIndex(0).tokenLabel("x").open("1234".toCharArray()));
        assertTrue(e.getMessage().contains("exactly one"), e.getMessage());
    }
}
