import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Used by scripts/package-plugin.sh (run as a source file: java JarWithoutNatives.java IN OUT DIR).
 * Copies the jar IN to OUT without its native libraries (META-INF/native/*.so), which it writes to
 * DIR instead. Netty loads a library it finds inside the jar from a copy it extracts to a temporary
 * file at every start, which nothing pins; from DIR (java.library.path) it loads the pinned file.
 * The JDK's jar tool cannot delete entries, hence this. Entries keep their names, order and times.
 */
public class JarWithoutNatives {
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: JarWithoutNatives IN.jar OUT.jar NATIVE_DIR");
        }
        Path nativeDir = Files.createDirectories(Path.of(args[2]));
        try (InputStream file = Files.newInputStream(Path.of(args[0]));
             ZipInputStream in = new ZipInputStream(file);
             OutputStream target = Files.newOutputStream(Path.of(args[1]));
             ZipOutputStream out = new ZipOutputStream(target)) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                String name = entry.getName();
                if (name.startsWith("META-INF/native/")) {
                    String base = name.substring("META-INF/native/".length());
                    if (base.endsWith(".so") && !base.contains("/")) {
                        Files.copy(in, nativeDir.resolve(base));
                    }
                    continue; // other platforms' files (none on Linux) are left out with them
                }
                ZipEntry copy = new ZipEntry(name);
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                in.transferTo(out);
                out.closeEntry();
            }
        }
    }
}
