package dev.herald.plugin.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginUnderTestTest {

    @TempDir
    Path dir;

    private Path executable(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void aPackagedDirectoryIsCopiedWholeWithItsLinksAndRegisteredWithTheShaBesideTheCommand() throws Exception {
        Path pkg = dir.resolve("pkg");
        Path command = executable(pkg.resolve("greeter"), "#!/bin/sh\nexit 0\n");
        Files.createDirectories(pkg.resolve("greeter.d/lib"));
        Files.writeString(pkg.resolve("greeter.d/lib/app.jar"), "jar");
        Files.createSymbolicLink(pkg.resolve("greeter.d/current"), Path.of("lib/app.jar"));
        String sha = PluginUnderTest.sha256Of(command);
        Files.writeString(pkg.resolve("greeter.sha256"), sha + "  greeter\n");
        PluginUnderTest plugin = PluginUnderTest.packaged(pkg, "greeter").mount("/greet/").version("v1.2.0")
                .args("--quiet").env("GREETER_MODE", "test").build();

        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        assertEquals(sha, plugin.install(plugins));

        assertTrue(Files.isExecutable(plugins.resolve("greeter")));
        assertEquals("jar", Files.readString(plugins.resolve("greeter.d/lib/app.jar")));
        assertTrue(Files.isSymbolicLink(plugins.resolve("greeter.d/current")), "links stay links");
        assertEquals(Path.of("lib/app.jar"), Files.readSymbolicLink(plugins.resolve("greeter.d/current")));
        assertEquals("greeter", plugin.name());
        assertEquals("greet", plugin.mount());
        assertEquals(Optional.of("v1.2.0"), plugin.version());
        assertEquals(Map.of("sha256", sha, "command", "greeter", "args", List.of("--quiet"),
                "env", List.of("GREETER_MODE=test"), "version", "v1.2.0"), plugin.catalogEntry(sha));
        assertEquals(Map.of("type", "greeter", "plugin_version", "v1.2.0"), plugin.mountRequest());
    }

    @Test
    void aCommandWhoseHashDiffersFromTheExpectedOneIsRefusedBeforeAnythingIsCopied() throws Exception {
        Path command = executable(dir.resolve("bin/echoer"), "#!/bin/sh\nexit 0\n");
        PluginUnderTest plugin = PluginUnderTest.command(command).sha256("00".repeat(32)).name("echo").build();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plugin.install(plugins));

        assertTrue(e.getMessage().contains("is " + PluginUnderTest.sha256Of(command) + ", not the expected 00"), e::getMessage);
        assertFalse(Files.exists(plugins.resolve("echoer")));
        assertEquals("echo", plugin.name(), "the name is given");
        assertEquals("echo", plugin.mount(), "the mount defaults to the name");
        assertEquals(Map.of("type", "echo"), plugin.mountRequest(), "no version, none asked for");
    }

    @Test
    void aMissingCommandSaysWhatIsMissing() {
        PluginUnderTest plugin = PluginUnderTest.packaged(dir, "absent").build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plugin.install(dir));
        assertTrue(e.getMessage().contains(dir.resolve("absent") + " is not an executable file"), e::getMessage);
    }

    @Test
    void badSettingsAreRefusedWhenGiven() {
        PluginUnderTest.Builder builder = PluginUnderTest.packaged(dir, "p");
        assertThrows(IllegalArgumentException.class, () -> PluginUnderTest.packaged(dir, "sub/p"));
        assertThrows(IllegalArgumentException.class, () -> builder.sha256("abc"));
        assertThrows(IllegalArgumentException.class, () -> builder.version("1.0"));
        assertThrows(IllegalArgumentException.class, () -> builder.name("../x"));
        assertThrows(IllegalArgumentException.class, () -> builder.mount("//"));
    }
}
