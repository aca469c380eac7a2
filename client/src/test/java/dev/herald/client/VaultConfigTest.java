package dev.herald.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VaultConfigTest {

    @Test
    void vaultVariablesWinOverBaoVariables() {
        VaultConfig config = VaultConfig.fromEnvironment(Map.of(
                "VAULT_ADDR", "https://vault.example:8200", "BAO_ADDR", "https://bao.example:8200",
                "VAULT_TOKEN", "vault-token", "BAO_TOKEN", "bao-token",
                "VAULT_CACERT", "/etc/vault-ca.pem", "BAO_CACERT", "/etc/bao-ca.pem",
                "VAULT_NAMESPACE", "vault-ns", "BAO_NAMESPACE", "bao-ns")).build();

        assertEquals(URI.create("https://vault.example:8200"), config.address());
        assertEquals(Optional.of("vault-token"), config.token());
        assertEquals(Optional.of(Path.of("/etc/vault-ca.pem")), config.caCert());
        assertEquals(Optional.of("vault-ns"), config.namespace());
    }

    @Test
    void baoVariablesAreReadWhenNoVaultVariableIsSet() {
        VaultConfig config = VaultConfig.fromEnvironment(Map.of(
                "BAO_ADDR", "http://127.0.0.1:8200", "BAO_TOKEN", "bao-token", "BAO_CACERT", "/etc/bao-ca.pem",
                "BAO_NAMESPACE", "bao-ns")).build();

        assertEquals(URI.create("http://127.0.0.1:8200"), config.address());
        assertEquals(Optional.of("bao-token"), config.token());
        assertEquals(Optional.of(Path.of("/etc/bao-ca.pem")), config.caCert());
        assertEquals(Optional.of("bao-ns"), config.namespace());
    }

    @Test
    void aBlankVaultVariableCountsAsUnset() {
        VaultConfig config = VaultConfig.fromEnvironment(Map.of("VAULT_ADDR", "  ", "BAO_ADDR", "http://bao:8200")).build();

        assertEquals(URI.create("http://bao:8200"), config.address());
    }

    @Test
    void valuesAreStripped() {
        VaultConfig config = VaultConfig.fromEnvironment(Map.of("VAULT_ADDR", " https://vault:8200\n", "VAULT_TOKEN", "t\n"))
                .build();

        assertEquals(URI.create("https://vault:8200"), config.address());
        assertEquals(Optional.of("t"), config.token());
    }

    @Test
    void anEmptyEnvironmentGivesTheCliDefaults() {
        VaultConfig config = VaultConfig.fromEnvironment(Map.of()).build();

        assertEquals(VaultConfig.DEFAULT_ADDRESS, config.address());
        assertEquals(URI.create("https://127.0.0.1:8200"), config.address());
        assertTrue(config.token().isEmpty());
        assertTrue(config.caCert().isEmpty());
        assertTrue(config.namespace().isEmpty());
    }

    @Test
    void theCallersSettingsOverrideTheEnvironment() {
        VaultConfig config = VaultConfig.fromEnvironment(Map.of(
                        "VAULT_ADDR", "https://vault:8200", "VAULT_CACERT", "/env-ca.pem", "VAULT_TOKEN", "env-token"))
                .address("https://flag:8300").caCert(Path.of("/flag-ca.pem")).token("flag-token").build();

        assertEquals(URI.create("https://flag:8300"), config.address());
        assertEquals(Optional.of(Path.of("/flag-ca.pem")), config.caCert());
        assertEquals(Optional.of("flag-token"), config.token());
    }

    @Test
    void theAddressMustBeHttpOrHttps() {
        IllegalArgumentException ftp = assertThrows(IllegalArgumentException.class,
                () -> VaultConfig.builder().address("ftp://vault:21").build());
        assertTrue(ftp.getMessage().contains("http:// or https://"), ftp.getMessage());

        // a forgotten scheme: "vault" is read as the scheme
        IllegalArgumentException noScheme = assertThrows(IllegalArgumentException.class,
                () -> VaultConfig.builder().address("vault:8200").build());
        assertTrue(noScheme.getMessage().contains("vault:8200"), noScheme.getMessage());

        assertThrows(IllegalArgumentException.class,
                () -> VaultConfig.fromEnvironment(Map.of("VAULT_ADDR", "ftp://vault")).build());
    }

    @Test
    void toStringNeverShowsTheToken() {
        VaultConfig config = VaultConfig.builder().address("https://vault:8200").token("s.secret-token-value")
                .caCert(Path.of("/ca.pem")).namespace("team").build();

        assertFalse(config.toString().contains("secret-token-value"), config.toString());
        assertTrue(config.toString().contains("https://vault:8200"), config.toString());
    }
}
