package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11's large services on a real server: the query parameters of a read and of a list
 * ({@code limit}, {@code after}, {@code from}) reach the plugin through the server's HTTP API and its
 * CLI, a service beyond {@code max_record_instances} is refused whole and read in signed pages that
 * chain by their cursor, and {@code services/} and {@code history/:service} page.
 */
@Timeout(180)
class LargeServiceTest {

    @OnEachServer
    void aServiceBeyondTheLimitIsReadInPagesAndListsAndHistoryPage(Herald herald) throws Exception {
        DevServer server = herald.server();
        String mount = herald.enable("large");
        server.http("POST", mount + "/roles/any", Map.of("services", List.of("web", "api-*"), "instance", "*",
                "allow_unbound", true)).assertStatus(200);
        List<String> instances = List.of("i-4", "i-1", "i-5", "i-3", "i-2");
        for (String instance : instances) {
            server.http("POST", mount + "/publish/web/" + instance, Map.of("role", "any", "csr", Publisher.ed25519().csrPem()))
                    .assertStatus(200);
        }
        for (String service : List.of("api-2", "api-1")) {
            server.http("POST", mount + "/publish/" + service + "/i-1", Map.of("role", "any", "csr", Publisher.ed25519().csrPem()))
                    .assertStatus(200);
        }
        server.http("POST", mount + "/config", Map.of("max_record_instances", 2)).assertStatus(200);

        HttpResult whole = server.http("GET", mount + "/discover/web", null);
        assertEquals(400, whole.status(), whole::toString);
        assertTrue(whole.errors().contains("5 live instances, more than max_record_instances (2)"), whole::toString);

        List<Object> walked = new ArrayList<>();
        String after = "";
        int pages = 0;
        do {
            Map<String, Object> page = server.http("GET", mount + "/discover/web?limit=2&after=" + after, null)
                    .assertStatus(200).data();
            Map<String, Object> claims = Json.parseObject(new String(Base64.getUrlDecoder().decode(
                    ((String) page.get("record")).split("\\.")[1])));
            assertEquals("page", claims.get("scope"));
            assertEquals(after, claims.get("after"), "the page names the cursor it was asked for");
            assertEquals(5L, ((Number) claims.get("total")).longValue());
            ((List<?>) claims.get("instances")).forEach(i -> walked.add(Json.at(i, "instance")));
            after = (String) claims.get("next");
            pages++;
        } while (!after.isEmpty());
        assertEquals(3, pages);
        assertEquals(instances.stream().sorted().toList(), walked);

        // The server's CLI passes a read's key=value pairs as query parameters.
        CliResult cli = server.cli("read", "-format=json", mount + "/discover/web", "limit=2", "after=i-2");
        assertEquals(0, cli.exitCode(), cli::toString);
        Map<String, Object> fromCli = Json.parseObject(cli.stdout());
        assertEquals("i-4", Json.at(fromCli, "data", "next"), cli::toString);

        HttpResult listed = server.http("GET", mount + "/services?list=true&limit=2", null).assertStatus(200);
        assertEquals(List.of("api-1", "api-2"), listed.data().get("keys"));
        assertEquals("api-2", listed.data().get("next"));
        assertTrue(listed.body().contains("list again with after=api-2"), listed::toString);
        assertEquals(List.of("web"), server.http("GET", mount + "/services?list=true&limit=2&after=api-2", null)
                .assertStatus(200).data().get("keys"));

        Map<String, Object> history = server.http("GET", mount + "/history/web?from=3&limit=10", null).assertStatus(200).data();
        assertEquals(2, ((List<?>) history.get("events")).size(), history::toString);
        assertEquals(-1L, ((Number) history.get("next")).longValue());
        assertEquals(3L, ((Number) server.http("GET", mount + "/history/web?limit=3", null).assertStatus(200).data()
                .get("next")).longValue());
    }
}
