package dev.herald.client.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.HeraldException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretTest {
    @TempDir
    Path dir;

    @Test
    void aFileIsReadTrimmedAndAfreshAtEachUse() throws IOException {
        Path file = Files.writeString(dir.resolve("token"), "  first-value\n");
        Secret secret = Secret.file(file);

        assertEquals("first-value", secret.value());
        Files.writeString(file, "second-value\r\n");
        assertEquals("second-value", secret.value());
    }

    @Test
    void aMissingFileIsNamedButNothingElse() {
        Secret secret = Secret.file(dir.resolve("absent"));

        HeraldException e = assertThrows(HeraldException.class, secret::value);

        assertEquals("cannot read file " + dir.resolve("absent") + ": no such file", e.getMessage());
    }

    @Test
    void anEmptyFileIsRefused() throws IOException {
        Secret secret = Secret.file(Files.writeString(dir.resolve("empty"), " \n"));

        HeraldException e = assertThrows(HeraldException.class, secret::value);

        assertTrue(e.getMessage().endsWith("is empty"), e.getMessage());
    }

    @Test
    void aHugeFileIsNotACredential() throws IOException {
        Path file = Files.write(dir.resolve("big"), new byte[Secret.MAX_BYTES + 1]);

        HeraldException e = assertThrows(HeraldException.class, () -> Secret.file(file).value());

        assertTrue(e.getMessage().contains("larger than 64 KiB"), e.getMessage());
    }

    @Test
    void aBinaryFileIsRefusedWithoutShowingIt() throws IOException {
        Path file = Files.write(dir.resolve("binary"), new byte[] {'a', (byte) 0xC3, '(', 'b'});

        HeraldException e = assertThrows(HeraldException.class, () -> Secret.file(file).value());

        assertEquals("the file " + file + " is not UTF-8 text", e.getMessage());
    }

    @Test
    void aDirectoryIsAClearError() {
        HeraldException e = assertThrows(HeraldException.class, () -> Secret.file(dir).value());

        assertTrue(e.getMessage().startsWith("cannot read file " + dir), e.getMessage());
    }

    @Test
    void anEnvironmentVariableIsRead() {
        Secret secret = Secret.environment("HERALD_SECRET_ID", Map.of("HERALD_SECRET_ID", " abc \n"));

        assertEquals("abc", secret.value());
    }

    @Test
    void anUnsetOrEmptyVariableIsRefused() {
        HeraldException unset = assertThrows(HeraldException.class, () -> Secret.environment("X", Map.of()).value());
        assertEquals("the environment variable X is not set", unset.getMessage());

        HeraldException empty = assertThrows(HeraldException.class, () -> Secret.environment("X", Map.of("X", "")).value());
        assertEquals("the environment variable X is empty", empty.getMessage());
    }

    @Test
    void toStringNamesTheSourceNeverTheValue() throws IOException {
        Path file = Files.writeString(dir.resolve("pin"), "123456");
        Secret fromFile = Secret.file(file);
        Secret fromEnvironment = Secret.environment("PIN", Map.of("PIN", "654321"));
        fromFile.value();
        fromEnvironment.value();

        assertEquals("Secret[file " + file + "]", fromFile.toString());
        assertEquals("Secret[environment variable PIN]", fromEnvironment.toString());
        assertFalse(Secret.fixed("configured token", "hvs.xyz").toString().contains("hvs.xyz"));
    }
}
