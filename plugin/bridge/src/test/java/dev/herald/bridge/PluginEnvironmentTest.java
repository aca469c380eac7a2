package dev.herald.bridge;

import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginEnvironmentTest {
    static String pem(X509Certificate certificate) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static Map<String, String> vaultEnvironment() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("VAULT_BACKEND_PLUGIN", "6669da05-b1c8-4f49-97d9-c8e5bed98e20");
        env.put("PLUGIN_PROTOCOL_VERSIONS", "5");
        env.put("PLUGIN_CLIENT_CERT", pem(TlsIdentity.generate().certificate()));
        return env;
    }

    @Test
    void acceptsWhatVaultSets() throws Exception {
        Map<String, String> env = vaultEnvironment();
        env.put("PLUGIN_UNIX_SOCKET_DIR", "/run/x");
        PluginEnvironment parsed = PluginEnvironment.from(env);
        assertEquals("/run/x", parsed.socketDirectory());
        assertEquals("CN=localhost, O=Herald", parsed.hostCertificate().getSubjectX500Principal().getName().replace(",O", ", O"));
        assertFalse(parsed.muxRequested());
    }

    @Test
    void refusesAProcessNotStartedByTheServer() throws Exception {
        Map<String, String> env = vaultEnvironment();
        env.remove("VAULT_BACKEND_PLUGIN");
        var e = assertThrows(PluginEnvironment.RefusedException.class, () -> PluginEnvironment.from(env));
        assertTrue(e.getMessage().contains("not meant to be run directly"), e.getMessage());
    }

    @Test
    void refusesTheDatabasePluginCookie() throws Exception {
        Map<String, String> env = vaultEnvironment();
        env.remove("VAULT_BACKEND_PLUGIN");
        env.put("VAULT_DATABASE_PLUGIN", "926a0820-aea2-be28-51d6-83cdf00e8edb");
        assertThrows(PluginEnvironment.RefusedException.class, () -> PluginEnvironment.from(env));
    }

    @Test
    void refusesTheLegacyProtocols() throws Exception {
        Map<String, String> env = vaultEnvironment();
        env.put("PLUGIN_PROTOCOL_VERSIONS", "3,4");
        var e = assertThrows(PluginEnvironment.RefusedException.class, () -> PluginEnvironment.from(env));
        assertTrue(e.getMessage().contains("[3,4]") && e.getMessage().contains("only version 5"), e.getMessage());
        env.put("PLUGIN_PROTOCOL_VERSIONS", "4, 5");
        PluginEnvironment.from(env);
    }

    @Test
    void refusesAMissingOrBrokenCertificate() throws Exception {
        Map<String, String> env = vaultEnvironment();
        env.remove("PLUGIN_CLIENT_CERT");
        assertTrue(assertThrows(PluginEnvironment.RefusedException.class, () -> PluginEnvironment.from(env))
                .getMessage().contains("AutoMTLS"));
        env.put("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertTrue(assertThrows(PluginEnvironment.RefusedException.class, () -> PluginEnvironment.from(env))
                .getMessage().contains("not a PEM certificate"));
    }

    @Test
    void notesAMultiplexingRequest() throws Exception {
        Map<String, String> env = vaultEnvironment();
        env.put("PLUGIN_MULTIPLEX_GRPC", "true");
        assertTrue(PluginEnvironment.from(env).muxRequested());
    }
}
