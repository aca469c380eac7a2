package dev.herald.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files written for users, all or nothing: a temporary file in the target's directory, created with
 * its final permissions before any byte is written ({@link Permissions#OWNER_ONLY} for private keys
 * and state, {@link Permissions#WORLD_READABLE} otherwise), synced, then moved into place in one
 * step and the directory synced, so that a reader or a crash never sees half a file.
 */
public final class AtomicFiles {
    /** Who may read a file, set on the temporary file at its creation (POSIX file systems only). */
    public enum Permissions {
        /** 0600: private keys, and state only the workload reads. */
        OWNER_ONLY("rw-------"),
        /** 0644: certificates, records and other public output. */
        WORLD_READABLE("rw-r--r--");

        private final Set<PosixFilePermission> posix;

        Permissions(String posix) {
            this.posix = PosixFilePermissions.fromString(posix);
        }
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code text} (UTF-8) to {@code target}, replacing what was there.
     *
     * @throws HeraldException if it cannot be written (then {@code target} is as it was)
     */
    public static void replace(Path target, String text, Permissions permissions) {
        Path temp = written(target, text.getBytes(StandardCharsets.UTF_8), permissions);
        try {
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(target);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new HeraldException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code text} (UTF-8) to {@code target} only if no file is there: a hard link of the finished
     * temporary file, which fails rather than replace one that another process made meanwhile.
     *
     * @return false if {@code target} already existed (then nothing was written)
     * @throws HeraldException if it cannot be written
     */
    public static boolean create(Path target, String text, Permissions permissions) {
        Path temp = written(target, text.getBytes(StandardCharsets.UTF_8), permissions);
        try {
            Files.createLink(target, temp);
            syncDirectory(target);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | IOException e) {
            // a file system without hard links: move, after a last look (a narrow race remains there)
            try {
                if (Files.exists(target)) {
                    return false;
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(target);
                return true;
            } catch (IOException again) {
                throw new HeraldException("cannot create " + target + ": " + again.getMessage(), again);
            }
        } finally {
            deleteQuietly(temp);
        }
    }

    /** The content in a synced temporary file beside {@code target}, with the final permissions from its creation. */
    private static Path written(Path target, byte[] content, Permissions permissions) {
        Path directory = target.toAbsolutePath().getParent();
        Path temp = null;
        try {
            boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
            FileAttribute<?>[] attributes = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions.posix)}
                    : new FileAttribute<?>[0];
            temp = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp", attributes);
            if (posix) {
                // the umask may have taken bits away from a public file; a private one can only have lost some
                Files.setPosixFilePermissions(temp, permissions.posix);
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            return temp;
        } catch (IOException e) {
            if (temp != null) {
                deleteQuietly(temp);
            }
            throw new HeraldException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Makes the new directory entry durable (Linux; elsewhere a directory cannot be opened, and that is fine). */
    private static void syncDirectory(Path target) {
        try (FileChannel directory = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stray temporary file is harmless: its name starts with a dot and ends in .tmp
        }
    }
}
