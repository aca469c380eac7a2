package dev.herald.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where things are in the checkout. */
final class Project {

    private static final Path ROOT = findRoot();

    private Project() {
    }

    /**
     * The repository root: the system property {@code herald.root} (set by the {@code it} profile),
     * checked to be the Herald checkout, else the nearest directory above the working directory
     * that holds {@code test-it/pom.xml}.
     */
    static Path root() {
        return ROOT;
    }

    /** The packaged plugin made by scripts/package.sh: {@code herald}, {@code herald.sha256}, {@code herald.d/}. */
    static Path packagedPlugin() {
        return ROOT.resolve("target").resolve("plugin");
    }

    static Path registerScript() {
        return ROOT.resolve("scripts").resolve("register-plugin.sh");
    }

    /** Everything the integration tests write: server logs, work directories. */
    static Path outputDir() {
        return ROOT.resolve("test-it").resolve("target").resolve("it");
    }

    private static Path findRoot() {
        String configured = System.getProperty("herald.root");
        if (configured != null && !configured.isBlank() && isRoot(Path.of(configured))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return dir.normalize();
            }
        }
        throw new IllegalStateException("cannot find the Herald checkout (set -Dherald.root=DIR); herald.root="
                + configured + ", working directory " + Path.of("").toAbsolutePath());
    }

    private static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("test-it").resolve("pom.xml"))
                && Files.isRegularFile(dir.resolve("pom.xml"));
    }
}
