package dev.herald.client.cli;

import dev.herald.client.HeraldException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/** Where a command's output goes: stdout, or a file replaced atomically (a reader never sees half of it). */
final class Output {
    private Output() {
    }

    /** {@code text} (with a final newline) to {@code file}, or to stdout if {@code file} is null. */
    static void print(String text, Path file) {
        String line = text.endsWith("\n") ? text : text + "\n";
        if (file == null) {
            System.out.print(line);
            System.out.flush();
        } else {
            writeAtomically(file, line);
        }
    }

    /** Writes a temporary file beside {@code file}, forces it to disk and renames it over {@code file}. */
    static void writeAtomically(Path file, String text) {
        Path target = file.toAbsolutePath();
        Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the first failure is the one to report
            }
            throw new HeraldException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
