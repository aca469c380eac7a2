package dev.herald.it;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A mount's plugin storage read and written behind the engine's back, as an operator with
 * {@code sys/raw} (the harness's servers have {@code raw_storage_endpoint} on) can: the
 * {@code sys/raw/logical/<mount uuid>/<key>} entries, values as bytes (sent and read base64
 * encoded, so binary values such as tiles and entry bundles survive the JSON). The engine caches
 * what it read: a test reloads the plugin after writing.
 */
final class RawStorage {
    private final DevServer server;
    private final String base;

    private RawStorage(DevServer server, String uuid) {
        this.server = server;
        this.base = "sys/raw/logical/" + uuid + "/";
    }

    /** The storage of the secrets engine mounted at {@code mount}. */
    static RawStorage of(DevServer server, String mount) {
        Object uuid = Json.at(server.http("GET", "sys/mounts", null).assertStatus(200).data(), mount + "/", "uuid");
        if (!(uuid instanceof String id) || id.isEmpty()) {
            throw new AssertionError("no uuid for mount " + mount + " in sys/mounts");
        }
        return new RawStorage(server, id);
    }

    Optional<byte[]> get(String key) {
        HttpResult answer = server.http("GET", base + key + "?encoding=base64", null);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        Object value = answer.assertStatus(200).data().get("value");
        return Optional.of(Base64.getDecoder().decode((String) value));
    }

    byte[] read(String key) {
        return get(key).orElseThrow(() -> new AssertionError("no storage entry " + key));
    }

    String readText(String key) {
        return new String(read(key), StandardCharsets.UTF_8);
    }

    void put(String key, byte[] value) {
        int status = server.http("PUT", base + key, Map.of("value", Base64.getEncoder().encodeToString(value),
                "encoding", "base64")).status();
        if (status / 100 != 2) {
            throw new AssertionError("sys/raw write of " + key + " answered " + status);
        }
        // A server that ignored the encoding would have stored the base64 text itself.
        if (!java.util.Arrays.equals(value, read(key))) {
            throw new AssertionError("sys/raw of " + server.kind() + " did not store the bytes of " + key + " as sent (encoding=base64)");
        }
    }

    void delete(String key) {
        int status = server.http("DELETE", base + key, null).status();
        if (status / 100 != 2) {
            throw new AssertionError("sys/raw delete of " + key + " answered " + status);
        }
    }

    /** The names directly under {@code prefix} (which ends in {@code /}), as storage lists them. */
    List<String> list(String prefix) {
        HttpResult answer = server.http("LIST", base + prefix, null);
        if (answer.status() == 404) {
            return List.of();
        }
        return ((List<?>) answer.assertStatus(200).data().get("keys")).stream().map(String::valueOf).toList();
    }
}
