package dev.herald.bridge;

import dev.herald.sdk.Log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Sockets of plugin processes that were killed (SIGKILL leaves no chance to remove them) pile up
 * in the socket directory. Our socket names carry the process id, so a later process can tell
 * which ones belong to processes that are gone and remove them.
 */
final class StaleSockets {
    private static final Log LOG = Log.named("herald.bridge");
    private static final Pattern NAME = Pattern.compile("herald-([0-9]+)-[0-9a-f]+\\.sock");

    private StaleSockets() {
    }

    /** The name of this process's socket: {@code herald-<pid>-<random hex>.sock}. */
    static String name(long pid, String randomHex) {
        return "herald-" + pid + "-" + randomHex + ".sock";
    }

    /**
     * Removes the sockets in {@code directory} named like ours whose process is no longer alive.
     * Only sockets: a regular file or directory of that name is left alone.
     *
     * @return how many were removed
     */
    static int remove(Path directory) {
        int removed = 0;
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path entry : entries.toList()) {
                Matcher name = NAME.matcher(entry.getFileName().toString());
                try {
                    if (name.matches() && isSocket(entry) && !alive(Long.parseLong(name.group(1)))
                            && Files.deleteIfExists(entry)) {
                        removed++;
                    }
                } catch (IOException | NumberFormatException e) {
                    // another user's socket, or one removed meanwhile: not ours to worry about
                }
            }
        } catch (IOException | SecurityException e) {
            LOG.debug("cannot remove stale sockets", "directory", directory.toString(), "error", e.toString());
        }
        return removed;
    }

    private static boolean isSocket(Path entry) throws IOException {
        return Files.readAttributes(entry, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .isOther();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
