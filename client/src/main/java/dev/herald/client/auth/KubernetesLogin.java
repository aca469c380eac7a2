package dev.herald.client.auth;

import java.nio.file.Path;

/**
 * Kubernetes auth: the same request as {@link JwtLogin} ({@code POST auth/MOUNT/login} with
 * {@code role} and {@code jwt}) on a mount of the {@code kubernetes} method (default mount
 * {@code kubernetes}), with the pod's service-account token as the JWT (default file
 * {@value #DEFAULT_TOKEN_FILE}), read at each login because the kubelet rotates it. The role is
 * required: the Kubernetes method has no default role.
 */
public final class KubernetesLogin extends JwtBearerLogin {
    /** The mount path when none is given. */
    public static final String DEFAULT_MOUNT = "kubernetes";
    /** Where Kubernetes mounts the service-account token in every pod that has one. */
    public static final String DEFAULT_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    private KubernetesLogin(Builder builder) {
        super("KubernetesLogin", AuthMount.check(builder.mount),
                AuthMount.required(builder.role, "the Kubernetes auth role"), builder.jwt);
    }

    /** A builder with the default mount and token file. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link KubernetesLogin}; the role is required. The JWT is the service-account token
     * file unless another is given (e.g. a projected token with a Vault audience).
     */
    public static final class Builder extends JwtBearerLogin.Builder<Builder> {
        private Builder() {
            super(DEFAULT_MOUNT, Secret.file(Path.of(DEFAULT_TOKEN_FILE)));
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The login.
         *
         * @throws IllegalArgumentException if the role is missing or the mount path is malformed
         */
        public KubernetesLogin build() {
            return new KubernetesLogin(this);
        }
    }
}
