package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** Issue test 2: {@code config} defaults, round trip, and refusal of bad input (DESIGN.md §5.1). */
@Timeout(120)
class ConfigTest {

    /** Every field of DESIGN.md §5.1 with its default as read back (durations in seconds); issuer aside. */
    static final Map<String, Object> DEFAULTS = defaults();

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("default_ttl", 86400L);
        d.put("max_ttl", 259200L);
        d.put("rotation_window", 0.5);
        d.put("min_overlap", 3600L);
        d.put("record_ttl", 300L);
        d.put("verification_ttl", 86400L);
        d.put("signing_algorithm", "EdDSA");
        d.put("require_wrapping", false);
        d.put("wrap_ttl", 60L);
        d.put("max_metadata_bytes", 4096L);
        d.put("max_record_instances", 1000L);
        return d;
    }

    @OnEachServer
    void freshMountHasTheDocumentedDefaults(Herald herald) {
        String mount = herald.enable("cfg-defaults");

        Map<String, Object> config = herald.readConfig(mount);

        assertAll(DEFAULTS.entrySet().stream().map(e -> (Executable) () ->
                assertEquals(e.getValue(), config.get(e.getKey()), e.getKey() + " in " + config)));
        assertTrue(String.valueOf(config.get("issuer")).contains(mount),
                () -> "issuer defaults to the mount path: " + config);
    }

    @OnEachServer
    void writtenValuesAreReadBackWithDurationsInSeconds(Herald herald) {
        String mount = herald.enable("cfg-write");

        herald.writeConfig(mount, "default_ttl=12h", "max_ttl=48h", "record_ttl=2m", "signing_algorithm=ES256",
                "rotation_window=0.6", "issuer=me", "require_wrapping=true");
        Map<String, Object> config = herald.readConfig(mount);

        Map<String, Object> expected = new LinkedHashMap<>(DEFAULTS);
        expected.put("default_ttl", 43200L);
        expected.put("max_ttl", 172800L);
        expected.put("record_ttl", 120L);
        expected.put("signing_algorithm", "ES256");
        expected.put("rotation_window", 0.6);
        expected.put("issuer", "me");
        expected.put("require_wrapping", true);
        assertAll(expected.entrySet().stream().map(e -> (Executable) () ->
                assertEquals(e.getValue(), config.get(e.getKey()), e.getKey() + " in " + config)));
    }

    @OnEachServer
    void durationsAreAcceptedAsSecondsOverHttp(Herald herald) {
        String mount = herald.enable("cfg-seconds");
        DevServer server = herald.server();

        HttpResult write = server.http("POST", mount + "/config", Map.of("default_ttl", 7200, "min_overlap", "900"));
        assertTrue(write.status() == 200 || write.status() == 204, write::toString);

        Map<String, Object> config = server.http("GET", mount + "/config", null).assertStatus(200).data();
        assertEquals(7200L, config.get("default_ttl"));
        assertEquals(900L, config.get("min_overlap"));
    }

    /**
     * Each bad request also carries a valid change ({@code record_ttl=7m}): a 400 must name the bad
     * field and leave the whole config as it was.
     */
    @OnEachServer
    void badInputIsRefusedWithA400NamingTheFieldAndChangesNothing(Herald herald) {
        String mount = herald.enable("cfg-bad");
        DevServer server = herald.server();
        herald.writeConfig(mount, "issuer=before", "max_ttl=48h");
        Map<String, Object> before = herald.readConfig(mount);

        record Case(String field, Object value) {
        }
        List<Case> cases = List.of(
                new Case("default_ttl", "abc"),
                new Case("rotation_window", "1.5"),
                new Case("signing_algorithm", "RS1"),
                new Case("default_ttl", "100h"), // above max_ttl
                new Case("max_metadata_bytes", -1),
                new Case("max_record_instances", 0),
                new Case("colour", "blue")); // unknown field: Herald refuses it
        List<Executable> checks = new ArrayList<>();
        for (Case c : cases) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("record_ttl", "7m");
            body.put(c.field(), c.value());
            HttpResult result = server.http("POST", mount + "/config", body);
            Map<String, Object> after = herald.readConfig(mount);
            checks.add(() -> assertEquals(400, result.status(), c + ": " + result));
            checks.add(() -> assertTrue(result.errors().contains(c.field()),
                    () -> c + ": the error should name " + c.field() + ": " + result));
            checks.add(() -> assertEquals(before, after, c + " changed the config"));
        }
        assertAll(checks);
    }
}
