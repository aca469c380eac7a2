package dev.herald.client.auth;

import dev.herald.client.VaultClient;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Kubernetes auth: the same request as {@link JwtLogin} ({@code POST auth/MOUNT/login} with
 * {@code role} and {@code jwt}) on a mount of the {@code kubernetes} method (default mount
 * {@code kubernetes}), with the pod's service-account token as the JWT (default file
 * {@value #DEFAULT_TOKEN_FILE}), read at each login because the kubelet rotates it. The role is
 * required: the Kubernetes method has no default role.
 */
public final class KubernetesLogin implements Login {
    /** The mount path when none is given. */
    public static final String DEFAULT_MOUNT = "kubernetes";
    /** Where Kubernetes mounts the service-account token in every pod that has one. */
    public static final String DEFAULT_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    private final String mount;
    private final String role;
    private final Secret jwt;

    private KubernetesLogin(Builder builder) {
        this.mount = AuthMount.check(builder.mount);
        this.role = AuthMount.required(builder.role, "the Kubernetes auth role");
        this.jwt = builder.jwt;
    }

    /** A builder with the default mount. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public LoginToken login(VaultClient vault) {
        return JwtLogin.login(vault, mount, role, jwt);
    }

    /** The auth mount path, without surrounding slashes. */
    public String mount() {
        return mount;
    }

    @Override
    public String toString() {
        return "KubernetesLogin[auth/" + mount + ", role " + role + ", " + jwt.source() + "]";
    }

    /** Builds a {@link KubernetesLogin}; the role is required. */
    public static final class Builder {
        private String mount = DEFAULT_MOUNT;
        private String role;
        private Secret jwt = Secret.file(Path.of(DEFAULT_TOKEN_FILE));

        private Builder() {
        }

        /** The auth mount path (default {@value KubernetesLogin#DEFAULT_MOUNT}). */
        public Builder mount(String mount) {
            this.mount = mount;
            return this;
        }

        /** The Kubernetes auth role (required). */
        public Builder role(String role) {
            this.role = role;
            return this;
        }

        /** The service-account token file, when not the default one (e.g. a projected token with a Vault audience). */
        public Builder jwtFile(Path file) {
            return jwt(Secret.file(file));
        }

        /** Where the service-account token is kept. */
        public Builder jwt(Secret jwt) {
            this.jwt = Objects.requireNonNull(jwt, "jwt");
            return this;
        }

        /**
         * The login.
         *
         * @throws IllegalArgumentException if a required part is missing or the mount path is malformed
         */
        public KubernetesLogin build() {
            return new KubernetesLogin(this);
        }
    }
}
