package dev.herald.client.auth;

import dev.herald.client.VaultClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TLS certificate auth ({@code POST auth/MOUNT/login}, with the optional {@code name} of the
 * certificate role), mount {@code cert} by default. The credential is the client certificate that
 * the TLS connection presents, so the {@link VaultClient} given to {@link #login} must have been
 * built with the client's key managers (from PEM files with {@link ClientCertificate}, or from a
 * PKCS#11 token):
 *
 * <pre>{@code
 * VaultClient vault = VaultClient.builder(config)
 *         .keyManagers(ClientCertificate.keyManagers(certFile, keyFile)).build();
 * Session session = Session.builder(vault, CertLogin.builder().name("consumer").build()).build();
 * }</pre>
 *
 * A client without a certificate is refused by the server, whose message is passed through.
 */
public final class CertLogin implements Login {
    /** The mount path when none is given. */
    public static final String DEFAULT_MOUNT = "cert";

    private final String mount;
    private final String name;

    private CertLogin(Builder builder) {
        this.mount = AuthMount.check(builder.mount);
        this.name = builder.name == null || builder.name.isBlank() ? null : builder.name.strip();
    }

    /** A builder with the default mount. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public LoginToken login(VaultClient vault) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (name != null) {
            body.put("name", name);
        }
        return AuthMount.login(vault, mount, body);
    }

    /** The auth mount path, without surrounding slashes. */
    public String mount() {
        return mount;
    }

    @Override
    public String toString() {
        return "CertLogin[auth/" + mount + (name == null ? "" : ", name " + name) + "]";
    }

    /** Builds a {@link CertLogin}. */
    public static final class Builder {
        private String mount = DEFAULT_MOUNT;
        private String name;

        private Builder() {
        }

        /** The auth mount path (default {@value CertLogin#DEFAULT_MOUNT}). */
        public Builder mount(String mount) {
            this.mount = mount;
            return this;
        }

        /** The certificate role to log in as (none: every role whose CA matches is tried by the server). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * The login.
         *
         * @throws IllegalArgumentException if a required part is missing or the mount path is malformed
         */
        public CertLogin build() {
            return new CertLogin(this);
        }
    }
}
