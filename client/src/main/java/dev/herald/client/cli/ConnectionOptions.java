package dev.herald.client.cli;

import dev.herald.client.HeraldException;
import dev.herald.client.TokenSource;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultConfig;
import dev.herald.client.auth.AppRoleLogin;
import dev.herald.client.auth.CertLogin;
import dev.herald.client.auth.ClientCertificate;
import dev.herald.client.auth.JwtLogin;
import dev.herald.client.auth.KubernetesLogin;
import dev.herald.client.auth.Login;
import dev.herald.client.auth.Secret;
import dev.herald.client.auth.Session;
import dev.herald.client.auth.TokenLogin;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.KeyManager;
import picocli.CommandLine.Option;

/**
 * The options every command shares (DESIGN §6.1): where the server is and how to trust it, the
 * mount, and how to log in. Secrets (tokens, secret ids, PINs) come from files or the environment,
 * never from arguments, so that they never show in a process list or a shell history.
 */
final class ConnectionOptions {
    /** Where a PKCS#11 PIN may come from instead of {@code --pkcs11-pin-file}. */
    static final String PIN_VARIABLE = "HERALD_PKCS11_PIN";
    /** Where an AppRole secret id may come from instead of {@code --secret-id-file}. */
    static final String SECRET_ID_VARIABLE = "HERALD_SECRET_ID";

    enum Method { token, jwt, kubernetes, approle, cert }

    @Option(names = "--address", paramLabel = "URL", description = "The server (default: $VAULT_ADDR or $BAO_ADDR, else https://127.0.0.1:8200).")
    String address;

    @Option(names = "--ca-cert", paramLabel = "FILE", description = "PEM file of the CA certificates to trust (default: $VAULT_CACERT or $BAO_CACERT, else the JDK's).")
    Path caCert;

    @Option(names = "--mount", paramLabel = "PATH", defaultValue = "herald", description = "Where Herald is mounted (default: ${DEFAULT-VALUE}).")
    String mount;

    @Option(names = "--auth", paramLabel = "METHOD", defaultValue = "token",
            description = "How to log in: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: $VAULT_TOKEN, $BAO_TOKEN or --token-file).")
    Method auth;

    @Option(names = "--auth-mount", paramLabel = "PATH", description = "The auth method's mount (default: the method's name).")
    String authMount;

    @Option(names = "--auth-role", paramLabel = "NAME", description = "The role to log in with (jwt, kubernetes; cert: the certificate role's name).")
    String authRole;

    @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the token (token auth), re-read at each login.")
    Path tokenFile;

    @Option(names = "--jwt-file", paramLabel = "FILE", description = "The JWT to log in with (jwt, kubernetes), re-read at each login.")
    Path jwtFile;

    @Option(names = "--role-id", paramLabel = "ID", description = "The AppRole role id.")
    String roleId;

    @Option(names = "--secret-id-file", paramLabel = "FILE", description = "The AppRole secret id (else $" + SECRET_ID_VARIABLE + ").")
    Path secretIdFile;

    @Option(names = "--client-cert", paramLabel = "FILE", description = "PEM client certificate (chain) presented to the server (cert auth, mutual TLS).")
    Path clientCert;

    @Option(names = "--client-key", paramLabel = "FILE", description = "PEM private key of --client-cert.")
    Path clientKey;

    @Option(names = "--pkcs11-module", paramLabel = "FILE", description = "PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so) holding the client key.")
    Path pkcs11Module;

    @Option(names = "--pkcs11-token", paramLabel = "LABEL", description = "The token's label.")
    String pkcs11Token;

    @Option(names = "--pkcs11-slot", paramLabel = "INDEX", description = "The slot list index, instead of --pkcs11-token.")
    Integer pkcs11Slot;

    @Option(names = "--pkcs11-pin-file", paramLabel = "FILE", description = "The token's PIN (else $" + PIN_VARIABLE + ").")
    Path pkcs11PinFile;

    @Option(names = "--pkcs11-key-label", paramLabel = "LABEL", description = "The label of the key (and its certificate) in the token.")
    String pkcs11KeyLabel;

    private Map<String, String> environment = System.getenv();

    /** For tests: the environment to read instead of the process's. */
    void environment(Map<String, String> environment) {
        this.environment = environment;
    }

    String mount() {
        return mount.replaceAll("^/+|/+$", "");
    }

    VaultConfig config() {
        VaultConfig.Builder builder = VaultConfig.fromEnvironment(environment);
        if (address != null) {
            builder.address(address);
        }
        if (caCert != null) {
            builder.caCert(caCert);
        }
        return builder.build();
    }

    /** A client of the server, presenting {@code keyManagers} if not null. */
    VaultClient vaultClient(KeyManager[] keyManagers) {
        VaultClient.Builder builder = VaultClient.builder(config());
        if (keyManagers != null) {
            builder.keyManagers(keyManagers);
        }
        return builder.build();
    }

    /**
     * The client certificate given, or null: {@code --client-cert}/{@code --client-key}, or with
     * {@code --auth cert} the PKCS#11 key (for {@code publish}, other PKCS#11 options name the key to
     * publish instead).
     */
    KeyManager[] clientKeyManagers() {
        if (clientCert != null || clientKey != null) {
            if (clientCert == null || clientKey == null) {
                throw new HeraldException("--client-cert and --client-key go together");
            }
            return ClientCertificate.keyManagers(clientCert, clientKey);
        }
        if (pkcs11Module != null && auth == Method.cert) {
            return Pkcs11Options.keyManagers(this);
        }
        return null;
    }

    /** The client of the server for logging in and for the command's requests (with the client certificate, if any). */
    VaultClient vaultClient() {
        return vaultClient(clientKeyManagers());
    }

    /** The login the options describe. */
    Login login() {
        return switch (auth) {
            case token -> tokenFile != null ? TokenLogin.fromFile(tokenFile) : TokenLogin.of(config());
            case jwt -> JwtLogin.builder().mount(authMount == null ? JwtLogin.DEFAULT_MOUNT : authMount).role(authRole)
                    .jwtFile(required(jwtFile, "--jwt-file")).build();
            case kubernetes -> {
                KubernetesLogin.Builder builder = KubernetesLogin.builder()
                        .mount(authMount == null ? KubernetesLogin.DEFAULT_MOUNT : authMount).role(required(authRole, "--auth-role"));
                if (jwtFile != null) {
                    builder.jwtFile(jwtFile);
                }
                yield builder.build();
            }
            case approle -> AppRoleLogin.builder().mount(authMount == null ? AppRoleLogin.DEFAULT_MOUNT : authMount)
                    .roleId(required(roleId, "--role-id"))
                    .secretId(secretIdFile != null ? Secret.file(secretIdFile) : Secret.environment(SECRET_ID_VARIABLE))
                    .build();
            case cert -> {
                if (clientCert == null && pkcs11Module == null) {
                    throw new HeraldException("--auth cert needs --client-cert and --client-key, or the --pkcs11-* options");
                }
                CertLogin.Builder builder = CertLogin.builder().mount(authMount == null ? CertLogin.DEFAULT_MOUNT : authMount);
                if (authRole != null) {
                    builder.name(authRole);
                }
                yield builder.build();
            }
        };
    }

    /** A session (logged in on first use, renewed, logged in again) over {@code client}. */
    Session session(VaultClient client) {
        return Session.builder(client, login()).build();
    }

    static <T> T required(T value, String option) {
        if (value == null) {
            throw new HeraldException("this login needs " + option);
        }
        return value;
    }

    /** The token of a one-shot command. */
    TokenSource tokens(VaultClient client) {
        return session(client);
    }
}
