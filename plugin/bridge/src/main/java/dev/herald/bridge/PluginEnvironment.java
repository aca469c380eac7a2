package dev.herald.bridge;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;

/**
 * What the server tells a plugin process through its environment, checked before anything starts.
 * A process that was not started by Vault/OpenBao (no magic cookie), or by one that does not speak
 * protocol 5 with AutoMTLS, is refused with a message that says so.
 *
 * @param hostCertificate the server's one-time client certificate (PLUGIN_CLIENT_CERT), pinned on
 *                        every TLS connection in both directions
 * @param socketDirectory where to create the listening socket (PLUGIN_UNIX_SOCKET_DIR, else the temp dir)
 * @param muxRequested    PLUGIN_MULTIPLEX_GRPC was set: the server wants yamux broker multiplexing
 */
record PluginEnvironment(X509Certificate hostCertificate, String socketDirectory, boolean muxRequested) {

    static final String MAGIC_COOKIE_KEY = "VAULT_BACKEND_PLUGIN";
    static final String MAGIC_COOKIE_VALUE = "6669da05-b1c8-4f49-97d9-c8e5bed98e20";
    static final int PROTOCOL_VERSION = 5;

    /** Why the process cannot serve; its message is shown on stderr before the process exits 1. */
    static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    static PluginEnvironment from(Map<String, String> env) throws RefusedException {
        if (!MAGIC_COOKIE_VALUE.equals(env.get(MAGIC_COOKIE_KEY))) {
            throw new RefusedException("this program is a HashiCorp Vault / OpenBao secrets-engine plugin and is not "
                    + "meant to be run directly: register it with `vault plugin register` or `bao plugin register` "
                    + "(scripts/register-plugin.sh does this) and enable it with `secrets enable`");
        }
        String versions = env.getOrDefault("PLUGIN_PROTOCOL_VERSIONS", "");
        boolean offersFive = Arrays.stream(versions.split(",")).map(String::trim)
                .anyMatch(v -> v.equals(Integer.toString(PROTOCOL_VERSION)));
        if (!offersFive) {
            throw new RefusedException("the server offers plugin protocol versions [" + versions + "], but this plugin "
                    + "speaks only version " + PROTOCOL_VERSION + " (Vault 1.12+ / OpenBao 2.0+)");
        }
        String certificatePem = env.get("PLUGIN_CLIENT_CERT");
        if (certificatePem == null || certificatePem.isBlank()) {
            throw new RefusedException("PLUGIN_CLIENT_CERT is not set: this plugin needs the server's automatic mutual "
                    + "TLS (AutoMTLS), which Vault and OpenBao enable for protocol 5");
        }
        X509Certificate hostCertificate;
        try {
            hostCertificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            throw new RefusedException("PLUGIN_CLIENT_CERT is not a PEM certificate: " + e.getMessage());
        }
        String socketDirectory = env.getOrDefault("PLUGIN_UNIX_SOCKET_DIR", "");
        if (socketDirectory.isBlank()) {
            socketDirectory = System.getProperty("java.io.tmpdir");
        }
        boolean mux = !env.getOrDefault("PLUGIN_MULTIPLEX_GRPC", "").isEmpty();
        return new PluginEnvironment(hostCertificate, socketDirectory, mux);
    }
}
