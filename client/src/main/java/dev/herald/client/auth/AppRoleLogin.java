package dev.herald.client.auth;

import dev.herald.client.VaultClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * AppRole auth ({@code POST auth/MOUNT/login} with {@code role_id} and {@code secret_id}), mount
 * {@code approle} by default. The role id is an identifier and may be given directly; the secret id
 * is a credential and comes from a file (read at each login, so that a delivery tool can replace it)
 * or an environment variable. Without a secret id only {@code role_id} is sent, for roles with
 * {@code bind_secret_id=false}.
 */
public final class AppRoleLogin implements Login {
    /** The mount path when none is given. */
    public static final String DEFAULT_MOUNT = "approle";

    private final String mount;
    private final String roleId;
    private final Secret secretId;

    private AppRoleLogin(Builder builder) {
        this.mount = AuthMount.check(builder.mount);
        this.roleId = AuthMount.required(builder.roleId, "the AppRole role id");
        this.secretId = builder.secretId;
    }

    /** A builder with the default mount. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public LoginToken login(VaultClient vault) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role_id", roleId);
        if (secretId != null) {
            body.put("secret_id", secretId.value());
        }
        return AuthMount.login(vault, mount, body);
    }

    /** The auth mount path, without surrounding slashes. */
    public String mount() {
        return mount;
    }

    @Override
    public String toString() {
        return "AppRoleLogin[auth/" + mount + ", role id " + roleId
                + (secretId == null ? "" : ", secret id from " + secretId.source()) + "]";
    }

    /** Builds an {@link AppRoleLogin}; the role id is required. */
    public static final class Builder {
        private String mount = DEFAULT_MOUNT;
        private String roleId;
        private Secret secretId;

        private Builder() {
        }

        /** The auth mount path (default {@value AppRoleLogin#DEFAULT_MOUNT}). */
        public Builder mount(String mount) {
            this.mount = mount;
            return this;
        }

        /** The role id (required). */
        public Builder roleId(String roleId) {
            this.roleId = roleId;
            return this;
        }

        /** The file holding the secret id, read at each login. */
        public Builder secretIdFile(Path file) {
            return secretId(Secret.file(file));
        }

        /** Where the secret id is kept. */
        public Builder secretId(Secret secretId) {
            this.secretId = Objects.requireNonNull(secretId, "secretId");
            return this;
        }

        /**
         * The login.
         *
         * @throws IllegalArgumentException if a required part is missing or the mount path is malformed
         */
        public AppRoleLogin build() {
            return new AppRoleLogin(this);
        }
    }
}
