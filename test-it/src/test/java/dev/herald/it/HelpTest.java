package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Timeout;

/** Issue tests 3 and 4: {@code path-help} and the server's OpenAPI document describe Herald's paths. */
@Timeout(120)
class HelpTest {

    @OnEachServer
    void pathHelpDescribesConfigAndTheRootListsIt(Herald herald) {
        String mount = herald.enable("help");
        DevServer server = herald.server();

        CliResult config = server.cli("path-help", mount + "/config").assertSuccess();
        assertTrue(config.stdout().contains("default_ttl"), config::toString);

        CliResult root = server.cli("path-help", mount).assertSuccess();
        assertTrue(root.stdout().contains("config"), root::toString);
    }

    @OnEachServer
    void openApiDocumentHasTheConfigPathAndItsFields(Herald herald) {
        String mount = herald.enable("spec");
        DevServer server = herald.server();

        Map<String, Object> spec = server.http("GET", "sys/internal/specs/openapi", null).assertStatus(200).json();

        Object path = Json.at(spec, "paths", "/" + mount + "/config");
        assertNotNull(path, () -> "/" + mount + "/config not among " + ((Map<?, ?>) Json.at(spec, "paths")).keySet());
        Object schema = Json.at(path, "post", "requestBody", "content", "application/json", "schema");
        assertNotNull(schema, () -> "no request body schema for POST /" + mount + "/config: " + path);
        if (Json.at(schema, "$ref") instanceof String ref) { // "#/components/schemas/Name"
            schema = Json.at(spec, ref.substring(2).split("/"));
        }
        Object properties = Json.at(schema, "properties");
        assertTrue(properties instanceof Map, "schema has properties: " + schema);
        for (String field : ConfigTest.DEFAULTS.keySet()) {
            assertTrue(((Map<?, ?>) properties).containsKey(field), field + " in " + ((Map<?, ?>) properties).keySet());
        }
        assertTrue(((Map<?, ?>) properties).containsKey("issuer"), "issuer in " + ((Map<?, ?>) properties).keySet());
    }
}
