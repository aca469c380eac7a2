package dev.herald.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<Path> files() throws Exception {
        try (var files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void replaceWritesTheWholeTextWithItsPermissionsAndLeavesNoTemporaryFile() throws Exception {
        Path key = dir.resolve("tls.key");
        Path certificate = dir.resolve("tls.crt");
        Files.writeString(key, "old");

        AtomicFiles.replace(key, "new key", AtomicFiles.Permissions.OWNER_ONLY);
        AtomicFiles.replace(certificate, "certificate", AtomicFiles.Permissions.WORLD_READABLE);

        assertEquals("new key", Files.readString(key));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(certificate)));
        assertEquals(2, files().size(), "no temporary file stays behind");
    }

    @Test
    void createWritesANewFile() throws Exception {
        Path file = dir.resolve("new.key");
        assertTrue(AtomicFiles.create(file, "ours", AtomicFiles.Permissions.OWNER_ONLY));
        assertEquals("ours", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void createNeverReplacesAFileThatAppearedMeanwhile() throws Exception {
        Path file = dir.resolve("raced.key");
        Files.writeString(file, "theirs");
        assertFalse(AtomicFiles.create(file, "ours", AtomicFiles.Permissions.OWNER_ONLY));
        assertEquals("theirs", Files.readString(file));
        assertEquals(1, files().size());
    }
}
