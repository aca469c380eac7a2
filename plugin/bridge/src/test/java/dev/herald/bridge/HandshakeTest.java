package dev.herald.bridge;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HandshakeTest {
    @Test
    void sixFieldsWithUnpaddedBase64() {
        // 4 bytes encode to 6 characters plus "==" padding, which Go's raw decoder refuses.
        String line = Handshake.line("/tmp/p.sock", new byte[] {1, 2, 3, 4}, false);
        assertEquals("1|5|unix|/tmp/p.sock|grpc|AQIDBA", line);
        assertFalse(line.contains("="));
    }

    @Test
    void declinesYamuxWhenAskedWithASeventhField() {
        assertEquals("1|5|unix|/s|grpc|AQ|false", Handshake.line("/s", new byte[] {1}, true));
    }

    @Test
    void refusesASocketPathThatWouldBreakTheLine() {
        assertThrows(IllegalArgumentException.class, () -> Handshake.line("/tmp/a|b", new byte[] {1}, false));
    }
}
