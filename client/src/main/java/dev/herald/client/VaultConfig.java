package dev.herald.client;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where Vault (or OpenBao) is and how to trust it, read the way the {@code vault} and {@code bao}
 * CLIs read it: {@code VAULT_ADDR}, {@code VAULT_CACERT}, {@code VAULT_TOKEN} and
 * {@code VAULT_NAMESPACE}, or their {@code BAO_} names (a {@code VAULT_} variable wins when both are
 * set). Anything can be overridden with the {@link Builder}.
 */
public final class VaultConfig {
    /** The CLIs' default address. */
    public static final URI DEFAULT_ADDRESS = URI.create("https://127.0.0.1:8200");

    private final URI address;
    private final Path caCert;
    private final String token;
    private final String namespace;

    private VaultConfig(Builder builder) {
        this.address = Objects.requireNonNull(builder.address, "address");
        String scheme = address.getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw new IllegalArgumentException("the Vault address must be http:// or https://, not " + address);
        }
        this.caCert = builder.caCert;
        this.token = builder.token;
        this.namespace = builder.namespace;
    }

    /** From this process's environment. */
    public static VaultConfig fromEnvironment() {
        return fromEnvironment(System.getenv()).build();
    }

    /** A builder started from {@code env} (see the class comment), to override what the caller's flags say. */
    public static Builder fromEnvironment(Map<String, String> env) {
        Builder builder = builder();
        variable(env, "ADDR").map(URI::create).ifPresent(builder::address);
        variable(env, "CACERT").map(Path::of).ifPresent(builder::caCert);
        variable(env, "TOKEN").ifPresent(builder::token);
        variable(env, "NAMESPACE").ifPresent(builder::namespace);
        return builder;
    }

    private static Optional<String> variable(Map<String, String> env, String name) {
        for (String prefix : new String[] {"VAULT_", "BAO_"}) {
            String value = env.get(prefix + name);
            if (value != null && !value.isBlank()) {
                return Optional.of(value.strip());
            }
        }
        return Optional.empty();
    }

    public static Builder builder() {
        return new Builder();
    }

    public URI address() {
        return address;
    }

    /** A PEM file of the CA certificates that sign the server's certificate; empty: the JDK's trust store. */
    public Optional<Path> caCert() {
        return Optional.ofNullable(caCert);
    }

    /** The token given by the environment or the caller, if any (token auth). */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    public Optional<String> namespace() {
        return Optional.ofNullable(namespace);
    }

    @Override
    public String toString() {
        // never the token
        return "VaultConfig[" + address + (caCert == null ? "" : ", ca " + caCert)
                + (namespace == null ? "" : ", namespace " + namespace) + "]";
    }

    /** Builds a {@link VaultConfig}; the address defaults to {@link #DEFAULT_ADDRESS}. */
    public static final class Builder {
        private URI address = DEFAULT_ADDRESS;
        private Path caCert;
        private String token;
        private String namespace;

        private Builder() {
        }

        public Builder address(URI address) {
            this.address = address;
            return this;
        }

        public Builder address(String address) {
            return address(URI.create(address));
        }

        public Builder caCert(Path caCert) {
            this.caCert = caCert;
            return this;
        }

        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        public VaultConfig build() {
            return new VaultConfig(this);
        }
    }
}
