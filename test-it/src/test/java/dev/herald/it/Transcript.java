package dev.herald.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Everything a server answered the harness, kept beside its log ({@code NAME.answers}): each HTTP
 * answer and each command's output, for the signing-key scan ({@link SigningKeyLeaks}) and for
 * reading after a failure. Reads of {@code sys/raw}, which the scan itself makes to learn the keys,
 * are not kept.
 */
final class Transcript {
    private final Path file;

    Transcript(Path logFile) {
        this.file = logFile.resolveSibling(logFile.getFileName().toString().replaceFirst("\\.log$", "") + ".answers");
    }

    Path file() {
        return file;
    }

    void add(HttpResult answer) {
        if (!answer.path().startsWith("/v1/sys/raw/")) {
            append(answer.method() + " " + answer.path() + " -> " + answer.status() + "\n" + answer.body() + "\n");
        }
    }

    void add(CliResult result) {
        append(String.join(" ", result.command()) + " -> exit " + result.exitCode() + "\n" + result.stdout() + "\n"
                + result.stderr() + "\n");
    }

    private synchronized void append(String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
