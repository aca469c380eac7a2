package dev.herald.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Herald on one {@link DevServer}: installs, registers and mounts the packaged plugin with
 * {@code scripts/register-plugin.sh}, mounts it again with the CLI, and finds its process.
 *
 * <p>The packaged plugin is what scripts/package.sh leaves in {@code <root>/target/plugin/}: the
 * shim executable {@code herald}, its hash {@code herald.sha256}, and {@code herald.d/} (jar,
 * runtime, AOT cache). The plugin JVM is recognised by {@value #JAR} on its command line.
 */
public final class Herald {

    /** The catalog name register-plugin.sh uses by default. */
    public static final String PLUGIN = "herald";
    /** Appears on the command line of the plugin JVM, and of nothing else. */
    public static final String JAR = "herald-plugin.jar";

    private final DevServer server;
    private boolean registered;

    Herald(DevServer server) {
        this.server = server;
    }

    public DevServer server() {
        return server;
    }

    /** Fails the test unless scripts/package.sh has left the packaged plugin in {@code <root>/target/plugin/}. */
    public static Path packagedPlugin() {
        Path source = Project.packagedPlugin();
        if (!Files.isRegularFile(source.resolve("herald")) || !Files.isDirectory(source.resolve("herald.d"))) {
            fail("the packaged plugin is missing in " + source + " (herald, herald.d/): run scripts/package.sh first");
        }
        return source;
    }

    /** The semantic version of the package in {@code dir} (its {@code herald.d/VERSION}, v0.1.0). */
    public static String versionOf(Path dir) {
        try {
            return Files.readString(dir.resolve("herald.d").resolve("VERSION")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("the package in " + dir + " has no readable herald.d/VERSION", e);
        }
    }

    /**
     * The file name register-plugin.sh installs the packaged shim under for catalog name
     * {@code name}: NAME-VERSION, its payload beside it as NAME-VERSION.d.
     */
    public static String installedName(String name) {
        return name + "-" + versionOf(packagedPlugin());
    }

    /**
     * Runs {@code scripts/register-plugin.sh --plugin-dir DIR --package <root>/target/plugin --mount MOUNT
     * --cli bao|vault EXTRA...} with the server's client environment; returns its result unchecked.
     * The script copies the package into the plugin directory (as {@code NAME} and {@code NAME.d}),
     * registers it with the shim's hash and, unless {@code --no-enable}, mounts it.
     */
    public CliResult registerScript(String mount, String... extra) {
        Path packaged = packagedPlugin();
        Path script = Project.registerScript();
        if (!Files.isRegularFile(script)) {
            fail("missing " + script);
        }
        List<String> command = new ArrayList<>();
        if (!Files.isExecutable(script)) {
            command.add("bash");
        }
        command.addAll(List.of(script.toString(), "--plugin-dir", server.pluginDir().toString(),
                "--package", packaged.toString(), "--mount", mount, "--cli", server.kind().cli()));
        command.addAll(List.of(extra));
        return server.run(command);
    }

    /**
     * Mounts Herald at {@code mount}: the first time through register-plugin.sh (which registers
     * and enables), later with {@code secrets enable -path=MOUNT herald}. Fails the test if that fails.
     */
    public synchronized String enable(String mount) {
        if (!registered) {
            registerScript(mount).assertSuccess();
            registered = true;
        } else {
            server.cli("secrets", "enable", "-path=" + mount, PLUGIN).assertSuccess();
        }
        return mount;
    }

    /** {@code read -format=json MOUNT/config}, returning its {@code data}. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> readConfig(String mount) {
        Map<String, Object> response = server.cli("read", "-format=json", mount + "/config").assertSuccess().json();
        Object data = response.get("data");
        if (!(data instanceof Map)) {
            fail("read " + mount + "/config gave no data: " + response);
        }
        return (Map<String, Object>) data;
    }

    /** {@code write MOUNT/config key=value...}; fails the test if the CLI fails. */
    public CliResult writeConfig(String mount, String... keyValues) {
        List<String> args = new ArrayList<>(List.of("write", mount + "/config"));
        args.addAll(List.of(keyValues));
        return server.cli(args.toArray(String[]::new)).assertSuccess();
    }

    /** The living plugin JVMs started by this server. */
    public List<ProcessHandle> pluginProcesses() {
        return server.descendants().stream().filter(Herald::isPluginJvm).toList();
    }

    /** Waits until exactly {@code count} plugin JVMs run; true if so within {@code timeout}. */
    public boolean awaitPluginProcesses(int count, Duration timeout) {
        return DevServer.await(timeout, () -> pluginProcesses().size() == count);
    }

    /** The one plugin JVM; fails the test if there is not exactly one (after waiting up to 10 s). */
    public ProcessHandle pluginProcess() {
        if (!awaitPluginProcesses(1, Duration.ofSeconds(10))) {
            fail("expected exactly one " + JAR + " process under " + server + ", found "
                    + DevServer.describe(pluginProcesses()) + " among " + DevServer.describe(server.descendants()));
        }
        return pluginProcesses().getFirst();
    }

    static boolean isPluginJvm(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        return info.commandLine().orElse("").contains(JAR)
                || info.arguments().map(args -> String.join(" ", args)).orElse("").contains(JAR);
    }

    /** Appends one byte to {@code file}. */
    public static void appendByte(Path file) {
        try {
            Files.write(file, new byte[] {'\n'}, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
