package dev.herald.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * The plugin's semantic version, as the jar's manifest carries it ({@code Implementation-Version}):
 * the Maven project version, or the one scripts/package.sh stamped into the packaged copy. The
 * server compares it with the version the plugin was registered with and refuses a mismatch.
 */
final class BuildVersion {
    private BuildVersion() {
    }

    /** The version, or "" outside a jar (classes run from a build directory). */
    static String read() {
        // The jar is the only class path entry, so the class loader's manifest is the jar's own.
        try (InputStream in = HeraldPlugin.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            if (in == null) {
                return "";
            }
            String version = new Manifest(in).getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            return version == null ? "" : version.trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the plugin jar's manifest", e);
        }
    }
}
