package dev.herald.client.cli;

import dev.herald.client.AtomicFiles;
import java.nio.file.Path;

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

    /** Writes {@code text} to {@code file} atomically (a temporary file beside it, forced, renamed), 0644. */
    static void writeAtomically(Path file, String text) {
        AtomicFiles.replace(file, text, AtomicFiles.Permissions.WORLD_READABLE);
    }
}
