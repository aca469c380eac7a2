package dev.herald.plugin.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plugin a test runs against: its files, its catalog entry and its mount.
 *
 * <p>Either a packaged plugin directory, whose whole content is copied into the server's plugin
 * directory and which holds the command to run ({@link #packaged(Path, String)}); or a single
 * executable ({@link #command(Path)}). The catalog entry takes the command's SHA-256: given with
 * {@link Builder#sha256(String)}, read from a {@code <command>.sha256} file beside the command
 * if there is one, else computed; a given or read hash that does not match the file fails the
 * test before the server is asked.
 *
 * <pre>{@code
 * PluginUnderTest plugin = PluginUnderTest.packaged(Path.of("target/plugin"), "my-plugin")
 *         .mount("my-mount")
 *         .build();
 * }</pre>
 */
public final class PluginUnderTest {
    private final Path source;
    private final String command;
    private final boolean directory;
    private final String sha256;
    private final String name;
    private final PluginType type;
    private final String version;
    private final String mount;
    private final List<String> args;
    private final Map<String, String> env;

    private PluginUnderTest(Builder b) {
        this.source = b.source;
        this.command = b.command;
        this.directory = b.directory;
        this.sha256 = b.sha256;
        this.name = b.name == null ? b.command : b.name;
        this.type = b.type;
        this.version = b.version;
        this.mount = b.mount == null ? this.name : b.mount;
        this.args = List.copyOf(b.args);
        this.env = Map.copyOf(b.env);
    }

    /**
     * A packaged plugin: every file in {@code directory} is copied into the server's plugin
     * directory (links, modes and subdirectories kept), and {@code command}, a file in it, is run.
     *
     * @param directory the packaged plugin directory
     * @param command   the executable's file name in it
     * @return a builder; the name defaults to {@code command}, the type to {@link PluginType#SECRET}
     */
    public static Builder packaged(Path directory, String command) {
        if (command.contains("/") || command.isBlank()) {
            throw new IllegalArgumentException("the command must be a file name in " + directory + ", not " + command);
        }
        return new Builder(directory, command, true);
    }

    /**
     * A single executable, copied into the server's plugin directory under its file name.
     *
     * @param executable the plugin's executable
     * @return a builder; the name defaults to the file name, the type to {@link PluginType#SECRET}
     */
    public static Builder command(Path executable) {
        Path fileName = executable.getFileName();
        if (fileName == null) {
            throw new IllegalArgumentException("not a file: " + executable);
        }
        return new Builder(executable, fileName.toString(), false);
    }

    /**
     * The catalog name.
     *
     * @return the name the plugin is registered and mounted as
     */
    public String name() {
        return name;
    }

    /**
     * The plugin's type.
     *
     * @return secrets engine or auth method
     */
    public PluginType type() {
        return type;
    }

    /**
     * The mount path, without slashes around it.
     *
     * @return where the plugin is mounted
     */
    public String mount() {
        return mount;
    }

    /**
     * The version it is registered with.
     *
     * @return the version, if one was given
     */
    public Optional<String> version() {
        return Optional.ofNullable(version);
    }

    /**
     * The command's file name in the plugin directory.
     *
     * @return the command
     */
    public String command() {
        return command;
    }

    /** Copies the plugin's files into {@code pluginDirectory} and returns the command's SHA-256. */
    String install(Path pluginDirectory) {
        Path executable = directory ? source.resolve(command) : source;
        if (!Files.isRegularFile(executable) || !Files.isExecutable(executable)) {
            throw new IllegalStateException("the plugin command " + executable + " is not an executable file"
                    + (directory ? " (is the plugin packaged?)" : ""));
        }
        String actual = sha256Of(executable);
        String expected = sha256 != null ? sha256 : shaFileBeside(executable).orElse(actual);
        if (!expected.equalsIgnoreCase(actual)) {
            throw new IllegalStateException("the SHA-256 of " + executable + " is " + actual + ", not the expected "
                    + expected + " (package it again?)");
        }
        try {
            if (directory) {
                TestFiles.copyTree(source, pluginDirectory);
            } else {
                // the file itself, even if the given path is a link
                Files.copy(executable, pluginDirectory.resolve(command), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the plugin " + source + " into " + pluginDirectory, e);
        }
        return actual;
    }

    /** The body of {@code PUT sys/plugins/catalog/TYPE/NAME}. */
    Map<String, Object> catalogEntry(String sha) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("sha256", sha);
        entry.put("command", command);
        entry.put("args", args);
        entry.put("env", env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList());
        if (version != null) {
            entry.put("version", version);
        }
        return entry;
    }

    /** The body of {@code POST sys/mounts/PATH} (or {@code sys/auth/PATH}). */
    Map<String, Object> mountRequest() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("type", name);
        if (version != null) {
            request.put("plugin_version", version);
        }
        return request;
    }

    private static Optional<String> shaFileBeside(Path executable) {
        Path file = executable.resolveSibling(executable.getFileName() + ".sha256");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            // sha256sum's format ("HASH  FILE") or the bare hash
            String[] words = Files.readString(file).trim().split("\\s+");
            return words[0].isEmpty() ? Optional.empty() : Optional.of(words[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static String sha256Of(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }

    @Override
    public String toString() {
        return type.catalogName() + " plugin " + name + (version == null ? "" : " " + version) + " from " + source
                + ", mounted at " + mount + "/";
    }

    /** Builds a {@link PluginUnderTest}; every setting but the source is optional. */
    public static final class Builder {
        private final Path source;
        private final String command;
        private final boolean directory;
        private String sha256;
        private String name;
        private PluginType type = PluginType.SECRET;
        private String version;
        private String mount;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder(Path source, String command, boolean directory) {
            this.source = source.toAbsolutePath().normalize();
            this.command = command;
            this.directory = directory;
        }

        /**
         * The expected SHA-256 of the command, in hex.
         *
         * @param hex the hash
         * @return this builder
         */
        public Builder sha256(String hex) {
            if (!hex.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("a SHA-256 is 64 hex digits, not " + hex);
            }
            this.sha256 = hex;
            return this;
        }

        /**
         * The catalog name (default: the command's file name).
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("a plugin name is letters, digits, '.', '_' and '-', not " + name);
            }
            this.name = name;
            return this;
        }

        /**
         * The plugin's type (default: {@link PluginType#SECRET}).
         *
         * @param type the type
         * @return this builder
         */
        public Builder type(PluginType type) {
            this.type = type;
            return this;
        }

        /**
         * The version to register and mount (semantic, with a leading {@code v}); default none.
         *
         * @param version the version, e.g. {@code v1.2.0}
         * @return this builder
         */
        public Builder version(String version) {
            if (!version.matches("v\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.+-]+)?")) {
                throw new IllegalArgumentException("a plugin version looks like v1.2.0, not " + version);
            }
            this.version = version;
            return this;
        }

        /**
         * The mount path (default: the name).
         *
         * @param path the path, slashes around it ignored
         * @return this builder
         */
        public Builder mount(String path) {
            String trimmed = path.replaceAll("^/+|/+$", "");
            if (trimmed.isEmpty()) {
                throw new IllegalArgumentException("the mount path must not be empty");
            }
            this.mount = trimmed;
            return this;
        }

        /**
         * Arguments the server passes to the command.
         *
         * @param args the arguments
         * @return this builder
         */
        public Builder args(String... args) {
            this.args.addAll(List.of(args));
            return this;
        }

        /**
         * An environment variable the server sets for the command.
         *
         * @param name  the variable
         * @param value its value
         * @return this builder
         */
        public Builder env(String name, String value) {
            this.env.put(name, value);
            return this;
        }

        /**
         * The plugin.
         *
         * @return an immutable description of the plugin
         */
        public PluginUnderTest build() {
            return new PluginUnderTest(this);
        }
    }
}
