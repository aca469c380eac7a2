package com.example.kvlease;

import dev.herald.plugin.testkit.Client;
import dev.herald.plugin.testkit.DevServer;
import dev.herald.plugin.testkit.DevServerExtension;
import dev.herald.plugin.testkit.PluginUnderTest;
import dev.herald.plugin.testkit.ServerTest;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged plugin (target/plugin, made by package-plugin.sh in pre-integration-test) registered,
 * mounted and used on a real OpenBao and a real Vault dev server.
 */
class KvLeaseIT {
    static final Path PACKAGE = Path.of("target/plugin");

    @RegisterExtension
    static final DevServerExtension SERVERS = DevServerExtension.builder()
            .plugin(PluginUnderTest.packaged(PACKAGE, "kv-lease").version(packagedVersion()).mount("kv").build())
            .build();

    /** The version package-plugin.sh packaged, which the plugin reports: registered with it. */
    static String packagedVersion() {
        try {
            return Files.readString(PACKAGE.resolve("kv-lease.d/VERSION")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("is the plugin packaged (mvn verify runs package-plugin.sh)?", e);
        }
    }

    @ServerTest
    void aReadIsALeaseThatRenewsAndRevokes(Client client, DevServer server) {
        client.post("kv/secrets/db", Map.of("value", "s3cret", "ttl", "10m")).assertStatus(204);
        assertEquals(600, ((Number) client.get("kv/secrets/db").assertStatus(200).data().get("ttl")).intValue());

        Map<String, Object> read = client.get("kv/creds/db").assertStatus(200).json();
        assertEquals("s3cret", ((Map<?, ?>) read.get("data")).get("value"));
        assertEquals(600, ((Number) read.get("lease_duration")).intValue());
        assertEquals(true, read.get("renewable"));
        String leaseId = (String) read.get("lease_id");
        assertTrue(leaseId.startsWith("kv/creds/db/"), leaseId);

        Map<String, Object> renewed = client.put("sys/leases/renew", Map.of("lease_id", leaseId)).assertStatus(200).json();
        assertEquals(leaseId, renewed.get("lease_id"));

        client.put("sys/leases/revoke", Map.of("lease_id", leaseId)).assertStatus(204);
        client.put("sys/leases/lookup", Map.of("lease_id", leaseId)).assertStatus(400);
        assertTrue(server.awaitLog("lease revoked", Duration.ofSeconds(30)), "the plugin's revoke handler logs, through the server's log");
    }

    @ServerTest
    void badInputIsA400AndAnUnknownSecretA404(Client client) {
        String errors = client.post("kv/secrets/other", Map.of("value", "x", "ttl", "48h")).assertStatus(400).errors();
        assertTrue(errors.contains("ttl") && errors.contains("at most 24h"), errors);
        client.get("kv/creds/missing").assertStatus(404);
    }
}
